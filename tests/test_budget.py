"""Every document runs under a CPU-time budget (`limits.document_cpu_seconds`): over it, the
document is rejected "timeout" with the stage it was in, and the run goes on."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from config import Settings
from tasks.inputs.read import read_file
from tasks.stages.budget import CpuBudget, OverBudget
from tasks.stages.document import STAGES, process_document, process_documents

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
# Nested quantifiers over the same character: exponential backtracking on a near-miss.
CATASTROPHIC = re.compile(r"^(a+)+$")


def tight(seconds: float) -> Settings:
    return Settings.model_validate({"limits": {"document_cpu_seconds": seconds}})


def test_a_catastrophic_regex_is_interrupted_soon_after_the_budget():
    started = time.process_time()
    with pytest.raises(OverBudget) as caught, CpuBudget(0.3) as budget:
        budget.stage("clean")
        CATASTROPHIC.match("a" * 60 + "!")  # would run for centuries
    spent = time.process_time() - started
    assert 0.25 <= spent < 1.3  # the kernel accounts CPU time in ticks
    assert str(caught.value) == "clean took the document past its budget of 0.3 CPU-s"


def test_a_budget_not_spent_leaves_no_timer_behind():
    with CpuBudget(0.5) as budget:
        budget.stage("extract")
    assert budget.enforced == "cpu_timer"
    deadline = time.process_time() + 0.8
    while time.process_time() < deadline:  # past the budget: nothing may fire now
        pass


def test_a_page_over_budget_is_rejected_timeout_naming_its_stage_and_the_next_page_goes_on():
    settings = tight(0.002)
    docs = [read_file(page, settings.read) for page in SEEDS[:3]]
    out = list(process_documents(docs, settings))
    timed_out = [d for d in out if d.reject_reason == "timeout"]
    assert timed_out, "a 2 ms budget is shorter than a real page's processing"
    for doc in timed_out:
        stage = doc.error.split(" ", 1)[0]
        assert stage in STAGES
        assert doc.error == f"{stage} took the document past its budget of 0.002 CPU-s"
        chars = doc.char_accounting()
        assert chars["extracted"] == chars["kept"] + chars["removed"]
        assert doc.published_text == ""
        assert {"name": "budget", "library": "sieve", "parameters": {"document_cpu_seconds": 0.002}} in doc.steps
    fine = process_document(read_file(SEEDS[0], Settings().read), Settings())
    assert fine.reject_reason is None  # the timer of the timed-out pages is gone


def test_off_the_main_thread_the_budget_is_checked_between_stages():
    """No signal reaches a thread: the budget is enforced when the slow stage returns."""
    settings = tight(0.002)
    out: list = []

    def work() -> None:
        with CpuBudget(1.0) as budget:
            out.append(budget.enforced)
        out.append(process_document(read_file(SEEDS[0], settings.read), settings))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(60)
    enforced, doc = out
    assert enforced == "between_stages"
    assert doc.reject_reason == "timeout"
    assert doc.error.split(" ", 1)[0] in STAGES
    chars = doc.char_accounting()
    assert chars["extracted"] == chars["kept"] + chars["removed"]


def test_an_enclosing_budget_is_not_disturbed_by_a_nested_one():
    with CpuBudget(5.0) as outer:
        with CpuBudget(5.0) as inner:
            inner.stage("clean")
        assert (outer.enforced, inner.enforced) == ("cpu_timer", "between_stages")


def test_the_budget_must_be_positive():
    with pytest.raises(ValueError, match="greater than 0"):
        tight(0)
