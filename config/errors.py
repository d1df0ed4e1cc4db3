"""Errors the user must fix, and how a settings problem is put in words.

The CLI shows a `UserError` as its message alone (no traceback) and exits with
its `exit_code`; a flow run that meets one ends Failed with the same message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

# Exit codes of the `sieve` command (README, "Exit codes").
EXIT_FAILED = 1  # the run failed: nothing to read, a source crashed, no such document
EXIT_REFUSED = 2  # refused before any work: a setting, path, name or argument to fix
EXIT_BUSY = 3  # another run holds the output folder


class UserError(Exception):
    """A problem with what the user gave (settings, paths, names); the message says what and how to fix it."""

    exit_code: ClassVar[int] = EXIT_REFUSED


class ConfigError(UserError, ValueError):
    """A configuration file that cannot be read or does not validate."""


def check_name(value: str) -> str:
    """A name that becomes part of a file name (a source's WARC archive, its parts): one plain path component."""
    problem = (
        "is empty" if not value.strip()
        else "contains a path separator" if "/" in value or "\\" in value
        else "contains a control character (NUL, newline, ...)" if not value.isprintable()
        else "starts with '.'" if value.startswith(".")
        else "is longer than 100 characters" if len(value) > 100
        else None)
    if problem:
        raise ValueError(f"name {value!r} {problem}: a name is used in file names, so it must be one plain "
                         "path component (no '/' or '\\', no control character, not starting with '.')")
    return value


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts at `loc` (a path of keys and list indexes), for an "unknown key" message."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        found = _model_in(field.annotation)
        if found is None:
            return []
        model = found
    return sorted(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(exc: ValidationError, model: type[BaseModel], where: str | Path) -> str:
    """One line per problem: the file, the key (dotted, list items by index), what is expected and what was found."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
        if err["type"] == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            lines.append(f"{where}: {key}: unknown key" + (f" (known here: {', '.join(known)})" if known else ""))
            continue
        msg = err["msg"].removeprefix("Value error, ")
        got = "" if err["type"] in ("missing", "value_error") else f", got {_shown(err.get('input'))}"
        lines.append(f"{where}: {key}: {msg[:1].lower()}{msg[1:]}{got}")
    return "\n".join(lines)
