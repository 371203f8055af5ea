# Shape seen in jhhj424/upbit-auto-trade, real_time_data_trade.py (public code), and in the
# trading bots of the code-search index that move the same WebSocketApp into a thread.
# The module also imports asyncio, so only the receiver's binding says it is not a loop:
# it comes from websocket.WebSocketApp(...), which is not a loop source (not LG103, not LG401).
import asyncio
import threading

import websocket


class TickerFeed:
    def __init__(self, url, on_message):
        self.ws = websocket.WebSocketApp(url, on_message=on_message)
        self.thread = threading.Thread(target=self.ws.run_forever, daemon=True)

    def start(self):
        self.thread.start()

    def run_blocking(self):
        self.ws.run_forever()

    async def forward(self, queue, message):
        await asyncio.wait_for(queue.put(message), 1)


def run_feed_here(url):
    feed = websocket.WebSocketApp(url)
    feed.run_forever()
