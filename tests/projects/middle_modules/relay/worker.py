import threading

from relay.plainer import refresh_all


def start(jobs):
    threading.Thread(target=refresh_all, args=(jobs,)).start()
