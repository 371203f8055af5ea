import threading

import feeds.sync_bridge as bridge
from feeds.sync_bridge import blocking_fetch as fetch_now


def start_ticker(client, symbol):
    threading.Thread(target=fetch_now, args=(client, symbol)).start()


def start_second_ticker(client, symbol):
    threading.Thread(None, bridge.blocking_fetch, args=(client, symbol)).start()
