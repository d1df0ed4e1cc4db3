"""Signatures of published documents across runs, in OUT/dedup.sqlite beside the catalog.

Written only after a run has committed (one transaction), so a run that dies
leaves the store as it was and its documents count as unpublished.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from config import DedupSettings
from tasks.dedup.index import Earlier
from tasks.dedup.signature import SCHEME, Signature

_SCHEMA = """
CREATE TABLE IF NOT EXISTS published (
    doc_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    exact TEXT NOT NULL,          -- hash of the normalized text
    minhash BLOB NOT NULL,        -- uint32 values
    shingling TEXT NOT NULL,      -- MinHash settings the values were made with (see `shingling`)
    run_id TEXT NOT NULL,
    published_at TEXT NOT NULL
)
"""


def shingling(settings: DedupSettings) -> str:
    """MinHashes compare only when made the same way."""
    return f"words{settings.word_ngram}-chars{settings.char_ngram}-perm{settings.num_perm}-seed1-{SCHEME}"


def store_path(out: Path) -> Path:
    return out / "dedup.sqlite"


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(_SCHEMA)
    return db


def earlier_documents(out: Path, settings: DedupSettings) -> Iterator[Earlier]:
    """Documents earlier runs published, in the order they were stored (MinHash only if comparable)."""
    path = store_path(out)
    if not path.exists():
        return
    db = _connect(path)
    try:
        mine = shingling(settings)
        for doc_id, url, exact, minhash, made, run_id in db.execute(
                "SELECT doc_id, url, exact, minhash, shingling, run_id FROM published ORDER BY rowid"):
            yield Earlier(doc_id, url, exact, minhash if made == mine else None, run_id)
    finally:
        db.close()


def remember(out: Path, run_id: str, published: Iterable[Signature], replaced: Iterable[str],
             settings: DedupSettings) -> int:
    """After the run committed: add its published documents, drop those their new versions replaced."""
    rows = [(s.doc_id, s.url, s.exact, s.minhash, shingling(settings), run_id,
             datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")) for s in published]
    db = _connect(store_path(out))
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM published WHERE doc_id = ?", [(d,) for d in replaced])
            db.executemany("INSERT OR REPLACE INTO published VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.close()
    return len(rows)
