"""Python's cyclic garbage collector paused around work that builds many acyclic objects.

A whole campaign's figures and engine runs build hundreds of thousands of small objects
that reference counting frees; the cyclic collector would only rescan them (a third of
the CPU time of `manage.py rate` at 100,000 branches, of the policy simulator at 5,000:
bench/README.md). `paused()` is the one way the code turns it off.
"""

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """Run the block with the cyclic collector off; turn it back on after, if it was on.
    Nothing is kept alive longer: acyclic objects are freed as ever, and a cycle made in
    the block is collected at the next collection after it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
