"""Walk a tree whose children are fetched by a coroutine, recursively, from synchronous code."""

import asyncio

TREE = {"root": ["a", "b"], "a": ["a1"], "b": [], "a1": []}


async def children_of(node):
    await asyncio.sleep(0)
    return TREE[node]


def walk(node, depth=0):
    print("  " * depth + node)
    total = 1
    for child in asyncio.run(children_of(node)):
        total += walk(child, depth + 1)
    return total


def main():
    print("nodes:", walk("root"))


if __name__ == "__main__":
    main()
