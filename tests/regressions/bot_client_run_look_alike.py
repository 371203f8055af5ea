# Shape seen in lxwang/cryptobot, bot.py (public code): a discord bot module that imports asyncio
# and calls `bot.run(token)` at import time; that run() is the client's, not asyncio.run.
import asyncio

from discord.ext import commands

bot = commands.Bot(command_prefix="$")


@bot.command()
async def crypto(ctx, *args):
    await asyncio.sleep(0)
    await ctx.send(" ".join(args))


bot.run("token")
