"""`sieve run URL ...` end to end on a loopback server: fetched, archived,
cleaned, published with WARC provenance; the second run publishes only what
changed; `sieve inspect` goes back to the archived bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import build_parser, main
from tasks.output.publish import iter_records
from tests.httpserver import Reply, TestServer, server  # noqa: F401 - the fixture
from tests.test_fetch import ARTICLE, page

FAST = """
fetch:
  connect_timeout: 1.0
  read_timeout: 1.0
  retries: 1
  backoff_base: 0.05
  per_host_delay: 0.0
"""


def test_urls_on_the_command_line_are_fetched_cleaned_and_published_with_warc_provenance(
        server: TestServer, tmp_path: Path, capsys) -> None:  # noqa: F811
    config = tmp_path / "pipeline.yaml"
    config.write_text(FAST, encoding="utf-8")
    etag = {"value": "v1"}

    def article(req) -> Reply:
        if req.headers.get("if-none-match") == etag["value"]:
            return Reply(304)
        return Reply(200, page(ARTICLE).encode(), {"ETag": etag["value"]})

    good = server.route("/story.html", article)
    missing = server.url("/gone.html")
    out = tmp_path / "out"
    argv = ["run", good, missing, "--out", str(out), "--config", str(config), "--workers", "1", "--allow-private"]
    assert main(argv) == 0
    published = list(iter_records(out, ("corpus",)))
    assert [r["source"]["uri"] for r in published] == [good]
    record = published[0]
    assert record["source"]["kind"] == "http" and record["source"]["warc_file"].endswith(".warc.gz")
    assert Path(record["source"]["warc_file"]).exists() and record["source"]["warc_offset"] is not None
    assert record["title"] == "Harbour" and record["text"]
    rejected = {r["source"]["uri"]: r["reject_reason"] for r in iter_records(out, ("rejected",))}
    assert rejected == {missing: "http_404"}

    capsys.readouterr()
    assert main(["inspect", record["id"], "--out", str(out)]) == 0
    assert "source bytes unavailable" not in capsys.readouterr().out

    # Second run: the server answers 304, nothing is republished, and having nothing new to publish the run
    # leaves `current` on the corpus that has the page.
    current = (out / "current").resolve()
    assert main(argv) == 0
    assert (out / "current").resolve() == current
    second = max((d for d in (out / "runs").iterdir() if d != current), key=lambda d: d.name)
    assert list(iter_records(second, ("corpus",))) == []
    reasons = {r["source"]["uri"]: r["reject_reason"] for r in iter_records(second, ("rejected",))}
    assert reasons[good] == "unchanged"
    summary = json.loads((second / "reports" / "summary.json").read_text())
    assert summary["rejected_by_reason"].get("unchanged") == 1


def test_loopback_urls_are_refused_unless_the_run_allows_them(server: TestServer, tmp_path: Path,  # noqa: F811
                                                              capsys) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text(FAST, encoding="utf-8")
    url = server.route("/story.html", Reply(200, page(ARTICLE).encode()))
    out = tmp_path / "out"
    # Its only page did not arrive: the run fails (exit 1), with the page and its reason on record.
    assert main(["run", url, "--out", str(out), "--config", str(config), "--workers", "1"]) == 1
    assert [r["reject_reason"] for r in iter_records(out, ("rejected",))] == ["blocked_address"]
    assert "run failed: 1 of 1 fetched pages failed" in capsys.readouterr().out
    assert server.hits("/story.html") == []


def test_fetched_pages_are_processed_in_shards_by_the_worker_processes(
        server: TestServer, tmp_path: Path) -> None:  # noqa: F811
    from prefect import get_client  # noqa: PLC0415
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId  # noqa: PLC0415

    config = tmp_path / "pipeline.yaml"
    config.write_text(FAST + "publish:\n  shard_size: 1\n", encoding="utf-8")
    urls = [server.route(f"/story-{k}.html", lambda _req: Reply(200, page(ARTICLE).encode())) for k in range(2)]
    out = tmp_path / "out"
    assert main(["run", *urls, "--out", str(out), "--config", str(config), "--workers", "2", "--allow-private"]) == 0
    records = sorted(iter_records(out), key=lambda r: r["source"]["uri"])
    assert [r["source"]["uri"] for r in records] == sorted(urls)
    assert [r.get("reject_reason") for r in records] == [None, "duplicate"]  # the same page at two URLs
    assert all(r["source"]["warc_offset"] is not None for r in records)
    published = records
    # One fetch task, then one shard task per page (shard_size 1), run by the process pool; then the dedup
    # phase rewrites the part that holds the copy.
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[published[0]["provenance"]["flow_run_id"]])))
    names = sorted(r.name for r in runs)
    assert names == ["cli-shard-0", "cli-shard-1", "dedup-part-cli-00001", "fetch-cli"], names
    assert {r.state.type.value for r in runs} == {"COMPLETED"}


def test_allow_private_with_a_list_opens_only_the_named_hosts(server: TestServer, tmp_path: Path) -> None:  # noqa: F811
    config = tmp_path / "pipeline.yaml"
    config.write_text(FAST, encoding="utf-8")
    by_ip = server.route("/story.html", Reply(200, page(ARTICLE).encode()))
    by_name = server.url("/story.html", host="localhost")
    out = tmp_path / "out"
    argv = ["run", "--allow-private=localhost", by_ip, by_name, "--out", str(out), "--config", str(config),
            "--workers", "1"]
    assert main(argv) == 0
    published = [r["source"]["uri"] for r in iter_records(out, ("corpus",))]
    rejected = [(r["source"]["uri"], r["reject_reason"]) for r in iter_records(out, ("rejected",))]
    assert published == [by_name] and rejected == [(by_ip, "blocked_address")]


@pytest.mark.parametrize(("value", "why"), [
    ("http://127.0.0.1/page", "looks like an input"),  # the flag would swallow the URL
    ("10.0.0.0/33", "is not a CIDR range"),
])
def test_allow_private_refuses_what_is_not_an_allow_list(value: str, why: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["run", "--allow-private", value])
    assert exit_.value.code == 2 and why in capsys.readouterr().err


def test_allow_private_alone_or_with_a_list_parses() -> None:
    assert build_parser().parse_args(["run", "x", "--allow-private"]).allow_private is True
    assert build_parser().parse_args(["run", "x"]).allow_private is False
    args = build_parser().parse_args(["run", "--allow-private=127.0.0.0/8,localhost", "x"])
    assert args.allow_private == ["127.0.0.0/8", "localhost"] and args.paths == ["x"]
