# Shape seen in jhhj424/upbit-auto-trade, real_time_data.py (public code).
# A websocket-client feed started at import time in a module that imports no event-loop
# library: run_forever() belongs to the WebSocketApp, it is not a loop boundary (LG103).
import json

import websocket


def on_message(ws, message):
    print(json.loads(message))


ws = websocket.WebSocketApp("wss://example.invalid/websocket/v1", on_message=on_message)
ws.run_forever()
