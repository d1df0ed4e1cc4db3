"""What sieve knows about each URL across runs, in OUT/catalog.sqlite.

The catalog makes re-crawls cheap and honest: validators (ETag, Last-Modified)
and the content hash of the last *published* version let the next run send a
conditional GET and mark unchanged pages instead of republishing them.

Crash safety: a fetch only records what was fetched; `mark_published` is called
after the publish step has committed, in one transaction. Validators are sent
only when the fetched version is the published one, so a run that died between
fetching and publishing is simply fetched again by the next run.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tasks.record import Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,          -- as requested
    final_url TEXT,                -- after redirects
    status INTEGER,                -- last HTTP status (NULL: no response)
    reject_reason TEXT,            -- last fetch outcome when not a page
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,                   -- body of the last fetched page
    doc_id TEXT,
    fetched_at TEXT,
    fetched_run TEXT,
    published_sha256 TEXT,         -- body of the last published version
    published_doc_id TEXT,
    published_run TEXT,
    published_at TEXT
)
"""


@dataclass(frozen=True)
class CatalogEntry:
    url: str
    final_url: str | None
    status: int | None
    reject_reason: str | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    doc_id: str | None
    fetched_at: str | None
    fetched_run: str | None
    published_sha256: str | None
    published_doc_id: str | None
    published_run: str | None
    published_at: str | None

    @property
    def validators_current(self) -> bool:
        """True when ETag/Last-Modified describe the published version (safe to send)."""
        return bool(self.published_sha256) and self.sha256 == self.published_sha256


@dataclass(frozen=True)
class FetchRecord:
    """One fetch outcome to remember (see `Catalog.record_fetch`)."""

    url: str
    final_url: str | None
    status: int | None
    reject_reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None  # None keeps the stored hash (a 304 has no body)
    doc_id: str | None = None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Catalog:
    """SQLite in WAL mode, one connection shared by threads behind a lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, url: str) -> CatalogEntry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()
        return CatalogEntry(**dict(row)) if row else None

    def entries(self) -> list[CatalogEntry]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM urls ORDER BY url").fetchall()
        return [CatalogEntry(**dict(r)) for r in rows]

    def record_fetch(self, rec: FetchRecord, run_id: str | None) -> None:
        """Remember one fetch; a failed fetch keeps the validators and hashes it had."""
        with self._lock, self._tx():
            self._db.execute(
                """INSERT INTO urls (url, final_url, status, reject_reason, etag, last_modified, sha256,
                                     doc_id, fetched_at, fetched_run)
                   VALUES (:url, :final_url, :status, :reject_reason, :etag, :last_modified, :sha256,
                           :doc_id, :now, :run)
                   ON CONFLICT(url) DO UPDATE SET
                       final_url = COALESCE(excluded.final_url, final_url),
                       status = excluded.status,
                       reject_reason = excluded.reject_reason,
                       etag = COALESCE(excluded.etag, etag),
                       last_modified = COALESCE(excluded.last_modified, last_modified),
                       sha256 = COALESCE(excluded.sha256, sha256),
                       doc_id = COALESCE(excluded.doc_id, doc_id),
                       fetched_at = excluded.fetched_at,
                       fetched_run = excluded.fetched_run""",
                {**rec.__dict__, "now": _now(), "run": run_id},
            )

    def mark_published(self, run_id: str, published: Iterable[tuple[str, str, str]]) -> int:
        """After the publish step committed: (url, doc_id, sha256) of each published page.

        One transaction: either every page of the run is marked or none is.
        """
        rows = [{"url": u, "doc_id": d, "sha": s, "run": run_id, "now": _now()} for u, d, s in published]
        with self._lock, self._tx():
            self._db.executemany(
                """INSERT INTO urls (url, sha256, doc_id, published_sha256, published_doc_id, published_run,
                                     published_at)
                   VALUES (:url, :sha, :doc_id, :sha, :doc_id, :run, :now)
                   ON CONFLICT(url) DO UPDATE SET published_sha256 = :sha, published_doc_id = :doc_id,
                       published_run = :run, published_at = :now""",
                rows,
            )
        return len(rows)

    def _tx(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error (autocommit connection)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def requested_url(doc: Document) -> str:
    """The URL a fetched document was asked for (the catalog's key), before redirects."""
    return requested_url_of(doc.steps, doc.source.uri)


def requested_url_of(steps: list[dict[str, Any]], uri: str) -> str:
    """`requested_url` from a document's (or a record's) steps and source URI."""
    for step in steps:
        if step.get("name") == "fetch":
            return str(step.get("parameters", {}).get("requested_url") or uri)
    return uri


def published_rows(docs: Iterable[Document]) -> list[tuple[str, str, str]]:
    """(url, doc_id, sha256) for `Catalog.mark_published`, from published HTTP documents."""
    return [(requested_url(d), d.id, d.source.sha256) for d in docs
            if d.source.kind == "http" and not d.reject_reason]
