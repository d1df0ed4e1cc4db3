"""`sieve eval --html-gold`: word F1 against gold main text, beside trafilatura alone, and the per-rule audit."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from tasks.tools.evaluate_html import Cut, PageResult, RuleAudit, audit_page, gold_pages, prf, words

BODY = ("The river town rebuilt its old stone bridge after the spring flood carried away two arches. "
        "Engineers chose lime mortar because it moves with the stone instead of cracking. ")


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Contact us</footer></body></html>")


def _gold_set(root: Path, pages: dict[str, tuple[str, list[str]]]) -> None:
    (root / "html").mkdir(parents=True)
    (root / "gold").mkdir()
    with (root / "index.jsonl").open("w") as index:
        for pid, (kind, paragraphs) in pages.items():
            (root / "html" / f"{pid}.html.gz").write_bytes(gzip.compress(_page(pid, paragraphs).encode()))
            gold = {"ground_truth": {"main_content": "\n\n".join(paragraphs)}}
            (root / "gold" / f"{pid}.json").write_text(json.dumps(gold))
            index.write(json.dumps({"id": pid, "page_type": kind}) + "\n")


def test_word_f1_is_over_bags_of_lowercased_words_and_an_empty_output_scores_zero() -> None:
    gold = words("The bridge, the BRIDGE and the arches")
    assert prf(words("the bridge the bridge and the arches"), gold) == (1.0, 1.0, 1.0)
    assert prf(words(""), gold) == (0.0, 0.0, 0.0)
    p, r, _ = prf(words("the bridge"), gold)
    assert (p, r) == (1.0, 2 / 7)


def test_han_characters_are_words_one_by_one_and_traditional_counts_as_simplified() -> None:
    """A run of Han characters is a sentence, not a word: scored as WCXB's \\w runs, a Chinese page
    would be all or nothing. Characters are counted as ../shared/tools/score_seeds.py counts them."""
    gold = words("鐵路橋在春汛後重建, 2024 年 Phase_2 完工")
    assert gold["铁"] == 1 and gold["桥"] == 1 and gold["2024"] == 1 and gold["phase_2"] == 1
    p, r, _ = prf(words("铁路桥在春汛后重建"), gold)
    assert p == 1.0 and r == 9 / 14
    assert words("The bridge_work, 2024") == words("the BRIDGE_WORK 2024")  # other scripts: \\w runs, as WCXB


def test_a_page_without_main_content_scores_one_when_nothing_is_published_and_zero_otherwise() -> None:
    """WCXB's evaluate.py: gold with no words is matched only by an empty output."""
    assert prf(words(""), words("")) == (1.0, 1.0, 1.0)
    assert prf(words("Add to cart"), words("")) == (0.0, 0.0, 0.0)


def test_audit_counts_a_cut_of_gold_text_as_content_and_a_second_copy_as_noise() -> None:
    result = PageResult("p", "article", gold="Lime mortar moves with the stone.\nSubscribe now",
                        sieve="Lime mortar moves with the stone.", trafilatura="", reject_reason=None,
                        cuts=[Cut("repeated_paragraph", "Lime mortar moves with the stone.", 33),
                              Cut("after_main_content", "Subscribe now", 13)])
    audits: dict[str, RuleAudit] = defaultdict(RuleAudit)
    audit_page(result, audits)
    assert audits["repeated_paragraph"].noise_chars == 33 and audits["repeated_paragraph"].content_chars == 0
    assert audits["after_main_content"].content_chars == 13 and audits["after_main_content"].precision == 0.0


def test_gold_pages_are_read_in_index_order_filtered_by_type(tmp_path: Path) -> None:
    _gold_set(tmp_path, {"0001": ("article", [BODY]), "0002": ("forum", [BODY]), "0003": ("article", [BODY])})
    assert [p.id for p in gold_pages(tmp_path)] == ["0001", "0002", "0003"]
    assert [p.id for p in gold_pages(tmp_path, ["article"])] == ["0001", "0003"]
    assert [p.id for p in gold_pages(tmp_path, limit=1)] == ["0001"]


def test_sieve_eval_html_gold_prints_f1_per_page_type_beside_trafilatura_and_the_rule_audit(tmp_path: Path) -> None:
    _gold_set(tmp_path / "set", {"0001": ("article", [BODY * 3, BODY * 2]), "0002": ("listing", [BODY * 4]),
                                 "0003": ("listing", ["Lime mortar moves with the stone instead of cracking."])})
    out = tmp_path / "pages.json"
    done = subprocess.run([sys.executable, "-m", "flows.cli", "eval", "--html-gold", str(tmp_path / "set"),
                           "--workers", "1", "--json", str(out)], check=False, capture_output=True, text=True,
                          timeout=300,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if line.count("│") >= 6}
    assert {"all", "article", "listing"} <= set(rows)
    assert "per-rule audit" in done.stdout
    pages = json.loads(out.read_text())
    assert [p["id"] for p in pages] == ["0001", "0002", "0003"]
    assert all(p["sieve"][2] > 0.9 and p["trafilatura"][2] > 0.9 for p in pages[:2])
    # Too short to publish (clean.min_doc_words): 0 as published, its cleaned text scored before the verdicts.
    assert pages[2]["reject_reason"] == "too_short"
    assert pages[2]["sieve"][2] == 0 and pages[2]["unfiltered"][2] >= 0.8


def test_sieve_eval_refuses_a_folder_that_is_not_a_gold_set(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flows.cli", "eval", "--html-gold", str(tmp_path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no index.jsonl" in done.stdout
