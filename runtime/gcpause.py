"""Start-up with the garbage collector paused.

Importing Prefect, trafilatura, jieba and the rest creates hundreds of thousands
of objects that live as long as the process (classes, functions, tables). Every
automatic collection during those imports rescans all of them: about a fifth of
the start-up time of each sieve process, for nothing to free. Pausing the
collector for the imports and then freezing what they made (`gc.freeze`: left
out of later collections) takes that away; the run itself collects as usual.
In the workers' forkserver, frozen objects also stay untouched by the children's
collections, so the pages they share are not copied.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_frozen: list[bool] = []  # whether this process has frozen its start-up objects already


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic collection inside; then freeze what exists and resume (if it was on).

    Only the first use in a process freezes: later ones (a process that runs the flow again)
    import nothing new, and freezing then would keep whatever garbage the runs before left."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not _frozen:
            gc.freeze()
            _frozen.append(True)
        if enabled:
            gc.enable()
