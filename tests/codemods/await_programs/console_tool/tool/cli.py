"""The `tool` command: pyproject.toml's [project.scripts] runs main() through its wrapper."""

import sys

from tool.net import fetch


def show(urls, prefix):
    for url in urls:
        print(prefix + fetch(url))


def main(argv=None, *, prefix="> "):
    """Print each URL, fetched."""
    urls = sys.argv[1:] if argv is None else argv
    show(urls, prefix)
    return len(urls)


if __name__ == "__main__":
    sys.exit(main())
