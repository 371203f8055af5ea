"""The broker package's public names."""

from .session import (
    login,
    place_order_sync,
)

__all__ = ["login", "place_order_sync"]
