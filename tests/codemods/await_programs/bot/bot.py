"""A chat bot whose synchronous handler answers each message on a private event loop."""

import asyncio
import time


async def reply(text):
    await asyncio.sleep(0)
    return text[::-1]


class Bot:
    def __init__(self, name):
        self.name = name
        self.answered = 0

    def handle(self, message):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            answer = loop.run_until_complete(reply(message))
        finally:
            loop.close()
        self.answered += 1
        return f"{self.name}: {answer}"

    def poll(self, inbox):
        for message in inbox:
            time.sleep(0.01)  # rate limit
            print(self.handle(message))
        print(f"{self.answered} answered")


if __name__ == "__main__":
    bot = Bot("echo")
    bot.poll(["hello", "world"])
