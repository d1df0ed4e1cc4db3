"""Load what the pipeline loads lazily, once, before worker processes are forked.

runtime/pool.py preloads this module in the forkserver, so every worker forked
from it starts warm (tasks/stages/warmup.py: two small pages through every
stage) and shares those pages of memory.
"""

from __future__ import annotations

from config import Settings
from runtime.gcpause import collector_paused


def warm(settings: Settings | None = None) -> None:
    """Run tasks/stages/warmup.py's pages through every stage (results discarded), with the garbage
    collector paused (runtime/gcpause.py)."""
    with collector_paused():
        from tasks.stages.document import warm_up  # noqa: PLC0415 - imported with the collector paused

        warm_up(settings or Settings())


warm()
