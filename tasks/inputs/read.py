"""Local inputs (files, folders, WARC files) to `Document`s with their raw bytes.

Inputs are listed lazily and in a stable order, so shards are the same on every
run whatever the number of workers. Nothing is skipped silently: a file that
cannot be read becomes a rejected document carrying the reason.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from config import ReadSettings
from tasks.record import Document, Source

HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
WARC_EXTENSIONS = (".warc", ".warc.gz")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iter_input_files(paths: Iterable[str | Path], settings: ReadSettings) -> Iterator[Path]:
    """Every file under `paths` (files or folders), sorted within each folder.

    Files whose extension is not an input type are still yielded when named
    explicitly; inside folders only known extensions are taken (a folder of pages
    often holds other things, e.g. a gold file).
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            unlisted: list[OSError] = []  # folders os.walk could not list: read_file says why
            for root, dirs, files in os.walk(path, onerror=unlisted.append):
                yield from (Path(exc.filename) for exc in unlisted)
                unlisted.clear()
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(tuple(settings.extensions)) and not name.startswith("."):
                        yield Path(root) / name
            yield from (Path(exc.filename) for exc in unlisted)
        else:
            yield path


def first_of_each_file(files: Iterable[Path], seen: set[str]) -> Iterator[Path]:
    """`files` without those met before (in `seen`, updated): by real path, so a file reached twice (a folder and a
    path in it, a symlink, `a/../a/x`) is read once, where the plan meets it first."""
    for path in files:
        real = os.path.realpath(path)  # never raises, even on a symlink loop (read_file rejects that one)
        if real not in seen:
            seen.add(real)
            yield path


class InputError(Exception):
    """An input that is not read, with the reason and why in words (a rejected record's fields)."""

    def __init__(self, reason: str, error: str) -> None:
        super().__init__(reason, error)
        self.reason, self.error = reason, error


_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _not_regular(mode: int) -> str | None:
    """What a file of this mode is, if not a regular file (reading a pipe or a device may never end)."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _NOT_REGULAR if test(mode)), "not a regular file")


def open_input(path: Path) -> BinaryIO:
    """`path` opened for reading if it is a regular file (through symlinks); else InputError.

    Never blocks: a named pipe or device is refused from its status before any open, and the open
    itself does not wait (O_NONBLOCK) in case the file was swapped for a pipe in between."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _stat_error(path, exc) from exc
    if kind := _not_regular(mode):
        raise InputError("not_a_regular_file", f"{path} is {kind}: not read")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _stat_error(path, exc) from exc
    if kind := _not_regular(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError("not_a_regular_file", f"{path} is {kind}: not read")
    return os.fdopen(fd, "rb")


def _stat_error(path: Path, exc: OSError) -> InputError:
    if exc.errno == errno.ELOOP:
        return InputError("symlink_loop", f"{path}: symbolic links loop ({exc.strerror})")
    if exc.errno == errno.ENOENT and path.is_symlink():
        return InputError("dangling_symlink", f"{path} links to {os.readlink(path)}, which does not exist")
    return InputError("unreadable", f"{type(exc).__name__}: {exc}")


def file_uri(path: Path) -> str:
    """The file's URI, symlinks resolved where they lead to a file (a loop or a dangling link keeps its own path)."""
    try:
        return path.resolve(strict=True).as_uri()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's resolve() on a symlink loop
        return path.absolute().as_uri()


def _media_for(name: str, head: bytes) -> str:
    lower = name.lower()
    if lower.endswith(HTML_EXTENSIONS):
        return "html"
    if lower.endswith((".txt", ".text")):
        return "text"
    sniff = head[:1024].lstrip().lower()
    return "html" if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff else "text"


def read_file(path: Path, settings: ReadSettings) -> Document:
    """Read one local page; unreadable, empty or oversized files come back rejected."""
    uri = file_uri(path)
    retrieved = now_iso()
    try:
        # Hashed in chunks; the bytes are kept only while they fit in `max_bytes`, so an
        # oversized file costs one chunk of memory, not its size.
        size = 0
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        with open_input(path) as fh:
            keep = os.fstat(fh.fileno()).st_size <= settings.max_bytes
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                if not chunks or (keep and size <= settings.max_bytes):
                    chunks.append(chunk)  # the first chunk always: it tells HTML from text
                else:
                    keep = False
        head = b"".join(chunks)
    except InputError as exc:
        return Document(source=Source(uri=uri, kind="file", retrieved_at=retrieved, sha256="")).reject(
            exc.reason, exc.error)
    except OSError as exc:
        source = Source(uri=uri, kind="file", retrieved_at=retrieved, sha256="")
        return Document(source=source).reject("unreadable", f"{type(exc).__name__}: {exc}")
    media = _media_for(path.name, head)
    source = Source(uri=uri, kind="file", retrieved_at=retrieved, sha256=digest.hexdigest(),
                    content_type="text/html" if media == "html" else "text/plain", size=size)
    doc = Document(source=source, media=media)
    if size == 0:
        return doc.reject("empty", "file has no bytes")
    if size > settings.max_bytes:
        return doc.reject("too_large", f"{size} bytes > read.max_bytes={settings.max_bytes}")
    doc.raw = head
    return doc


def read_inputs(path: Path, settings: ReadSettings) -> Iterator[Document]:
    """Documents from one input file: a page, or every response in a WARC file."""
    if path.name.lower().endswith(WARC_EXTENSIONS):
        from tasks.inputs.warc import read_warc  # noqa: PLC0415 - warcio only when needed

        yield from read_warc(path, settings)
    else:
        yield read_file(path, settings)
