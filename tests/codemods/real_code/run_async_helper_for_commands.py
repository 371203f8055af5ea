# Shape seen in sarvajnait/vagmi-backend, app/utils/general.py (public code): a helper runs any
# coroutine from synchronous code on the thread's loop, making and installing one when there is
# none; synchronous commands call it. The helper and its callers become coroutines awaited up to
# the entry point, which runs the one loop.
import asyncio


async def load_user(user_id):
    await asyncio.sleep(0)
    return {"id": user_id}


def run_async(coro):
    """Run an async coroutine in a synchronous context."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop.run_until_complete(coro)


def show_user(user_id):
    user = run_async(load_user(user_id))
    print(user["id"])


def show_users(user_ids):
    for user_id in user_ids:
        show_user(user_id)


if __name__ == "__main__":
    show_users([1, 2])
