"""sieve's early start of Prefect's ephemeral server (flows/ephemeral.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
from flows import ephemeral
server = ephemeral.start()
assert server is not None  # launched before Prefect's settings are read
print(ephemeral.use(server), server.process.poll() is not None)
"""


def test_a_server_launched_early_is_stopped_when_the_profile_names_a_real_server(tmp_path):
    home = tmp_path / "prefect"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "remote"\n\n[profiles.remote]\n'
                                        'PREFECT_API_URL = "http://127.0.0.1:9/api"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    done = subprocess.run([sys.executable, "-c", SCRIPT], check=False, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True"]  # not used, and its process is gone


def test_runs_against_the_own_server_send_no_heartbeats():
    from prefect.settings import get_current_settings  # noqa: PLC0415

    from flows import ephemeral  # noqa: PLC0415

    assert get_current_settings().flows.heartbeat_frequency is not None
    with ephemeral.run_settings():
        assert get_current_settings().flows.heartbeat_frequency is None
