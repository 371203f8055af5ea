# Shape seen in 5wHN28Dg/Direct-Share, linux/directshare/past.py (public code, before its GTK
# rewrite): a Dear PyGui window whose button callbacks hand coroutines to a loop that a daemon
# thread runs forever; start_dearpygui() keeps the main thread. Left byte for byte and listed.
import asyncio
import threading

import dearpygui.dearpygui as dpg

async_loop = asyncio.new_event_loop()


def start_async_loop(loop):
    asyncio.set_event_loop(loop)
    loop.run_forever()


threading.Thread(target=start_async_loop, args=(async_loop,), daemon=True).start()


async def find_peers():
    await asyncio.sleep(0)


def search_callback():
    asyncio.run_coroutine_threadsafe(find_peers(), async_loop)


dpg.create_context()
with dpg.window(label="Direct Share"):
    dpg.add_button(label="search for peers", callback=search_callback)
dpg.create_viewport(title="Direct Share")
dpg.setup_dearpygui()
dpg.show_viewport()
dpg.start_dearpygui()
dpg.destroy_context()
