"""A published document's dedup signature: small, picklable, computed in the worker.

The flow decides duplicates from signatures alone (tasks/dedup/index.py), so
its memory grows with the number of documents, not with their text: per
document a MinHash (`num_perm` 32-bit values), a hash of the normalized text and
the place of each short line (a site-boilerplate candidate).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
from datasketch import MinHash

from config import DedupSettings
from tasks.record import Document

# Anything that is not a letter or a digit (punctuation, spaces, symbols) is ignored by the hashes:
# two copies that differ only in spacing or punctuation width are the same text.
_NOT_WORD = re.compile(r"[\W_]+")
_LETTER = re.compile(r"[^\W\d_]")
# Han, kana and Hangul syllables: written without spaces between words, so shingled by characters.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_MINHASH_SEED = 1
# Shingles are fingerprinted with CRC-32 (C speed; a tenth of datasketch's default SHA-1 per shingle) before
# datasketch's random affine permutations: distinct shingles collide with chance ~2**-32 either way.
# datasketch's 32-bit affine permutations (its default since 2.0): values are uint32, 4 bytes each.
SCHEME = "affine32"


@dataclass(frozen=True)
class ShortLine:
    """A published line short enough to be site boilerplate, and where it sits in the extracted text
    (the span a removal of it records: paragraph index, original offsets, kept characters)."""

    line: int
    hash: int
    paragraph: int
    start: int
    end: int
    chars: int


@dataclass(frozen=True)
class Signature:
    """What the flow needs to decide whether a published document is a copy."""

    doc_id: str
    part: str  # the part label the record was written to; with `position`, the document's input order
    position: int
    url: str
    host: str | None
    exact: str  # hash of the normalized text: equal for copies equal up to case, spacing, punctuation, line breaks
    minhash: bytes  # uint32 hash values, `num_perm` of them
    short_lines: tuple[ShortLine, ...]

    def minhash_object(self) -> MinHash:
        return minhash_from_bytes(self.minhash)


def normalized(text: str) -> str:
    """Case-folded NFKC text with only letters and digits, words separated by one space."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def text_hash(text: str, is_normalized: bool = False) -> str:
    """The exact-duplicate key: a hash of the normalized text (96 bits)."""
    norm = text if is_normalized else normalized(text)
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=12).hexdigest()


def is_cjk(text: str, share: float = 0.3, sample: int = 2000) -> bool:
    """True when at least `share` of the letters (of the first `sample` characters) are Han, kana or Hangul:
    text written without spaces between words."""
    head = text[:sample]
    letters = len(_LETTER.findall(head))
    return bool(letters) and len(_CJK.findall(head)) >= share * letters


def shingles(text: str, word_ngram: int, char_ngram: int, is_normalized: bool = False) -> list[bytes]:
    """Word n-grams for space-separated text, character n-grams (spaces dropped) for Chinese and Japanese."""
    norm = text if is_normalized else normalized(text)
    if is_cjk(norm):
        chars = norm.replace(" ", "")
        n = char_ngram
        grams = {chars[i:i + n] for i in range(max(1, len(chars) - n + 1))}
    else:
        words = norm.split()
        n = word_ngram
        grams = {" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}
    return [g.encode("utf-8") for g in grams if g]


def minhash_of(text: str, settings: DedupSettings, is_normalized: bool = False) -> MinHash:
    mh = MinHash(num_perm=settings.num_perm, seed=_MINHASH_SEED, scheme=SCHEME, hashfunc=zlib.crc32)
    mh.update_batch(shingles(text, settings.word_ngram, settings.char_ngram, is_normalized))
    return mh


def minhash_bytes(mh: MinHash) -> bytes:
    return np.asarray(mh.hashvalues, dtype=np.uint32).tobytes()


def minhash_from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint32)
    return MinHash(num_perm=len(values), seed=_MINHASH_SEED, hashvalues=values, scheme=SCHEME)


def host_of(doc: Document) -> str | None:
    """The site a page belongs to: its URL's host, or for a local HTML file the host its metadata names."""
    if doc.source.kind in ("http", "warc"):
        return urlparse(doc.source.uri).hostname
    return doc.metadata.get("hostname") or None


def short_lines(doc: Document, lines: list[str], max_chars: int) -> tuple[ShortLine, ...]:
    """Published lines of at most `max_chars`, each with its paragraph's kept span. Published lines are the kept
    paragraphs normalized one to one; when they do not line up (a paragraph normalized away) none is offered."""
    kept = [(i, p) for i, p in enumerate(doc.paragraphs) if not p.dropped]
    if len(kept) != len(lines):
        return ()
    out = []
    for k, ((index, para), line) in enumerate(zip(kept, lines, strict=True)):
        if len(line) <= max_chars and (norm := normalized(line)):
            start, end = para.kept_span()
            out.append(ShortLine(k, hash64(norm), index, start, end, len(para.text)))
    return tuple(out)


def signature(doc: Document, part: str, position: int, url: str, settings: DedupSettings) -> Signature:
    """The signature of a published document (`doc.published_text` set)."""
    lines = doc.published_text.split("\n")
    norm = normalized(doc.published_text)
    return Signature(
        doc_id=doc.id, part=part, position=position, url=url, host=host_of(doc),
        exact=text_hash(norm, is_normalized=True),
        minhash=minhash_bytes(minhash_of(norm, settings, is_normalized=True)),
        short_lines=short_lines(doc, lines, settings.boilerplate_max_line_chars))
