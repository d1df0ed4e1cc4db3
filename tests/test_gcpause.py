"""Start-up imports run with the garbage collector paused, then frozen once per process."""

from __future__ import annotations

import gc

import pytest

from runtime import gcpause


def test_collection_is_paused_inside_and_resumes_after():
    assert gc.isenabled()
    with gcpause.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with gcpause.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_only_the_first_use_in_a_process_freezes(monkeypatch):
    # A process that runs the flow again imports nothing new; freezing then would keep garbage.
    frozen = []
    monkeypatch.setattr(gcpause, "_frozen", [])
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    for _ in range(3):
        with gcpause.collector_paused():
            pass
    assert frozen == [1]


def test_collection_resumes_when_the_block_raises():
    with pytest.raises(ValueError), gcpause.collector_paused():
        raise ValueError
    assert gc.isenabled()
