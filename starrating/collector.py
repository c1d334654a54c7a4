"""The cyclic garbage collector kept out of bulk work (docs/nonfunctional.md §7).

A whole-campaign recompute or a `manage.py rate` run builds hundreds of thousands of small
acyclic objects (engine inputs, notes, rows); the collector would only rescan them, several
full collections per run (a third of the run time at 20,000 branches). Reference counting
still frees everything; the collector runs again as soon as the block ends.
"""

import gc
from contextlib import contextmanager


@contextmanager
def paused():
    """Run the block with the cyclic collector off, then restore its state."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
