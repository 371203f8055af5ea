# Shape seen in tompolacek2/BP, scripts/telegram.py (public code): a connector's synchronous
# send_message() makes and installs a private loop, runs two coroutines of the client on it and
# closes it; a script calls it. The method becomes a coroutine awaiting both, and the script's
# entry point runs the one loop.
import asyncio

from telegram import Bot


class TelegramConnector:
    def __init__(self, token=""):
        self.token = token

    async def send_message(self, chat_id, text):
        bot = Bot(token=self.token)

        resp = await bot.send_message(chat_id=chat_id, text=text)
        await bot.close()

        print("OK:", resp)
        return True


if __name__ == "__main__":
    asyncio.run(TelegramConnector("token").send_message(1, "hello"))
