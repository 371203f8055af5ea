"""flake8-loopguard: keep an asyncio / qasync program on one event loop."""

__version__ = "0.1.0"
