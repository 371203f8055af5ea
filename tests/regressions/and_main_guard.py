# Shape seen in a pygame web game of the code-search index (public code; index id 39413821330,
# repository not resolved): a second __main__ guard with an `and` condition is still the entry
# point, so driving the loop there is allowed; dropping the task and get_event_loop() are not.
import asyncio
import sys


async def main():
    await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(main())

if __name__ == "__main__" and hasattr(sys, "__EMSCRIPTEN__"):
    asyncio.create_task(main())  # error: LG201(col=5, call="create_task")
    asyncio.get_event_loop().run_forever()  # error: LG105(col=5, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
