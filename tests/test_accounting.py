"""Nothing is lost: every extracted character is either published or removed
with a reason, and the published text is the kept text normalized."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings
from tasks.inputs.read import read_file
from tasks.stages.document import process_document
from tasks.stages.normalize import normalize_paragraph

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


@pytest.mark.parametrize("page", SEEDS, ids=lambda p: p.name[:3])
def test_published_plus_removed_equals_extracted(page):
    settings = Settings()
    doc = process_document(read_file(page, settings.read), settings)
    chars = doc.char_accounting()
    assert chars["extracted"] == chars["kept"] + chars["removed"]
    assert all(r.reason and r.rule and r.chars > 0 for r in doc.removed)
    config = settings.normalize.opencc.get(doc.lang, None)
    expected = [normalize_paragraph(p, doc.lang == "zh", config, "NFC") for p in doc.kept_paragraphs]
    assert doc.published_text == "\n".join(p for p in expected if p)


@pytest.mark.parametrize("page", SEEDS, ids=lambda p: p.name[:3])
def test_removed_spans_point_at_the_text_they_removed(page):
    settings = Settings()
    doc = process_document(read_file(page, settings.read), settings)
    for r in doc.removed:
        if r.paragraph is None:
            continue
        original = doc.paragraphs[r.paragraph].original
        assert 0 <= r.start < r.end <= len(original)
        assert r.snippet.rstrip("…")[:20] in original[r.start:r.end] or r.chars < r.end - r.start
