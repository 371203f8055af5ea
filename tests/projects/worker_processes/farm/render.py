import asyncio
import multiprocessing


class Renderer(multiprocessing.Process):
    def run(self):
        asyncio.run(self.serve())  # the child process's one loop

    async def serve(self):
        await asyncio.sleep(0)
