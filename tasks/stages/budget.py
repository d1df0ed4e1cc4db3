"""A CPU-time budget for one document: whatever the cause (a regex, a parser, a
pathological page), one input must not hold a worker.

In a process's main thread the budget arms a one-shot `ITIMER_PROF` timer; when
the process has spent the budget's CPU seconds, SIGPROF's handler raises
`OverBudget` wherever the document's code is. Python code, `re` and most
library code are interrupted within milliseconds; C code that never returns to
the interpreter (one long lxml parse) is interrupted when it does return.
ITIMER_PROF counts the whole process's CPU (user and system, every thread): a
worker process does little else while it runs a document.

Where the timer cannot be armed (not the main thread, no `setitimer` on the
platform, or a timer already running, e.g. an enclosing budget), the budget
falls back to a check between stages: the calling thread's CPU time is
compared with the budget each time a stage starts and when the last one ends,
so a document over budget is still rejected, but only once its slow stage has
returned.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType, TracebackType


class OverBudget(BaseException):
    """The document's CPU-time budget ran out in `stage`.

    A BaseException, as KeyboardInterrupt is: library code that wraps its own work in
    `except Exception` (parsers and extractors do) must not swallow it."""

    def __init__(self, stage: str, seconds: float) -> None:
        super().__init__(stage, seconds)
        self.stage, self.seconds = stage, seconds

    def __str__(self) -> str:
        return f"{self.stage} took the document past its budget of {self.seconds:g} CPU-s"


def can_arm_timer() -> bool:
    """Whether a CPU timer can interrupt this thread: main thread, and no such timer running already."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0))


class CpuBudget:
    """`with CpuBudget(5.0) as budget:` then `budget.stage("extract")` as each stage starts.

    `enforced` says how: "cpu_timer" (interrupts a stage) or "between_stages" (see the module)."""

    def __init__(self, seconds: float, stage: str = "start") -> None:
        self.seconds = seconds
        self.current = stage
        self.enforced = "between_stages"
        self.expired = False
        self._armed = False
        self._started = 0.0
        self._previous_handler: object = None

    def __enter__(self) -> CpuBudget:
        self._started = time.thread_time()
        self.expired = False
        if can_arm_timer():
            self._previous_handler = signal.signal(signal.SIGPROF, self._on_timer)
            self.enforced = "cpu_timer"
            self._armed = True
            try:
                signal.setitimer(signal.ITIMER_PROF, self.seconds)
            except BaseException:  # a tiny budget can run out before __enter__ returns
                self._disarm()
                raise
        else:
            self._armed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._disarm()

    def _disarm(self) -> None:
        try:
            self._armed = False
        finally:  # the timer may fire on the line above: it is one-shot, so it cannot fire twice
            if self.enforced == "cpu_timer":
                signal.setitimer(signal.ITIMER_PROF, 0)
                previous = self._previous_handler  # None: a handler installed outside Python
                signal.signal(signal.SIGPROF, signal.SIG_DFL if previous is None else previous)  # type: ignore[arg-type]

    def _on_timer(self, signum: int, frame: FrameType | None) -> None:
        if self._armed:
            self.expired = True
            raise OverBudget(self.current, self.seconds)

    def check(self) -> None:
        """Raise if the budget is spent: the timer fired and someone caught it, or (without a timer)
        this thread's CPU time since entering is over the budget."""
        if self._armed and (self.expired or time.thread_time() - self._started > self.seconds):
            self.expired = True
            raise OverBudget(self.current, self.seconds)

    def stage(self, name: str) -> None:
        """The stage `name` starts: first check the budget (the stage that just ended is to blame)."""
        self.check()
        self.current = name
