import threading

from broker import login, place_order_sync


def submit(api, order, credentials):
    login(credentials)
    threading.Thread(target=place_order_sync, args=(api, order), daemon=True).start()
