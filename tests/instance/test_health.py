"""The stack's health checks (``python -m dagster_project.instance.health``) answer within
their timeouts: unhealthy (exit 1, naming the address) for nothing listening, a server that
accepts and never answers, or an HTTP error; usage errors exit 2. The healthy answers are tested
on a real code server (test_code_server.py) and a real exporter (tests/metrics_exporter)."""

import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests.processes import free_port

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


@pytest.mark.parametrize("arguments", [[], ["grpc"], ["grpc", "not-a-port"], ["ftp", "x"]])
def test_a_wrong_call_says_how_to_call_it(arguments):
    completed, _ = check(*arguments)
    assert completed.returncode == 2
    assert "usage:" in completed.stderr
