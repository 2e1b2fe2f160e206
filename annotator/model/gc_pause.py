"""Pausing Python's cyclic garbage collector around work that builds many objects it keeps.

The agreement report makes hundreds of thousands of small objects and keeps them until it returns,
so the cyclic collector would walk them again and again for nothing (a quarter of its time on 3
annotators x 1,000 documents). `cyclic_gc_paused()` switches automatic collection off for the
duration and back on after (unless it was off before); `paused()` tells a collector that runs by
hand (the GUI thread's timer, `ui.gc_collector`) to wait too, since the report runs in a worker
thread and a collection from the GUI thread walks the same objects. Reference counting still frees
everything at once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    global _depth
    was_enabled = gc.isenabled()
    with _lock:
        _depth += 1
    gc.disable()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
        if was_enabled:
            gc.enable()


def paused() -> bool:
    """Whether some thread is inside `cyclic_gc_paused()`."""
    return _depth > 0
