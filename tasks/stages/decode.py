"""Bytes to text, with the encoding found rather than assumed.

Order of trust: a byte-order mark, the charset the transport declared (unless it is a
server's default Latin label that turns the page into mojibake), a `<meta>` charset in
HTML, strict UTF-8, then charset-normalizer's detection.
Bytes that are not text are refused with a reason instead of becoming mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Declared names that browsers treat as their supersets (WHATWG encoding spec).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
              "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "iso-8859-1": "cp1252",
              "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}
# Labels servers send by default (Apache's AddDefaultCharset, ASCII): a page in a multi-byte encoding
# read through one comes out as runs of Latin-1 letters and signs ("Ð¡Çø"). Such a label is trusted only
# when the text it gives has no run of six or more of U+00A1-U+00FF with at least four different ones
# (real Latin text has them one or two at a time; a rule of "¯¯¯¯¯¯" or no-break spaces is one sign).
_DEFAULT_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "cp1252", "windows-1252", "ascii",
                   "us-ascii"}
_LATIN1_RUN = re.compile(r"[\u0080-\u009f\u00a1-\u00ff]{6,}+")
# UTF-8 with at most this share of invalid bytes is kept as UTF-8 (bad bytes replaced).
_MAX_INVALID_UTF8_SHARE = 0.01
# C0 controls other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32))


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can trust; `reason` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    how: str  # bom | declared | meta | utf-8 | utf-8-repaired | detected


def looks_binary(raw: bytes) -> bool:
    head = raw[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # counted in C, not per byte in Python
    return controls > len(head) * 0.05


def _try(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(_SUPERSETS.get(encoding.lower(), encoding))
    except (LookupError, UnicodeDecodeError):
        return None


def misdeclared(label: str, text: str) -> bool:
    """A server's default Latin label on a page it does not fit (the text reads as mojibake): then the
    page's own `<meta>`, strict UTF-8 or detection decide, as when nothing was declared."""
    return label.lower() in _DEFAULT_LABELS and any(len(set(m.group())) >= 4 for m in _LATIN1_RUN.finditer(text))


def decode(raw: bytes, declared: str | None = None, html: bool = False) -> Decoded:
    if not raw.strip():
        raise DecodeError("empty", "no bytes or only whitespace")
    for bom, name in _BOMS:
        if raw.startswith(bom):
            text = _try(raw, name)
            if text is not None:
                return Decoded(text, name.replace("-sig", ""), "bom")
    if looks_binary(raw):
        raise DecodeError("binary", "NUL or control bytes: not a text page")
    if declared and (text := _try(raw, declared)) is not None and not misdeclared(declared, text):
        return Decoded(text, declared.lower(), "declared")
    if html and (m := _META_CHARSET.search(raw[:4096])):
        name = m.group(1).decode("ascii", "ignore")
        if (text := _try(raw, name)) is not None:
            return Decoded(text, name.lower(), "meta")
    if (text := _try(raw, "utf-8")) is not None:
        return Decoded(text, "utf-8", "utf-8")
    repaired = raw.decode("utf-8", errors="replace")
    bad = repaired.count("\ufffd")
    if bad <= max(1, len(raw) * _MAX_INVALID_UTF8_SHARE):
        return Decoded(repaired, "utf-8", "utf-8-repaired")
    best = charset_normalizer.from_bytes(raw[:200_000]).best()
    if best is not None and (text := _try(raw, best.encoding)) is not None:
        return Decoded(text, best.encoding.replace("_", "-"), "detected")
    raise DecodeError("undecodable", f"not valid UTF-8 ({bad} bad sequences) and no encoding detected")
