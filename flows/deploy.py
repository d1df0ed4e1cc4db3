"""`sieve serve`: the flow's deployments, served from one long-running process.

Against a Prefect server (PREFECT_API_URL; `sieve server` starts one) it
registers and serves:

- one deployment per configured source that has a `schedule` (cron), named
  after the source (`sieve-pipeline/<source>`), with parameters
  {config, sources: [<source>], out, source: <source>}: a run reads or fetches
  that source as configured (paths, URLs, seed file, private addresses) with
  its own `languages` and `clean` overrides, and is named `sieve-<source>`;
- `sieve-pipeline/sieve-adhoc`, unscheduled, whose parameters (paths or urls,
  source, out) are filled in the UI's "Run with custom parameters" (or
  `prefect deployment run sieve-pipeline/sieve-adhoc -p 'paths=["/data/pages"]'`),
  or `sources` (names of configured sources); with none of these it runs
  every configured source.

Runs execute in subprocesses of `sieve serve`, at most `--limit` at a time
(default 1: runs share OUT/ and its catalog), with the task runner of the
config's `run:` section (`run.dask_address`: shard tasks on that Dask
cluster; `run.workers`), as `sieve run` does: the deployments' entrypoint is
`flows.deploy.served_pipeline`, built in each run's process from the config
`sieve serve` was started with (SIEVE_SERVE_CONFIG, which the runs inherit).

Schedules live on the server, which creates the scheduled runs; `sieve serve`
executes them. Stopping `sieve serve` (Ctrl-C, SIGTERM):

- default (`pause_on_shutdown=False`): the deployments and their schedules stay
  active. The server keeps scheduling; runs due while nothing serves them wait
  as Scheduled, then Late, and the next `sieve serve` runs them. This is what a
  supervisor (systemd, a container restart policy) wants: a restart or a deploy
  never silently switches the schedules off.
- `--pause-on-shutdown`: the deployments are paused (the UI shows them paused,
  no runs are created) until `sieve serve` starts again, which unpauses them.
  sieve pauses them itself after the runner stopped, whenever SIGTERM came:
  prefect 3.8.8's own pause_on_shutdown misses a SIGTERM that arrives while
  the runner is starting.

Either way, restarting `sieve serve` re-registers every deployment from the
config: an edited cron replaces the old schedule (the config wins over edits
made in the UI), a source's paths, URLs and seed file are re-read, and a source
whose schedule was removed keeps its old deployment on the server until deleted
(`prefect deployment delete sieve-pipeline/<source>`).
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from pathlib import Path
from typing import Any

from config import SourceConfig, load_settings
from config.errors import UserError

ADHOC = "sieve-adhoc"
# prefect.yaml's deployments (the work-pool route) end in this; `sieve serve`'s never do, so
# `prefect deploy --all` never replaces a served deployment, nor `sieve serve` a deployed one.
POOL_SUFFIX = "-pool"
SERVE_CONFIG_ENV = "SIEVE_SERVE_CONFIG"
ENTRYPOINT = "flows.deploy.served_pipeline"


class DeployError(Exception):
    """A configuration or environment problem, reported to the user without a traceback."""


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect sees it (environment, profile or prefect.toml)."""
    from prefect.settings import get_current_settings  # noqa: PLC0415 - importing prefect is slow

    url = get_current_settings().api.url
    return str(url) if url else None


def require_api() -> str:
    """The server's API URL, checked to answer; DeployError with what to do otherwise."""
    from runtime.server import healthy  # noqa: PLC0415

    url = configured_api_url()
    if not url:
        raise DeployError("PREFECT_API_URL is not set: `sieve serve` needs a Prefect server (ephemeral mode has no "
                          "scheduler). Start one with `sieve server` and then\n"
                          "  export PREFECT_API_URL=http://127.0.0.1:4200/api")
    if not healthy(url.rstrip("/"), timeout=10):
        raise DeployError(f"no Prefect server answers at PREFECT_API_URL={url} (GET /health failed). "
                          "Start one with `sieve server`, or fix the URL.")
    return url


def served_flow(config: str | None = None) -> Any:
    """sieve_pipeline with the task runner of the config's `run:` section (run.dask_address, run.workers)."""
    from flows.pipeline import _workers, sieve_pipeline, task_runner_for  # noqa: PLC0415 - imports prefect

    settings = load_settings(config)
    return sieve_pipeline.with_options(task_runner=task_runner_for(_workers(settings, None),
                                                                   settings.run.dask_address))


def __getattr__(name: str) -> Any:
    """`served_pipeline`, the deployments' entrypoint: built when a run's process imports it, from the config
    `sieve serve` was started with (its environment's SIEVE_SERVE_CONFIG; default config/pipeline.yaml)."""
    if name == "served_pipeline":
        return served_flow(os.environ.get(SERVE_CONFIG_ENV) or None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def source_parameters(src: SourceConfig, config: str | None, out: str) -> dict[str, Any]:
    """The flow parameters of a scheduled source's deployment: the source by name, so a run reads it as
    configured when it starts (paths, URLs, seed file) and applies its languages and clean overrides."""
    from tasks.inputs.sources import source_urls  # noqa: PLC0415

    if not src.paths and not source_urls(src):
        raise DeployError(f"source {src.name!r} has a schedule but neither paths, urls nor a seed file with URLs")
    return {"config": config, "sources": [src.name], "out": out, "source": src.name}


def scheduled_sources(config: str | None) -> list[SourceConfig]:
    from flows.pipeline import configured_sources  # noqa: PLC0415 - imports prefect

    try:
        sources = [s for s in configured_sources(load_settings(config)) if s.schedule]
    except UserError:  # already says which file and key
        raise
    except (OSError, ValueError) as exc:  # a missing or invalid config or sources file; pydantic's errors too
        raise DeployError(f"cannot read the configuration ({config or 'config/pipeline.yaml'}): {exc}") from exc
    names = [s.name for s in sources]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise DeployError(f"several scheduled sources are named {', '.join(dupes)}: deployment names must be unique")
    if ADHOC in names:
        raise DeployError(f"a source may not be named {ADHOC!r}: that is the ad-hoc deployment")
    if pooled := [n for n in names if n.endswith(POOL_SUFFIX)]:
        raise DeployError(f"scheduled source(s) {', '.join(pooled)}: names ending in {POOL_SUFFIX!r} are "
                          "prefect.yaml's (the work-pool route); rename the source")
    return sources


def build_deployments(config: str | None = None, out: str = "data", timezone: str = "UTC") -> list[Any]:
    """RunnerDeployments: one per scheduled source, plus the ad-hoc one (last)."""
    from prefect.client.schemas.schedules import CronSchedule  # noqa: PLC0415
    from prefect.deployments.runner import EntrypointType  # noqa: PLC0415

    from tasks.version import PIPELINE_VERSION  # noqa: PLC0415

    config = str(Path(config).resolve()) if config else None
    out = str(Path(out).resolve())
    sources = scheduled_sources(config)  # first: DeployError on a config that cannot be read
    sieve_pipeline = served_flow(config)
    # By module path: the subprocess of each run imports flows.deploy from the installed package, whatever
    # directory `sieve serve` was started in, and builds served_pipeline from SIEVE_SERVE_CONFIG.
    common = {"entrypoint_type": EntrypointType.MODULE_PATH, "version": PIPELINE_VERSION}
    deployments = []
    for src in sources:
        try:
            schedule = CronSchedule(cron=src.schedule, timezone=timezone)
        except ValueError as exc:
            raise DeployError(f"source {src.name!r}: invalid schedule {src.schedule!r} or timezone "
                              f"{timezone!r}: {exc}") from exc
        deployments.append(sieve_pipeline.to_deployment(
            name=src.name, schedules=[schedule], parameters=source_parameters(src, config, out),
            tags=["sieve", "scheduled"], description=f"sieve: source {src.name!r} on cron {src.schedule!r} "
                                                     f"({timezone}), publishing to {out}", **common))
    deployments.append(sieve_pipeline.to_deployment(
        name=ADHOC, parameters={"config": config, "out": out, "source": "adhoc"}, tags=["sieve", "adhoc"],
        description="sieve on demand: in 'Run with custom parameters' give `paths` (files, folders or WARC files on "
                    "the machine running `sieve serve`) and/or `urls`, a `source` label (it names the run and its "
                    "artifacts) and `out`; or `sources`, names of configured sources to run as configured (with their "
                    "languages and clean overrides). With none of these it runs every configured source.",
        **common))
    for d in deployments:
        d.entrypoint = ENTRYPOINT
    return deployments


def serve_deployments(config: str | None = None, out: str = "data", pause_on_shutdown: bool = False,
                      timezone: str = "UTC", limit: int | None = 1) -> int:
    """The `sieve serve` command: register the deployments and run what the server schedules until stopped."""
    from prefect import serve  # noqa: PLC0415

    from runtime.server import known_problems  # noqa: PLC0415

    url = require_api()
    for problem in known_problems():
        print(f"warning: {problem} (this checks the local environment; the server's may differ)")
    deployments = build_deployments(config, out, timezone)
    # The runs' processes inherit this: flows.deploy.served_pipeline reads the same config's `run:` section.
    os.environ[SERVE_CONFIG_ENV] = str(Path(config).resolve()) if config else ""
    print(f"Serving {len(deployments)} deployments against {url}:")
    for d in deployments:
        when = f"cron {d.schedules[0].schedule.cron!r} {timezone}" if d.schedules else "on demand"
        print(f"  sieve-pipeline/{d.name}  ({when})")
    print("On stop (Ctrl-C, SIGTERM) the schedules are " +
          ("PAUSED until `sieve serve` runs again." if pause_on_shutdown else
           "kept active: runs due meanwhile wait as Late and run when `sieve serve` is back."), flush=True)
    # Prefect's own pause_on_shutdown is not reliable on SIGTERM (prefect 3.8.8: its handler is installed only
    # once the runner's loop starts, and exits from inside the loop), so sieve handles SIGTERM from here on
    # like Ctrl-C and pauses after serve() returns, whenever the signal came.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    # prefect 3.8.8's runner leaves its async stop() unawaited on SIGTERM; harmless (it exits all the same), noisy.
    warnings.filterwarnings("ignore", message="coroutine 'Runner.astop' was never awaited", category=RuntimeWarning)
    try:
        serve(*deployments, pause_on_shutdown=False, limit=limit)
    except KeyboardInterrupt:
        pass
    finally:
        if pause_on_shutdown:
            pause_deployments([d.name for d in deployments])
    return 0


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def pause_deployments(names: list[str]) -> None:
    """Pause `sieve-pipeline/<name>` for each name (what --pause-on-shutdown does when `sieve serve` stops)."""
    from prefect.client.orchestration import get_client  # noqa: PLC0415

    with get_client(sync_client=True) as client:
        for name in names:
            client.pause_deployment(client.read_deployment_by_name(f"sieve-pipeline/{name}").id)
    print(f"Paused {len(names)} deployments: {', '.join(names)}.", flush=True)
