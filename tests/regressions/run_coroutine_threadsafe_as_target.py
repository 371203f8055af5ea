# Shape seen in KalashnikovProjects/DiscordKlaudyBot, utils.py (public code): the thread target is
# run_coroutine_threadsafe, which schedules onto an existing loop and runs none (not LG401).
import asyncio
import threading


def run_in_thread(coroutine):
    threading.Thread(target=asyncio.run_coroutine_threadsafe, args=(coroutine, asyncio.get_event_loop())).start()  # error: LG105(col=80, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
