"""Which published documents are copies: exact (same normalized text) or near (MinHash LSH).

Deterministic whatever the worker count: documents are considered in one documented
order (documents published by earlier runs first, then this run's in input order:
part label, then position in the part), and the first of a group is the one kept.
A later document is a copy of the most similar kept document (ties: the earliest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from config import DedupSettings
from tasks.dedup.signature import SCHEME, Signature

_SEED = 1
LSH_SHARE = 0.8


@dataclass(frozen=True)
class Earlier:
    """A document an earlier run published (from the store, tasks/dedup/store.py)."""

    doc_id: str
    url: str
    exact: str
    minhash: bytes | None  # None when made with other MinHash settings: only exact copies are found
    run_id: str


@dataclass(frozen=True)
class Copy:
    """A document not to publish: `reason` duplicate or near_duplicate, of `duplicate_of`."""

    doc_id: str
    reason: str
    duplicate_of: str
    similarity: float
    earlier_run: str | None = None  # the run that published `duplicate_of`, when not this one


@dataclass
class Decisions:
    copies: dict[str, Copy] = field(default_factory=dict)
    # Earlier documents whose URL now has a changed version that replaces them (dedup.on_changed=replace).
    replaced: list[str] = field(default_factory=list)

    def kept(self, signatures: Iterable[Signature]) -> list[Signature]:
        return [s for s in signatures if s.doc_id not in self.copies]


def input_order(signatures: Iterable[Signature]) -> list[Signature]:
    return sorted(signatures, key=lambda s: (s.part, s.position))


class _Index:
    """Kept documents so far: exact keys, LSH over MinHashes, URLs of earlier documents."""

    def __init__(self, settings: DedupSettings) -> None:
        # Candidates are gathered for recall (LSH bands for 0.8 x the threshold, false negatives weighted 4 to 1:
        # a pair right at the threshold is a candidate ~98 % of the time) and then kept only when their
        # estimated similarity reaches the threshold.
        self.lsh = MinHashLSH(threshold=LSH_SHARE * settings.threshold, num_perm=settings.num_perm,
                              weights=(0.2, 0.8))
        self.values: dict[int, np.ndarray] = {}
        self.exact: dict[str, int] = {}
        self.exact_of: dict[int, str] = {}
        self.urls: dict[int, str] = {}
        self.runs: dict[int, str] = {}
        self.doc_ids: dict[int, str] = {}

    def add(self, key: int, exact: str, values: np.ndarray | None) -> None:
        self.exact.setdefault(exact, key)
        self.exact_of[key] = exact
        if values is not None:
            self.values[key] = values
            self.lsh.insert(key, LeanMinHash(seed=_SEED, hashvalues=values, scheme=SCHEME))

    def drop(self, key: int) -> None:
        exact = self.exact_of.pop(key, None)
        if exact is not None and self.exact.get(exact) == key:
            del self.exact[exact]
        if self.values.pop(key, None) is not None:
            self.lsh.remove(key)

    def similar(self, values: np.ndarray, threshold: float) -> list[tuple[float, int]]:
        """Kept documents at or above `threshold` estimated similarity, most similar (then earliest) first."""
        found = []
        for key in self.lsh.query(LeanMinHash(seed=_SEED, hashvalues=values, scheme=SCHEME)):
            sim = float(np.count_nonzero(self.values[key] == values)) / len(values)
            if sim >= threshold:
                found.append((sim, key))
        return sorted(found, key=lambda f: (-f[0], f[1]))


def find_copies(signatures: Iterable[Signature], earlier: Iterable[Earlier], settings: DedupSettings) -> Decisions:
    """Decide, over signatures in input order (see `input_order`), which documents are copies."""
    index, decisions = _Index(settings), Decisions()
    earlier = list(earlier)
    for n, e in enumerate(earlier):  # keys 0..: before everything of this run, in the store's order
        key = n
        values = None if e.minhash is None else np.frombuffer(e.minhash, dtype=np.uint32)
        if values is not None and len(values) != settings.num_perm:
            values = None
        index.add(key, e.exact, values)
        index.urls[key], index.runs[key], index.doc_ids[key] = e.url, e.run_id, e.doc_id
    for n, sig in enumerate(signatures, start=len(earlier)):
        key = n  # small int keys: the LSH holds one per band per document
        values = np.frombuffer(sig.minhash, dtype=np.uint32)
        if (first := index.exact.get(sig.exact)) is not None:
            decisions.copies[sig.doc_id] = _copy(sig, "duplicate", first, 1.0, index)
            continue
        similar = index.similar(values, settings.threshold)
        # The same page, changed a little since an earlier run published it: with "replace" its older self is
        # no reason to reject it (another similar document still is), and the new version takes its place.
        older = [other for _, other in similar if index.urls.get(other) == sig.url]
        if settings.on_changed == "replace":
            similar = [(sim, other) for sim, other in similar if other not in older]
        if similar:
            sim, other = similar[0]
            decisions.copies[sig.doc_id] = _copy(sig, "near_duplicate", other, sim, index)
            continue
        for other in older:
            decisions.replaced.append(index.doc_ids[other])
            index.drop(other)
        index.add(key, sig.exact, values)
        index.doc_ids[key] = sig.doc_id
    return decisions


def _copy(sig: Signature, reason: str, of: int, similarity: float, index: _Index) -> Copy:
    return Copy(sig.doc_id, reason, index.doc_ids[of], round(similarity, 4), index.runs.get(of))
