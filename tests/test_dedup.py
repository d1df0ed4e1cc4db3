"""Duplicate documents and site boilerplate, through `sieve run` as a user runs it (README, "Deduplication"):
copies rejected with the record they copy, whatever the worker count, across runs, and short lines that
recur on many pages of one site cut with the accounting kept exact."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import opencc
import pytest

from config import DedupSettings
from flows.cli import main
from tasks.dedup.boilerplate import site_boilerplate
from tasks.dedup.index import find_copies
from tasks.dedup.signature import ShortLine, Signature, minhash_bytes, minhash_of, text_hash
from tasks.output.publish import iter_records
from tests.fixtures.articles import BEEKEEPING_EN, RAIL_ZH_HANT

HTML = Path(__file__).resolve().parent / "fixtures" / "html"


def _run(pages: Path, out: Path, tmp: Path, workers: int = 1, **dedup: object) -> None:
    config = tmp / "config.yaml"
    lines = ["languages: [en, zh]", "publish:", "  shard_size: 2", "dedup:"]
    lines += [f"  {k}: {json.dumps(v)}" for k, v in dedup.items()] or ["  enabled: true"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", str(pages), "--out", str(out), "--config", str(config), "--workers", str(workers)]) == 0


def _by_name(out: Path) -> dict[str, dict]:
    return {Path(r["source"]["uri"]).name: r for r in iter_records(out)}


def _edit_words(paragraphs: list[str], every: int) -> list[str]:
    """Every `every`-th word replaced: a copy lightly edited."""
    out, n = [], 0
    for para in paragraphs:
        words = para.split(" ")
        for i in range(len(words)):
            n += 1
            if n % every == 0:
                words[i] = "changed"
        out.append(" ".join(words))
    return out


def _write(folder: Path, name: str, paragraphs: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(paragraphs) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def copies_run(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    tmp = tmp_path_factory.mktemp("copies")
    pages = tmp / "pages"
    _write(pages, "a_bees.txt", BEEKEEPING_EN)
    _write(pages, "b_bees_copy.txt", [*BEEKEEPING_EN, ""])  # the same text, other bytes
    _write(pages, "c_bees_edited.txt", _edit_words(BEEKEEPING_EN, 25))  # 4 % of the words changed
    _write(pages, "d_rail_traditional.txt", RAIL_ZH_HANT)
    _write(pages, "e_rail_simplified.txt", [opencc.OpenCC("t2s").convert(p) for p in RAIL_ZH_HANT])
    other = re.findall(r"<p>(.*?)</p>", (HTML / "en_night_bus.html").read_text(encoding="utf-8"))[1:]
    _write(pages, "f_bees_other_story.txt", BEEKEEPING_EN[:3] + other)  # its opening quoted, then its own story
    out = tmp / "out"
    _run(pages, out, tmp)
    return out, _by_name(out)


def test_an_exact_copy_is_rejected_as_duplicate_of_the_first_in_input_order(copies_run):
    _, records = copies_run
    first, copy = records["a_bees.txt"], records["b_bees_copy.txt"]
    assert "reject_reason" not in first
    assert copy["reject_reason"] == "duplicate"
    assert copy["provenance"]["duplicate_of"] == first["id"] and copy["provenance"]["similarity"] == 1.0
    assert first["id"] in copy["error"]


def test_a_lightly_edited_copy_is_a_near_duplicate_with_its_estimated_similarity(copies_run):
    _, records = copies_run
    edited = records["c_bees_edited.txt"]
    assert edited["reject_reason"] == "near_duplicate"
    assert edited["provenance"]["duplicate_of"] == records["a_bees.txt"]["id"]
    assert DedupSettings().threshold <= edited["provenance"]["similarity"] < 1.0


def test_a_simplified_copy_of_a_traditional_text_is_the_same_document_once_normalized(copies_run):
    _, records = copies_run
    assert "reject_reason" not in records["d_rail_traditional.txt"]
    simplified = records["e_rail_simplified.txt"]
    assert simplified["reject_reason"] == "duplicate"
    assert simplified["provenance"]["duplicate_of"] == records["d_rail_traditional.txt"]["id"]


def test_a_page_reusing_some_paragraphs_of_another_is_not_merged_with_it(copies_run):
    _, records = copies_run
    assert "reject_reason" not in records["f_bees_other_story.txt"]


def test_the_report_counts_duplicates_and_near_duplicates(copies_run):
    out, _ = copies_run
    summary = json.loads((out / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["dedup"]["duplicates"] == 2 and summary["dedup"]["near_duplicates"] == 1
    assert summary["rejected_by_reason"]["duplicate"] == 2 and summary["rejected_by_reason"]["near_duplicate"] == 1
    assert summary["documents"] == summary["published"] + summary["rejected"] == 6
    assert "near_duplicate" in (out / "reports" / "summary.md").read_text(encoding="utf-8")


def test_inspect_on_a_duplicate_shows_the_record_it_duplicates(copies_run, capsys):
    out, records = copies_run
    capsys.readouterr()
    assert main(["inspect", records["c_bees_edited.txt"]["id"], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    first = records["a_bees.txt"]
    assert f"duplicate of {first['id']}" in shown and "a_bees.txt" in shown
    assert "rooftops" in shown.split(f"duplicate of {first['id']}", 1)[1]


def test_results_are_identical_document_for_document_with_one_and_two_workers(copies_run, tmp_path):
    _, one = copies_run
    _run(copies_run[0].parent / "pages", tmp_path / "out2", tmp_path, workers=2)
    two = _by_name(tmp_path / "out2")

    def outcome(records: dict[str, dict]) -> dict[str, tuple]:
        return {name: (r["id"], r.get("reject_reason"), r["provenance"].get("duplicate_of"),
                       r["provenance"].get("similarity"), r["text"]) for name, r in records.items()}

    assert outcome(one) == outcome(two)


def test_across_runs_copies_of_earlier_publications_are_not_republished_and_a_changed_page_follows_on_changed(
        tmp_path):
    pages, out = tmp_path / "pages", tmp_path / "out"
    _write(pages, "bees.txt", BEEKEEPING_EN)
    _write(pages, "rail.txt", RAIL_ZH_HANT)
    _run(pages, out, tmp_path)
    first = _by_name(out)
    assert all("reject_reason" not in r for r in first.values())

    _write(pages, "bees.txt", _edit_words(BEEKEEPING_EN, 30))  # the same page, changed a little
    _write(pages, "harbour.txt", [  # something new, so the run publishes (and its corpus becomes current)
        "The harbour authority will dredge the eastern channel this winter so that larger ferries can dock "
        "at low tide.",
        "Fishermen asked for the work to wait until the herring season ends, and the authority agreed to start in "
        "January, when fewer boats use the channel and the silt can be moved without disturbing spawning grounds.",
        "The sediment will be tested for metals before it is carried out to sea, a condition of the permit."])
    _run(pages, out, tmp_path, on_changed="keep")
    kept = _by_name(out)
    assert kept["rail.txt"]["reject_reason"] == "duplicate"
    assert kept["rail.txt"]["provenance"]["duplicate_of_run"] == first["rail.txt"]["provenance"]["run_id"]
    assert kept["bees.txt"]["reject_reason"] == "near_duplicate"
    assert kept["bees.txt"]["provenance"]["duplicate_of"] == first["bees.txt"]["id"]

    _run(pages, out, tmp_path, on_changed="replace")
    replaced = _by_name(out)
    assert "reject_reason" not in replaced["bees.txt"] and replaced["bees.txt"]["id"] != first["bees.txt"]["id"]
    with sqlite3.connect(out / "dedup.sqlite") as db:
        stored = {row[0] for row in db.execute("SELECT doc_id FROM published")}
    assert stored == {replaced["bees.txt"]["id"], first["rail.txt"]["id"], kept["harbour.txt"]["id"]}

    _run(pages, out, tmp_path, across_runs=False)
    assert all("reject_reason" not in r for r in _by_name(out).values())


def _site_page(name: str, host: str, shared: str | None) -> str:
    paragraphs = re.findall(r"<p>(.*?)</p>", (HTML / f"{name}.html").read_text(encoding="utf-8"))
    if shared:
        paragraphs.insert(3, shared)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{name}</title>'
            f'<link rel="canonical" href="https://www.{host}/{name}"></head>'
            f"<body><main><article><h1>{name}</h1>{body}</article></main></body></html>")


def test_a_short_line_on_many_pages_of_one_site_is_cut_as_site_boilerplate_and_accounted(tmp_path):
    pages, out = tmp_path / "pages", tmp_path / "out"
    pages.mkdir()
    names = ["en_night_bus", "en_meteor_shower", "en_first_telescope", "en_sourdough_bread", "en_tomatoes_garden"]
    line = "Sign up for the morning briefing from our newsroom."
    for k, name in enumerate(names):  # the line on four pages of one site; the fifth page is another site's
        host = "courier.example" if k < 4 else "gazette.example"
        (pages / f"{name}.html").write_text(_site_page(name, host, line), encoding="utf-8")
    _run(pages, out, tmp_path)
    records = _by_name(out)
    for k, name in enumerate(names):
        record = records[f"{name}.html"]
        assert "reject_reason" not in record
        cut = [r for r in record["provenance"]["removed"] if r["reason"] == "site_boilerplate"]
        chars = record["provenance"]["chars"]
        assert chars["extracted"] == chars["kept"] + chars["removed"]
        assert chars["published"] == len(record["text"])
        if k < 4:
            assert line not in record["text"] and [r["snippet"] for r in cut] == [line]
            assert cut[0]["paragraph"] is not None and cut[0]["chars"] == len(line)
        else:  # the same line once on another site is content
            assert line in record["text"] and not cut
    summary = json.loads((out / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["removed_spans_by_reason"]["site_boilerplate"] == 4


def _signature(doc_id: str, text: str, host: str | None = None, lines: tuple[ShortLine, ...] = (),
               part: str = "00000", position: int = 0) -> Signature:
    settings = DedupSettings()
    return Signature(doc_id, part, position, f"file:///{doc_id}", host, text_hash(text),
                     minhash_bytes(minhash_of(text, settings)), lines)


def test_a_line_is_never_site_boilerplate_on_a_single_page_or_below_the_page_threshold():
    line = ShortLine(0, 42, 0, 0, 10, 10)
    three = [_signature(f"d{k}", f"text {k}", "site.example", (line,)) for k in range(3)]
    assert site_boilerplate(three, min_pages=4) == {}
    assert set(site_boilerplate(three, min_pages=3)) == {"d0", "d1", "d2"}
    assert site_boilerplate(three[:1], min_pages=0) == {}
    with pytest.raises(ValueError, match="single page"):
        DedupSettings(boilerplate_min_pages=1)


def test_decisions_keep_the_first_copy_in_input_order_whatever_order_signatures_arrive_in():
    text = "\n".join(BEEKEEPING_EN)
    sigs = [_signature("late", text, part="00001", position=0), _signature("early", text, part="00000", position=3)]
    from tasks.dedup.index import input_order  # noqa: PLC0415

    for arrival in (sigs, sigs[::-1]):
        decisions = find_copies(input_order(arrival), [], DedupSettings())
        assert list(decisions.copies) == ["late"] and decisions.copies["late"].duplicate_of == "early"


def test_a_changed_page_replaces_its_older_self_only_when_it_copies_nothing_else():
    from tasks.dedup.index import Earlier  # noqa: PLC0415

    text = "\n".join(BEEKEEPING_EN)
    edited = "\n".join(_edit_words(BEEKEEPING_EN, 30))
    old = _signature("old", text)
    earlier = [Earlier("old", "file:///page", old.exact, old.minhash, "run-1")]
    new = _signature("new", edited)
    new = Signature("new", new.part, 0, "file:///page", None, new.exact, new.minhash, ())
    replace, keep = DedupSettings(on_changed="replace"), DedupSettings(on_changed="keep")
    assert find_copies([new], earlier, replace).replaced == ["old"]
    assert find_copies([new], earlier, replace).copies == {}
    kept = find_copies([new], earlier, keep)
    assert kept.copies["new"].duplicate_of == "old" and kept.copies["new"].earlier_run == "run-1"
    # A mirror of the old text at another URL is still published: the changed page copies it.
    mirror = Earlier("mirror", "file:///mirror", old.exact, old.minhash, "run-1")
    both = find_copies([new], [earlier[0], mirror], replace)
    assert both.copies["new"].duplicate_of == "mirror" and both.replaced == []


def test_running_the_same_pages_again_keeps_the_published_corpus_current(tmp_path):
    """Nothing new to publish (every page a duplicate of what the first run published) must not replace
    a good corpus by an empty one: the run warns, and OUT/current stays on the first run."""
    pages, out = tmp_path / "pages", tmp_path / "out"
    _write(pages, "bees.txt", BEEKEEPING_EN)
    _run(pages, out, tmp_path)
    first = (out / "current").resolve()
    _run(pages, out, tmp_path)
    assert (out / "current").resolve() == first
    assert all("reject_reason" not in r for r in _by_name(out).values())
