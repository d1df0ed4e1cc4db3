"""The run's Prefect artifacts as plain data (no server): keys, the summary table, the Markdown report."""

from __future__ import annotations

from flows.artifacts import artifact_key, md_cell, report_markdown, summary_table

SUMMARY = {
    "run_id": "20260101T000000Z-abcdef", "documents": 6, "published": 2, "rejected": 4,
    "rejected_by_reason": {"too_short": 1, "http_404": 1, "timeout": 1, "robots_disallowed": 1},
    "removed_spans_by_reason": {"boilerplate": 5, "hidden_markup": 1},
    "removed_chars_by_reason": {"boilerplate": 120, "hidden_markup": 30},
    "languages": {"en": 1, "zh": 1}, "bytes_in": 1234, "chars_published": 900, "shards": 2, "workers": 2,
    "seconds": 3.5, "stage_seconds": {"extract": {"seconds": 1.0, "share": 0.4}, "clean": {"seconds": 1.5,
                                                                                            "share": 0.6}},
    "removal_examples": {
        "boilerplate": [{"doc": "d1", "rule": "before_main_content", "snippet": "Home | News"},
                        {"doc": "d2", "rule": "before_main_content", "snippet": "Home | News"},
                        {"doc": "d2", "rule": "after_main_content", "snippet": "Share on *X*"}],
        "hidden_markup": [{"doc": "d3", "rule": "hidden_tag_content",
                           "snippet": '<span style="display:none">buy now</span>'}]},
    "rejected_documents": [
        {"id": "d4", "uri": "file:///x/short.txt", "reason": "too_short", "error": "12 words"},
        {"id": "d5", "uri": "https://example.com/gone", "reason": "http_404", "error": "HTTP 404 Not Found"},
        {"id": "d6", "uri": "https://example.com/slow", "reason": "timeout", "error": "ReadTimeout after 4 attempt(s)"},
        {"id": "d7", "uri": "https://example.com/private", "reason": "robots_disallowed", "error": "robots.txt"}],
}


def test_keys_are_lowercase_letters_digits_and_dashes():
    assert artifact_key("nightly-seeds", "summary") == "sieve-nightly-seeds-summary"
    assert artifact_key("Example_News 2", "report") == "sieve-example-news-2-report"
    assert artifact_key("--", "progress") == "sieve-run-progress"


def test_summary_table_has_every_figure():
    rows = {(r["section"], r["name"]): r["value"] for r in summary_table(SUMMARY)}
    assert rows[("counts", "documents in")] == 6 and rows[("counts", "published")] == 2
    assert rows[("counts", "rejected")] == 4 and rows[("counts", "bytes in")] == 1234
    assert rows[("rejected", "http_404")] == 1 and rows[("spans removed", "boilerplate")] == 5
    assert rows[("languages", "zh")] == 1 and rows[("stage seconds", "clean")] == 1.5


def test_report_lists_examples_rejections_and_failed_fetches_safely():
    md = report_markdown(SUMMARY, "/out/runs/r/corpus/manifest.json")
    assert "| boilerplate | 5 | 120 |" in md
    # Snippets are escaped (no table breaks, no live HTML) and listed once each.
    assert md.count("Home \\| News") == 1 and "Share on \\*X\\*" in md
    assert "&lt;span style=\"display:none\"&gt;buy now&lt;/span&gt;" in md and "<span" not in md
    judged, failed = md.split("## Failed fetches")
    assert "too\\_short" in judged and "file:///x/short.txt" in judged and "example.com" not in judged
    for reason, url in (("http\\_404", "gone"), ("timeout", "slow"), ("robots\\_disallowed", "private")):
        assert reason in failed and f"https://example.com/{url}" in failed
    assert "ReadTimeout after 4 attempt(s)" in failed


def test_md_cell_is_one_bounded_line():
    assert md_cell("a\nb\tc") == "a b c"
    assert len(md_cell("x" * 500, 50)) == 50
