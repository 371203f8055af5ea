"""The cycle collector, paused while many acyclic objects are made."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing and modelling a module allocate many objects and free none of them until the
    end; the cycle collector would scan them all again and again, making a large file cost more
    than its size. Paused here, it runs as usual afterwards (and stays off for a caller that
    turned it off for a whole run)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
