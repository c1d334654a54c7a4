"""A fixed-window count per client address, over Django's cache: the one throttle.

The cache is the database cache shared by every worker (settings), so a limit holds
across processes; the increment is not atomic, so a burst may be under-counted by a few,
which a throttle can afford. The address is the one `starrating.proxy` trusts: a
forwarded address counts only behind a proxy the settings declare. Callers decide what
counts (the ballot pages count failed code checks only, docs/survey.md §2.1.2) and pass
the limit and window at each call, so settings changed at run time take effect.
"""

from django.core.cache import cache

from starrating import clock
from starrating.proxy import client_address


def _key(request, name: str, window: int) -> str:
    slot = int(clock.now().timestamp() // window)
    return f"{name}-throttle:{client_address(request)}:{slot}"


def exceeded(request, name: str, *, limit: int, window: int) -> bool:
    """Whether the address has used up `limit` counts of `name` in this window."""
    return cache.get(_key(request, name, window), 0) >= limit


def count(request, name: str, *, window: int) -> None:
    """Count one more `name` for the address in this window."""
    key = _key(request, name, window)
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
