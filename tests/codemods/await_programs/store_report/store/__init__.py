"""The store's public face."""

from .db import query

__all__ = ["query"]
