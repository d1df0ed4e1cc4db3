"""Reading and decoding bad input: every file either becomes correct text or a
rejected document that says why (`reject_reason`) in words (`error`).

Fixtures are generated here under tmp_path; the article paragraphs come from
the HTML test set (tests/fixtures/html/gold.json) so that the pages read like
real text and pass the cleaner.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import time
import tracemalloc
from pathlib import Path

import opencc
import pytest

from config import Settings, load_settings
from tasks.inputs.read import iter_input_files, read_file
from tasks.record import Document
from tasks.stages.decode import decode
from tasks.stages.document import process_document

GOLD = json.loads((Path(__file__).parent / "fixtures/html/gold.json").read_text(encoding="utf-8"))
ENGLISH = GOLD["en_tomatoes_garden.html"]["paragraphs"]
SIMPLIFIED = GOLD["zh_hans_balcony_vegetables.html"]["paragraphs"]
TRADITIONAL = GOLD["zh_hant_lunar_eclipse.html"]["paragraphs"]
JAPANESE = [
    "東京の郊外を走る路線バスは、この春から深夜の便を増やすことになった。駅から離れた住宅地に住む人にとって、終電のあとに帰る手段が増えるのは大きな変化だ。",
    "運行会社によると、平日の夜十一時以降に駅前のバス停で待つ乗客は、ここ数年で二倍近くに増えている。医療や物流の仕事で帰りが遅くなる人が多いという。",
    "新しいダイヤでは、最終便の出発を三十分遅らせ、さらに金曜日と土曜日には深夜一時台の臨時便を走らせる。料金は昼間と同じで、交通系のカードも使える。",
    "一方で、運転手の確保は簡単ではない。会社は勤務時間の短い働き方を用意し、子育て中の人や定年後の人にも応募してもらえるよう説明会を開いている。",
    "地元の商店街は、遅い時間まで営業する店が客を呼び込みやすくなると期待している。利用者の声を聞きながら、秋には路線全体の見直しも行う予定だ。",
]
T2S = opencc.OpenCC("t2s").convert


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


def html_page(paragraphs: list[str], meta_charset: str | None = None, lang: str = "en") -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<!DOCTYPE html>\n<html lang="{lang}"><head>{meta}<title>Page</title></head>\n' \
           f"<body><article>\n{body}\n</article></body></html>\n"


def run(path: Path, settings: Settings) -> Document:
    return process_document(read_file(path, settings.read), settings)


def assert_rejected_with_words(doc: Document, reason: str, keeps_text: bool = False) -> None:
    """Rejected with a readable reason; input that could not be read publishes no text, while a
    document rejected by its verdict keeps its cleaned text in rejected/ so the verdict can be checked."""
    assert doc.reject_reason == reason, (doc.reject_reason, doc.error)
    assert isinstance(doc.error, str) and doc.error.strip(), f"{reason}: no error text"
    assert doc.error.isprintable(), f"{reason}: error text is not readable: {doc.error!r}"
    assert bool(doc.published_text) == keeps_text


# --- empty, binary, broken UTF-8 ---------------------------------------------------------------

def test_empty_file_is_rejected_as_empty(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    assert_rejected_with_words(run(path, settings), "empty")


def test_whitespace_only_file_is_rejected_as_empty(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\r\n\t  \n")
    assert_rejected_with_words(run(path, settings), "empty")


def test_binary_file_with_an_html_name_is_rejected_as_binary(tmp_path: Path, settings: Settings) -> None:
    rng = random.Random(7)
    path = tmp_path / "photo.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(20_000)))
    doc = run(path, settings)
    assert_rejected_with_words(doc, "binary")
    assert doc.source.sha256 and doc.source.size == path.stat().st_size


def test_utf8_page_with_a_few_bad_bytes_is_kept_as_utf8_with_replacement_characters(
        tmp_path: Path, settings: Settings) -> None:
    raw = "\n".join(ENGLISH).encode("utf-8")
    cut = raw.index(b"allotment committee")
    raw = raw[:cut] + b"\xff\xfe" + raw[cut:cut + 200] + b"\xc3(" + raw[cut + 200:]
    path = tmp_path / "broken.txt"
    path.write_bytes(raw)
    doc = run(path, settings)
    assert doc.reject_reason is None, (doc.reject_reason, doc.error)
    assert doc.source.encoding == "utf-8"
    assert "\ufffd" in doc.text
    assert {"name": "decode", "library": doc.steps[0]["library"], "parameters": {"how": "utf-8-repaired"}} \
        in doc.steps
    assert ENGLISH[-1] in doc.published_text  # the text around the bad bytes survives intact


def test_mostly_garbage_bytes_are_rejected_as_undecodable_with_the_count_of_bad_sequences(
        tmp_path: Path, settings: Settings) -> None:
    rng = random.Random(11)
    garbage = bytes(rng.randrange(0x80, 0x100) for _ in range(6000))
    path = tmp_path / "garbage.txt"
    path.write_bytes(ENGLISH[0].encode() + b"\n" + garbage)
    doc = run(path, settings)
    assert_rejected_with_words(doc, "undecodable")
    assert "bad sequences" in doc.error


# --- legacy Chinese and Japanese encodings, UTF-16 ---------------------------------------------

def test_gbk_page_without_declared_charset_decodes_to_simplified_chinese(
        tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "gbk.html"
    path.write_bytes(html_page(SIMPLIFIED, lang="zh").encode("gbk"))
    doc = run(path, settings)
    assert doc.reject_reason is None, (doc.reject_reason, doc.error)
    assert doc.source.encoding in {"gb18030", "gbk", "gb2312"}
    assert doc.lang == "zh"
    for para in SIMPLIFIED:
        assert para in doc.text
    assert SIMPLIFIED[1] in doc.published_text


def test_gbk_page_declaring_gb2312_in_meta_decodes_with_the_superset(
        tmp_path: Path, settings: Settings) -> None:
    # "镕" is in GBK but not in GB2312: browsers read a gb2312 label as GBK/GB18030.
    visit = "朱镕基曾经到这个小区参观过阳台菜园，鼓励居民继续种植各种蔬菜，并和王阿姨交流了堆肥的经验。"
    paragraphs = [*SIMPLIFIED, visit]
    path = tmp_path / "gb2312.html"
    path.write_bytes(html_page(paragraphs, meta_charset="gb2312", lang="zh").encode("gbk"))
    doc = run(path, settings)
    assert doc.reject_reason is None, (doc.reject_reason, doc.error)
    assert doc.source.encoding == "gb2312"
    assert "朱镕基" in doc.text


@pytest.mark.parametrize("meta", [None, "gbk"])
def test_gbk_page_served_with_a_default_latin_charset_is_not_read_as_latin(meta: str | None) -> None:
    """A server's default `charset=ISO-8859-1` on a GBK page would give mojibake ("Ð¡Çø"): the label
    is not trusted when its text has long runs of Latin-1 letters; the page's own meta or detection decide."""
    raw = html_page(SIMPLIFIED, meta_charset=meta, lang="zh").encode("gbk")
    decoded = decode(raw, "ISO-8859-1", html=True)
    assert decoded.how == ("meta" if meta else "detected")
    assert all(p in decoded.text for p in SIMPLIFIED)


def test_a_latin1_page_served_as_latin1_stays_latin1() -> None:
    french = ["Le café de la Forêt a été fermé pour l'été; la Größe über Ærø reste à découvrir.",
              "\u00a0" * 8 + "Menu" + "¯" * 12]
    decoded = decode(html_page(french, lang="fr").encode("latin-1"), "iso-8859-1", html=True)
    assert (decoded.how, decoded.encoding) == ("declared", "iso-8859-1")
    assert french[0] in decoded.text


def test_big5_page_without_declared_charset_decodes_to_traditional_chinese(
        tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "big5.txt"
    path.write_bytes("\n".join(TRADITIONAL).encode("big5"))
    doc = run(path, settings)
    assert doc.reject_reason is None, (doc.reject_reason, doc.error)
    assert doc.source.encoding.startswith("big5")
    assert doc.lang == "zh" and doc.source_script == "Hant"
    for para in TRADITIONAL:
        assert para in doc.text  # decoded exactly, in the source's script
    assert T2S(TRADITIONAL[2]) in doc.published_text  # published in simplified (normalize.opencc zh: t2s)


def test_shift_jis_page_decodes_to_japanese(tmp_path: Path) -> None:
    settings = Settings(languages=["en", "zh", "ja"])
    path = tmp_path / "sjis.txt"
    path.write_bytes("\n".join(JAPANESE).encode("shift_jis"))
    doc = run(path, settings)
    assert doc.source.encoding in {"shift_jis", "cp932", "shift-jis"}
    for para in JAPANESE:
        assert para in doc.text
    assert doc.lang == "ja"
    assert doc.reject_reason is None, (doc.reject_reason, doc.error)


def test_shift_jis_page_outside_the_published_languages_is_rejected_with_words(
        tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "sjis.txt"
    path.write_bytes("\n".join(JAPANESE).encode("shift_jis"))
    doc = run(path, settings)
    assert doc.text and JAPANESE[0] in doc.text
    assert_rejected_with_words(doc, "language_ja", keeps_text=True)
    assert "ja" in doc.error


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_page_with_bom_decodes(tmp_path: Path, settings: Settings, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "utf16.html"
    path.write_bytes(bom + html_page(TRADITIONAL, lang="zh").encode(codec))
    doc = run(path, settings)
    assert doc.reject_reason is None, (doc.reject_reason, doc.error)
    assert doc.source.encoding == "utf-16"
    assert doc.steps[0]["parameters"] == {"how": "bom"}
    assert T2S(TRADITIONAL[0]) in doc.published_text


# --- size ---------------------------------------------------------------------------------------

def test_50_mb_file_is_rejected_as_too_large_quickly_without_holding_it_in_memory(
        tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "huge.html"
    block = (html_page(ENGLISH).encode() * 1000)[: 1 << 20]
    with path.open("wb") as fh:
        for _ in range(50):
            fh.write(block)
    assert path.stat().st_size == 50 << 20
    tracemalloc.start()
    started = time.perf_counter()
    try:
        doc = run(path, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert_rejected_with_words(doc, "too_large")
    assert str(50 << 20) in doc.error and str(settings.read.max_bytes) in doc.error
    assert doc.raw is None and doc.text is None
    assert doc.source.size == 50 << 20 and len(doc.source.sha256) == 64  # hashed whole, for provenance
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert peak < 8 << 20, f"peak traced memory {peak / 1e6:.1f} MB for a 50 MB file"


def test_file_just_under_the_limit_is_read_whole(tmp_path: Path) -> None:
    settings = Settings(read={"max_bytes": 3_000})
    text = "\n".join(ENGLISH).encode()[:2_990]
    path = tmp_path / "limit.txt"
    path.write_bytes(text)
    doc = read_file(path, settings.read)
    assert doc.reject_reason is None and doc.raw == text


# --- many files -------------------------------------------------------------------------------

def test_directory_of_10000_small_files_is_enumerated_sorted_without_hidden_files_and_read(
        tmp_path: Path, settings: Settings) -> None:
    started = time.perf_counter()
    root = tmp_path / "pages"
    root.mkdir()
    names = [f"page_{i:05d}.txt" for i in range(10_000)]
    order = list(range(10_000))
    random.Random(3).shuffle(order)  # created out of order: the listing must sort
    for i in order:
        body = "\n".join(ENGLISH[(i + k) % len(ENGLISH)] for k in range(4))
        (root / names[i]).write_text(f"Garden note number {i}.\n{body}\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("hidden file\n")
    (root / ".cache").mkdir()
    (root / ".cache" / "page_x.txt").write_text("inside a hidden folder\n")
    (root / "gold.json").write_text("{}")  # not an input type inside a folder
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").write_text("b\n")
    (root / "sub" / "a.html").write_text("<p>a</p>\n")

    found = list(iter_input_files([root], settings.read))
    assert found == [root / n for n in names] + [root / "sub" / "a.html", root / "sub" / "b.txt"]

    docs = [read_file(p, settings.read) for p in found[:10_000]]
    assert all(d.reject_reason is None and d.raw for d in docs)
    assert len({d.source.sha256 for d in docs}) == 10_000
    assert len({d.id for d in docs}) == 10_000
    for i in range(0, 10_000, 500):  # a spread sample through every stage
        doc = process_document(docs[i], settings)
        assert doc.reject_reason is None, (i, doc.reject_reason, doc.error)
        assert doc.lang == "en" and ENGLISH[i % len(ENGLISH)] in doc.published_text
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"10,000 files took {elapsed:.1f}s"


def test_unreadable_path_becomes_a_rejected_document(tmp_path: Path, settings: Settings) -> None:
    doc = run(tmp_path / "missing.html", settings)
    assert_rejected_with_words(doc, "unreadable")
    assert "FileNotFoundError" in doc.error


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_file_without_read_permission_becomes_a_rejected_document(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("\n".join(ENGLISH))
    path.chmod(0)
    try:
        assert_rejected_with_words(run(path, settings), "unreadable")
    finally:
        path.chmod(0o644)
