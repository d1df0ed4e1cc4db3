"""What a run is about to read, checked before anything is written.

A mistyped path or an empty folder must not publish an empty corpus over a good
one: each named path must exist, and each source must have something to read
(an input file, or URLs to fetch). The run fails with every problem named,
unless an empty publish is asked for (`publish.allow_empty`, `--allow-empty`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from config import ReadSettings
from config.errors import EXIT_FAILED, UserError
from tasks.inputs.read import iter_input_files


class NothingToRead(UserError):
    """A source (or the whole run) yields no document; the current corpus stays as it was."""

    exit_code = EXIT_FAILED


HINT = "the current corpus is left as it was; pass --allow-empty (or set publish.allow_empty) to publish an empty one"


def input_problems(local: Sequence[tuple[str, Sequence[str]]], fetched: Sequence[str], expected: Sequence[str],
                   read: ReadSettings) -> list[str]:
    """Why sources would yield nothing: each path that does not exist, each source with no input file and no URL.

    `local`: (source, paths) to read; `fetched`: sources with URLs to fetch; `expected`: the sources that should
    yield something (the configured ones selected for this run), so one with neither paths nor URLs is named."""
    problems = []
    for name, paths in local:
        for path in paths:
            if not os.path.exists(path):
                problems.append(f"source {name}: {path} does not exist")
        existing = [p for p in paths if os.path.exists(p)]
        if existing and name not in fetched and not next(iter_input_files(existing, read), None):
            problems.append(f"source {name}: no input file in {', '.join(existing)} "
                            f"(read.extensions: {' '.join(read.extensions)})")
    reading = {name for name, _ in local} | set(fetched)
    problems += [f"source {name}: neither paths nor URLs to read" for name in expected if name not in reading]
    if not local and not fetched and not expected:
        problems.append("no source configured and no path or URL given")
    return problems

