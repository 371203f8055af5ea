# Shape seen in yt-dlp/yt-dlp, yt_dlp/downloader/websocket.py (public code).
# asyncio.run handed to a thread as the callable itself, from a method of a class that is
# defined inside a method (that class body does not run at import time).
import asyncio
import threading


class SinkDownloader:
    def download(self, info):
        async def pump(stdin):
            await self.connect(stdin, info)

        class StdinProcess:
            def on_started(self, stdin):
                worker = threading.Thread(target=asyncio.run, daemon=True, args=(pump(stdin),))  # error: LG401(col=26, func="asyncio.run")
                worker.start()

        return StdinProcess()

    async def connect(self, sink, info):
        raise NotImplementedError
