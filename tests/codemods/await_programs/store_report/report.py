"""A report over the store, two modules away from the loop."""

from store import query


def rows(table):
    return query(f"Select * From {table}")


def render(tables):
    for table in tables:
        for row in rows(table):
            print(table, row)


if __name__ == "__main__":
    render(["users", "orders"])
