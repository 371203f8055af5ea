"""Commands looked up in a dictionary, and a property: both need load() to stay synchronous."""

import asyncio


async def _load(name):
    await asyncio.sleep(0)
    return name.title()


def load(name):
    return asyncio.run(_load(name))


class Settings:
    @property
    def user(self):
        return load("ada")


COMMANDS = {"load": load}


def main():
    print(COMMANDS["load"]("grace"))
    print(Settings().user)


if __name__ == "__main__":
    main()
