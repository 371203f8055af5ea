"""tool.py show URL... | tool.py count URL...: two commands, one helper that runs a loop."""

import sys

from net import fetch


def show(urls):
    for url in urls:
        print(fetch(url))


def count(urls):
    sizes = [len(fetch(url)) for url in urls]
    print(f"{len(sizes)} pages, {sum(sizes)} bytes")


def main(argv):
    command, *urls = argv
    if command == "show":
        show(urls)
    else:
        count(urls)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
