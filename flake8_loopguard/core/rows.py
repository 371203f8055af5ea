"""The shape check of the JSON rows that cached records and project summaries are made of: a
record read back from disk is trusted only once every row has the types it was written with."""

from __future__ import annotations

from typing import Any, Tuple


def is_json_row(value: Any, types: Tuple[type, ...]) -> bool:
    """Whether ``value`` is a JSON array of exactly these types (a bool is not an int here)."""
    return (
        type(value) is list and len(value) == len(types) and all(type(item) is kind for item, kind in zip(value, types))
    )
