"""The small sources the tests of `loopguard check` write into temporary projects, and the finding
lines `loopguard check` prints for them."""

import textwrap
from pathlib import Path

LG102 = "LG102 asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"
LG201 = "LG201 task created with create_task() is never referenced; keep it in a TaskManager"
LG303 = "LG303 asyncio.Lock() created in __init__; create it lazily on the running loop"

RUNS_A_LOOP = """\
import asyncio


def load():
    return asyncio.run(fetch())
"""
DROPS_A_TASK = """\
import asyncio


async def tick():
    asyncio.create_task(fetch())
"""
LOCK_IN_INIT = """\
import asyncio


class Feed:
    def __init__(self):
        self.lock = asyncio.Lock()
"""
CLEAN = "async def load():\n    return await fetch()\n"


def write(root, files):
    """Each file of ``files`` (path under ``root``: text, dedented, or bytes), its folders made."""
    for name, text in files.items():
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")


def many_files(root, count=40):
    """``count`` files under ``root``/pkg, each with one finding: LG102, or LG201 in every third."""
    write(root, {f"pkg/m{index:02}.py": (RUNS_A_LOOP if index % 3 else DROPS_A_TASK) for index in range(count)})
