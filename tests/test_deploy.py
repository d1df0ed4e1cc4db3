"""`sieve serve`'s deployments as plain objects (no server): one per scheduled source, run by name with the
source's overrides, and the task runner of the config's `run:` section in every deployment run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import flows.deploy
from config import load_settings
from flows.deploy import ADHOC, ENTRYPOINT, POOL_SUFFIX, SERVE_CONFIG_ENV, DeployError, build_deployments
from flows.pipeline import configured_sources, source_paths, source_urls_to_fetch

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def _no_sources_file(tmp_path, monkeypatch):
    """Only the test's config: not the project's config/sources.yaml."""
    monkeypatch.setattr("flows.pipeline.DEFAULT_SOURCES", tmp_path / "no-sources.yaml")


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_one_deployment_per_scheduled_source_runs_it_by_name(tmp_path):
    config = _config(tmp_path, f"""
sources:
  - name: nightly
    paths: [{SEEDS}]
    schedule: "0 3 * * *"
    languages: [zh]
  - name: unscheduled
    paths: [{SEEDS}]
""")
    deployments = build_deployments(str(config), str(tmp_path / "out"))
    assert [d.name for d in deployments] == ["nightly", ADHOC]
    nightly, adhoc = deployments
    assert nightly.parameters == {"config": str(config), "sources": ["nightly"], "out": str(tmp_path / "out"),
                                  "source": "nightly"}
    assert nightly.schedules[0].schedule.cron == "0 3 * * *" and not adhoc.schedules
    assert nightly.entrypoint == adhoc.entrypoint == ENTRYPOINT


def test_a_scheduled_source_with_nothing_to_read_is_refused(tmp_path):
    config = _config(tmp_path, 'sources:\n  - name: empty\n    schedule: "0 3 * * *"\n')
    with pytest.raises(DeployError, match="neither paths, urls nor a seed file"):
        build_deployments(str(config))


def test_sources_selects_configured_sources_by_name_and_refuses_unknown_ones(tmp_path):
    settings = load_settings(str(_config(tmp_path, f"""
sources:
  - name: a
    paths: [{SEEDS}]
  - name: b
    urls: [https://example.com/]
""")))
    assert [name for name, _ in source_paths(settings, None, None, ["a"])] == ["a"]
    assert source_urls_to_fetch(settings, None, None, False, ["a"]) == []
    assert [name for name, *_ in source_urls_to_fetch(settings, None, None, False, ["b"])] == ["b"]
    with pytest.raises(ValueError, match="unknown source"):
        configured_sources(settings, ["nope"])


def test_deployment_runs_use_the_task_runner_of_the_configs_run_section(tmp_path, monkeypatch):
    config = _config(tmp_path, "run:\n  workers: 3\n  dask_address: tcp://127.0.0.1:8786\n")
    monkeypatch.setenv(SERVE_CONFIG_ENV, str(config))
    runner = flows.deploy.served_pipeline.task_runner
    assert type(runner).__name__ == "DaskTaskRunner" and runner.address == "tcp://127.0.0.1:8786"

    monkeypatch.setenv(SERVE_CONFIG_ENV, str(_config(tmp_path, "run:\n  workers: 3\n")))
    runner = flows.deploy.served_pipeline.task_runner
    assert type(runner).__name__ == "ThreadPoolTaskRunner"


def test_the_default_config_serves_the_seeds_every_night():
    """`sieve server` then `sieve serve` shows a scheduled deployment out of the box."""
    deployments = {d.name: d for d in build_deployments(None, "data")}
    assert set(deployments) == {"seeds", ADHOC}
    assert deployments["seeds"].schedules[0].schedule.cron == "0 3 * * *"


def test_prefect_yaml_deployments_never_take_a_served_deployments_name():
    """`prefect deploy --all` must not replace what `sieve serve` registered (same flow, same name)."""
    pool = [d["name"] for d in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]]
    served = {d.name for d in build_deployments(None, "data")}
    assert pool and all(name.endswith(POOL_SUFFIX) for name in pool)
    assert not served & set(pool)


def test_a_scheduled_source_named_like_a_pool_deployment_is_refused(tmp_path):
    config = _config(tmp_path, f'sources:\n  - name: news-pool\n    paths: [{SEEDS}]\n    schedule: "0 3 * * *"\n')
    with pytest.raises(DeployError, match=r"news-pool.*prefect\.yaml"):
        build_deployments(str(config), str(tmp_path / "out"))
