"""Services of this area (being written)."""


def todos(user):
    return []
