"""sieve's early start of Prefect's ephemeral server (runtime/ephemeral.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from runtime import ephemeral
from tests.httpserver import Reply, TestServer, server  # noqa: F401 - `server` is a fixture

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
from runtime import ephemeral
server = ephemeral.start()
assert server is not None  # launched before Prefect's settings are read
print(ephemeral.use(server), server.process.poll() is not None)
"""


def _run(script: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script], check=False, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def _remote_profile_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose Prefect profile names a real server (and no PREFECT_ variable overrides it)."""
    home = tmp_path / "prefect"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "remote"\n\n[profiles.remote]\n'
                                        'PREFECT_API_URL = "http://127.0.0.1:9/api"\n', encoding="utf-8")
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}, "PREFECT_HOME": str(home)}


def test_a_server_launched_early_is_stopped_when_the_profile_names_a_real_server(tmp_path):
    assert _run(SCRIPT, _remote_profile_env(tmp_path)) == ["False", "True"]  # not used, and its process is gone


def test_runs_against_the_own_server_send_no_heartbeats():
    from prefect.settings import get_current_settings  # noqa: PLC0415

    from runtime import ephemeral  # noqa: PLC0415

    assert get_current_settings().flows.heartbeat_frequency is not None
    with ephemeral.run_settings():
        assert get_current_settings().flows.heartbeat_frequency is None


FORKED = """
import threading
import httpx
import prefect  # noqa: F401 - imported, and no other thread: the server is forked from this process
from runtime import ephemeral
if {with_thread}:  # another thread running: forking could copy a lock it holds, so a new interpreter instead
    threading.Thread(target=threading.Event().wait, daemon=True).start()
server = ephemeral.start()
print(type(server.process).__name__, ephemeral.use(server))
print(httpx.get(server.api_url + "/health").status_code, httpx.get(f"http://127.0.0.1:{{server.port}}/").status_code)
ephemeral.stop()
print(server.process.poll() is not None)
"""


def _server_env() -> dict[str, str]:
    return {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": ""}


@pytest.mark.skipif(sys.platform != "linux", reason="the server is forked on Linux only")
def test_a_process_that_imported_prefect_forks_its_server_which_serves_the_api_without_the_ui():
    # health answers, "/" does not (the UI is off, as in Prefect's own ephemeral server); stop() ends the child
    assert _run(FORKED.format(with_thread=False), _server_env()) == ["ForkedProcess", "True", "200", "404", "True"]


def test_with_another_thread_running_the_server_is_a_new_interpreter_instead():
    assert _run(FORKED.format(with_thread=True), _server_env()) == ["Popen", "True", "200", "404", "True"]


def test_no_server_is_started_when_prefect_is_imported_and_the_profile_names_a_real_server(tmp_path):
    script = "import prefect\nfrom runtime import ephemeral\nprint(ephemeral.start())\n"
    assert _run(script, _remote_profile_env(tmp_path)) == ["None"]


def test_the_server_counts_as_up_once_its_health_check_answers_200(server: TestServer):  # noqa: F811
    server.route("/api/health", [Reply(404), Reply(503), Reply(200, b"true")])
    assert not ephemeral.healthy(server.port)  # answering, but not the API yet
    assert not ephemeral.healthy(server.port)  # the API, not ready
    assert ephemeral.healthy(server.port)


def test_a_port_nobody_listens_on_or_that_answers_garbage_is_not_up():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        assert not ephemeral.healthy(closed.getsockname()[1])
    with socket.create_server(("127.0.0.1", 0)) as listener:
        def answer_garbage() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(b"not http at all\r\n\r\n")
        threading.Thread(target=answer_garbage, daemon=True).start()
        assert not ephemeral.healthy(listener.getsockname()[1])
