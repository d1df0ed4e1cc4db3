"""The run's Prefect artifacts as plain data (no server): keys, the summary table, the Markdown report; and how
a run with a bad source ends (flow runs in ephemeral mode)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from flows.artifacts import (
    WARNINGS_STATE,
    artifact_key,
    fetch_failure,
    fetch_warning,
    md_cell,
    report_markdown,
    summary_table,
)
from flows.pipeline import sieve_pipeline
from tasks.output.publish import ShardResult
from tests.httpserver import Reply, TestServer, server  # noqa: F401 - the fixture
from tests.test_fetch import HTML

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

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


def test_summary_table_and_report_count_duplicates_and_near_duplicates():
    dedup = {"duplicates": 3, "near_duplicates": 2, "of_earlier_runs": 1, "replaced_earlier": 0,
             "site_boilerplate_lines": 7, "site_boilerplate_documents": 4}
    summary = {**SUMMARY, "dedup": dedup}
    rows = {(r["section"], r["name"]): r["value"] for r in summary_table(summary)}
    assert rows[("dedup", "duplicates")] == 3 and rows[("dedup", "near duplicates")] == 2
    md = report_markdown(summary)
    assert "3 duplicates and 2 near duplicates rejected (1 of them copies of earlier runs' documents)" in md
    assert "7 site-boilerplate lines cut from 4 documents" in md


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


def test_a_fetched_source_some_of_whose_pages_did_not_arrive_is_a_warning_with_counts():
    failed = [ShardResult("x-00000", documents=3, rejected=Counter({"http_404": 2, "timeout": 1}))]
    assert fetch_warning("news", failed) == "source news: all 3 fetches failed (http_404 2, timeout 1)"
    some = [ShardResult("x", documents=4, rejected=Counter({"http_404": 1, "dns_error": 1, "too_short": 1}))]
    assert fetch_warning("news", some) == "source news: 2 of 4 fetches failed (http_404 1, dns_error 1)"
    # Every page arrived (even if then rejected, or unchanged since the last run): no warning.
    assert fetch_warning("news", [ShardResult("x", documents=2, rejected=Counter({"too_short": 1}))]) is None
    assert fetch_warning("news", [ShardResult("x", documents=1, rejected=Counter({"unchanged": 1}))]) is None
    assert fetch_warning("news", []) is None


def test_warnings_come_first_in_the_report_and_in_the_table():
    summary = {**SUMMARY, "warnings": ["source news: all 3 fetches failed (http_404 3)"]}
    md = report_markdown(summary)
    assert md.index("## Warnings") < md.index("## Top removal reasons")
    assert "- source news: all 3 fetches failed (http\\_404 3)" in md
    assert {"section": "warnings", "name": "warning", "value": summary["warnings"][0], "detail": ""} in \
        summary_table(summary)


FAST = "fetch:\n  connect_timeout: 1.0\n  read_timeout: 1.0\n  retries: 0\n  per_host_delay: 0.0\n"


def _two_sources(tmp_path: Path, server: TestServer) -> Path:  # noqa: F811
    config = tmp_path / "pipeline.yaml"
    config.write_text(FAST + f"sources:\n  - name: pages\n    paths: [{SEEDS}]\n  - name: gone\n"
                             f"    urls: [{server.url('/a.html')}, {server.url('/b.html')}]\n"
                             "    allow_private_addresses: true\n", encoding="utf-8")
    return config


def _artifacts(flow_run_id) -> dict[str, Any]:
    from prefect.client.orchestration import get_client  # noqa: PLC0415
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId  # noqa: PLC0415

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(
            any_=[flow_run_id])))
    return {a.key: a.data for a in found}


def test_a_run_some_of_whose_pages_did_not_arrive_ends_in_the_warning_state_with_a_failed_pages_table(
        server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr("flows.pipeline.DEFAULT_SOURCES", tmp_path / "no-sources.yaml")
    urls = [server.route("/a.html", Reply(body=HTML)), server.route("/b.html", Reply(body=HTML)),
            server.url("/gone.html")]
    config = tmp_path / "pipeline.yaml"
    config.write_text(FAST + "sources:\n  - name: news\n    urls: [" + ", ".join(urls) + "]\n"
                      "    allow_private_addresses: [127.0.0.1/32]\n", encoding="utf-8")
    state = sieve_pipeline(config=str(config), out=str(tmp_path / "out"), workers=1, source="news",
                           return_state=True)
    # CRASHED is the terminal type Prefect's UI draws orange and its dashboard counts with the failures.
    assert state.type.value == "CRASHED" and state.name == WARNINGS_STATE
    assert state.message == "source news: 1 of 3 fetches failed (http_404 1)"
    summary = state.result(raise_on_failure=False)
    assert summary["warnings"] == [state.message] and summary["documents"] == 3
    table = json.loads(_artifacts(state.state_details.flow_run_id)["sieve-news-failed-pages"])
    assert table == [{"source": "news", "url": urls[2], "reason": "http_404", "error": "HTTP 404 Not Found"}]


def test_a_run_most_of_whose_fetches_fail_ends_failed_after_publishing_the_rest(server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr("flows.pipeline.DEFAULT_SOURCES", tmp_path / "no-sources.yaml")
    out = tmp_path / "out"
    state = sieve_pipeline(config=str(_two_sources(tmp_path, server)), out=str(out), workers=1, source="two",
                           return_state=True)
    assert state.type.value == "FAILED"
    assert "2 of 2 fetched pages failed (100% > fetch.max_failed_share=50%): http_404 2" in state.message
    summary = json.loads((out / "reports" / "summary.json").read_text())
    assert "source gone: all 2 fetches failed (http_404 2)" in summary["warnings"]
    # The other source was published all the same.
    assert summary["published"] > 0 and json.loads((out / "corpus" / "manifest.json").read_text())["counts"][
        "published"] == summary["published"]


def test_the_failed_share_that_fails_a_run_is_a_setting():
    half = [("news", [ShardResult("x", documents=4, rejected=Counter({"timeout": 2, "too_short": 1}))])]
    assert fetch_failure(half, 0.5) is None  # half is not most
    assert fetch_failure(half, 0.25) == ("2 of 4 fetched pages failed (50% > fetch.max_failed_share=25%): "
                                         "timeout 2")
    assert fetch_failure([], 0.5) is None


def test_a_source_whose_task_fails_fails_the_run_after_the_others_are_published(server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr("flows.pipeline.DEFAULT_SOURCES", tmp_path / "no-sources.yaml")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("flows.pipeline.fetch_source", broken)
    out = tmp_path / "out"
    state = sieve_pipeline(config=str(_two_sources(tmp_path, server)), out=str(out), workers=1, source="two",
                           return_state=True)
    assert state.type.value == "FAILED"
    assert "source gone: OSError: disk full" in state.message
    manifest = json.loads((out / "corpus" / "manifest.json").read_text())
    assert manifest["counts"]["published"] > 0
