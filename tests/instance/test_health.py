"""The stack's health checks (``python -m dagster_project.instance.health``) answer within
their timeouts: unhealthy (exit 1, naming the address) for nothing listening, a server that
accepts and never answers, or an HTTP error; usage errors exit 2. The daemon's check passes once
a real ``dagster-daemon`` is live and asks Dagster again only when its last success is older
than 30 s. The healthy gRPC and HTTP answers are tested on a real code server
(test_code_server.py) and a real exporter (tests/metrics_exporter)."""

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from dagster_project.instance.health import DAEMON_CHECK_EVERY_S
from dagster_project.settings import REPOSITORY_ROOT
from tests.instance.dev_server import dagster_daemon
from tests.processes import free_port, stop_process_group, wait_until

HEALTH = [sys.executable, "-m", "dagster_project.instance.health"]


def check(*arguments: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    completed = subprocess.run(
        [*HEALTH, *arguments], capture_output=True, text=True, timeout=60, check=False
    )
    return completed, time.monotonic() - started


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def failing_url() -> Iterator[str]:
    """An HTTP server that answers every GET with 503."""

    class Unavailable(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(503)

        def log_message(self, *arguments: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/healthz"
    finally:
        server.shutdown()
        server.server_close()


def test_grpc_with_nothing_listening_is_unhealthy_naming_the_address():
    port = free_port()
    completed, _ = check("grpc", str(port))
    assert completed.returncode == 1
    assert f"localhost:{port}: not healthy" in completed.stderr


def test_a_grpc_server_that_never_answers_is_unhealthy_within_the_timeout(silent_port):
    completed, seconds = check("grpc", str(silent_port))
    assert completed.returncode == 1
    assert seconds < 15  # the check's own 2 s, plus starting Python


def test_http_errors_and_silence_are_unhealthy_within_the_timeout(failing_url, silent_port):
    failing, _ = check("http", failing_url)
    silent, seconds = check("http", f"http://127.0.0.1:{silent_port}/healthz")
    assert (failing.returncode, silent.returncode) == (1, 1)
    assert failing_url in failing.stderr
    assert seconds < 20  # the check's own 5 s, plus starting Python


@pytest.mark.parametrize(
    "arguments", [[], ["grpc"], ["grpc", "not-a-port"], ["ftp", "x"], ["daemon", "a", "b"]]
)
def test_a_wrong_call_says_how_to_call_it(arguments):
    completed, _ = check(*arguments)
    assert completed.returncode == 2
    assert "usage:" in completed.stderr


def test_the_daemon_check_passes_once_the_daemon_is_live_then_asks_dagster_every_30_s(
    tmp_path, monkeypatch
):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("AUTOMATION", raising=False)  # schedules and sensors stay stopped
    live = tmp_path / "live"

    def daemon_check() -> int:
        return check("daemon", str(live))[0].returncode

    assert daemon_check() == 1  # no daemon has ever run on this instance
    assert not live.exists()
    daemon = dagster_daemon(tmp_path / "daemon.log")
    try:
        wait_until(lambda: daemon_check() == 0, daemon, "the daemon's check passing")
    finally:
        stop_process_group(daemon)
    assert live.exists()

    # From here Dagster would say no (an instance no daemon ever ran on); the check does not
    # ask it while its last success is recent, and asks again once it is older than 30 s.
    other_home = tmp_path / "other_home"
    other_home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", other_home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(other_home))
    assert daemon_check() == 0
    stamp = time.time() - DAEMON_CHECK_EVERY_S - 1
    os.utime(live, (stamp, stamp))
    assert daemon_check() == 1
