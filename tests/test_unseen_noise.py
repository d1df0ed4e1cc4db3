"""The bars on noise the rules were not tuned on: the sample pages with their
injected string, injected word and hidden text swapped for new ones, a spam
string appended to an English page, and a page that is nothing but spam."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import Settings
from tasks.inputs.read import read_file
from tasks.stages.document import process_document
from tasks.tools.evaluate import score_page

ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((ROOT / "tests/gold/seeds.json").read_text(encoding="utf-8"))


def _lines(spec: list[str]) -> set[int]:
    out: set[int] = set()
    for s in spec:
        a, _, b = s.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def _variant(name: str) -> tuple[str, dict]:
    text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
    return text, json.loads(json.dumps(GOLD[name]))


def other_injected_string() -> tuple[str, dict]:
    text, gold = _variant("001_a60c4e758812ea41.txt")
    new = "※本站推薦:每日精選新聞與深度評論,歡迎訂閱HHTV.NET"
    gold["strip"] = [new if s.startswith("olX") else s for s in gold["strip"]]
    gold["forbid"] = ["HHTV", "本站推荐", "display:none"]
    return text.replace(gold_string(), new), gold


def gold_string() -> str:
    return GOLD["001_a60c4e758812ea41.txt"]["strip"][0]


def other_injected_word() -> tuple[str, dict]:
    text, gold = _variant("004_0c0d24ab21bbcc88.txt")
    old = gold["strip"][0]
    lines = text.split("\n")
    exempt = _lines(gold["strip_except_lines"])
    lines = [line if i in exempt else line.replace(old, "火箭") for i, line in enumerate(lines, 1)]
    gold["strip"], gold["forbid"] = ["火箭"], [f.replace(old, "火箭") for f in gold["forbid"] if old in f]
    return "\n".join(lines), gold


def appended_spam_in_english() -> tuple[str, dict]:
    text, gold = _variant("002_2f3e4135016b6e4b.txt")
    spam = " [Download the TechDaily app for breaking news]"
    keep = _lines(gold["keep"])
    lines = [line + spam if i in keep and len(line) > 60 else line for i, line in enumerate(text.split("\n"), 1)]
    gold["strip"], gold["forbid"] = [spam], [*gold["forbid"], "TechDaily"]
    return "\n".join(lines), gold


def hidden_spans_in_english() -> tuple[str, dict]:
    text, gold = _variant("000_da662a36e63dfc30.txt")
    hidden = '<span style="display:none">best crypto casino bonus</span>'
    lines = text.split("\n")
    for i in range(50, 100, 7):
        lines[i] += hidden
    gold["strip"], gold["forbid"] = [hidden], [*gold["forbid"], "casino"]
    return "\n".join(lines), gold


VARIANTS = [other_injected_string, other_injected_word, appended_spam_in_english, hidden_spans_in_english]


@pytest.mark.parametrize("make", VARIANTS, ids=lambda f: f.__name__)
def test_new_noise_on_the_sample_pages_meets_the_bars(make, tmp_path):
    text, gold = make()
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    settings = Settings()
    doc = process_document(read_file(page, settings.read), settings)
    assert doc.reject_reason is None
    record = doc.record({})
    result = score_page("page.txt", gold, text, [record])
    assert result.precision >= 0.97 and result.recall >= 0.97, result
    assert not result.forbidden and not result.missing and not result.issues, result


def test_a_page_of_gambling_keywords_and_links_is_rejected_not_published(tmp_path):
    lines = []
    for k in range(20):
        lines.append(" | ".join(f"澳门赌场{k}在线{j} 真人百家乐 老虎机" for j in range(6)))
        lines.append(f"点击进入 www.lucky{k}.example.com 注册送彩金{k}88元")
    page = tmp_path / "spam.txt"
    page.write_text("\n".join(lines), encoding="utf-8")
    settings = Settings()
    doc = process_document(read_file(page, settings.read), settings)
    assert doc.reject_reason == "mostly_spam"
