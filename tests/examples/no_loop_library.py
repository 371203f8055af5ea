"""LG103 in a module that imports no event-loop library: only receivers known to be loops count."""
import threading


def serve(server):
    server.run_forever()
    threading.Thread(target=server.run_forever).start()


def drive(loop, coro):
    loop.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")
