import threading

from services.feed import pump_feed


def replay(feed):
    threading.Thread(target=pump_feed, args=(feed,)).start()
