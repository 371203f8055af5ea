"""LG103 in a module that imports no event-loop library: only receivers known to be loops count.
An import for annotations only (`if TYPE_CHECKING:`) makes no module a loop user."""
import threading
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import asyncio


def serve(server):
    server.run_forever()
    threading.Thread(target=server.run_forever).start()


def drive(loop, coro):
    loop.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")


def drive_annotated(ev: "asyncio.AbstractEventLoop", app, coro):
    ev.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")
    app.run_forever()


def drive_optional(ev: Optional["asyncio.AbstractEventLoop"], coro):
    ev.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")
