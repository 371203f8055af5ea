"""A feeder: a reader thread started by the application hands each line to the loop and waits
for it to be stored."""

import asyncio
import threading

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()

store = []


async def save(line):
    await asyncio.sleep(0)
    store.append(line)
    return len(store)


def read_lines(lines):
    for line in lines:
        position = asyncio.run_coroutine_threadsafe(save(line), loop).result()
        print("saved", line, "at", position)


async def main():
    reader = threading.Thread(target=read_lines, args=(["a", "b", "c"],))
    reader.start()
    await asyncio.to_thread(reader.join)
    print("store", store)


if __name__ == "__main__":
    asyncio.run(main())
