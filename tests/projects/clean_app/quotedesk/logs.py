import time


def tail_file(path, interval):
    while True:
        time.sleep(interval)
