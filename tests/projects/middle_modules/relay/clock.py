"""Calls nothing that reaches a loop: never parsed."""
import threading
import time


def tick(interval):
    threading.Thread(target=time.sleep, args=(interval,)).start()
