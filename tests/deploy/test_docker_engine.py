"""The compose tests' Docker engine (deploy/docker_engine.py), with a real private dockerd: it
answers, `stop` ends exactly it and puts the host back as it was (IP forwarding, the FORWARD
policy, iptables rules and chains, bridges), also after the daemon was killed; an engine that
was already running is used and never stopped; a daemon that cannot start names its log."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from deploy import docker_engine

# Its engines change the host's bridges and iptables: never beside the compose tests' engine
# (scripts/test.sh runs the `docker` tests in one process, one after another).
pytestmark = pytest.mark.docker


@pytest.fixture
def engine_folder():
    """A short folder for the daemon's sockets (a unix socket path holds at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="engine-", dir="/tmp"))
    yield folder
    docker_engine.stop(folder)
    shutil.rmtree(folder, ignore_errors=True)


def host_snapshot() -> docker_engine.HostState:
    """The host's state, each table's rules as a sorted list: another engine that is running
    (the compose tests' one) may re-add its own rules meanwhile, which moves them within their
    chains but changes nothing this module's engine added or removed."""
    state = docker_engine.read_host_state()
    state.rules = {table: sorted(rules) for table, rules in state.rules.items()}
    return state


def docker(engine: docker_engine.Engine, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *arguments],
        env={**os.environ, **engine.environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_private_engine_answers_and_stop_puts_the_host_back(engine_folder):
    before = host_snapshot()

    engine = docker_engine.start(engine_folder, use_existing=False)
    assert docker_engine.answers(engine.host)
    assert docker(engine, "compose", "version").stdout.startswith("Docker Compose version v2")
    name = f"engine-test-{os.getpid()}-{time.monotonic_ns()}"
    network = docker(engine, "network", "create", name)  # a bridge of its own on the host
    assert network.returncode == 0, network.stderr
    during = host_snapshot()
    docker(engine, "network", "rm", name)  # the data root outlives the daemon; the bridge must not
    docker_engine.stop(engine_folder)

    assert during != before  # the daemon did change the host
    assert host_snapshot() == before
    assert not docker_engine.answers(engine.host)
    assert (
        not Path(f"/proc/{engine.pid}").exists()
        or "Z" in Path(f"/proc/{engine.pid}/stat").read_text().split(") ")[1][:1]
    )
    assert docker_engine.status(engine_folder) is None


def test_start_twice_reuses_the_running_daemon(engine_folder):
    first = docker_engine.start(engine_folder, use_existing=False)
    second = docker_engine.start(engine_folder, use_existing=False)

    assert second.pid == first.pid and second.host == first.host


def test_a_killed_daemon_is_cleaned_up_all_the_same(engine_folder):
    before = host_snapshot()
    engine = docker_engine.start(engine_folder, use_existing=False)

    os.kill(engine.pid, signal.SIGKILL)
    time.sleep(0.5)
    docker_engine.stop(engine_folder)

    assert host_snapshot() == before
    mounts = Path("/proc/mounts").read_text()
    assert str(engine_folder) not in mounts


def test_an_engine_that_already_runs_is_used_and_left_running(engine_folder, tmp_path, monkeypatch):
    owner = docker_engine.start(engine_folder, use_existing=False)
    monkeypatch.setenv("DOCKER_HOST", owner.host)

    borrowed = docker_engine.start(tmp_path / "borrower")
    docker_engine.stop(tmp_path / "borrower")

    assert borrowed.host == owner.host and borrowed.pid is None
    assert docker_engine.answers(owner.host)


def test_a_daemon_that_cannot_start_names_its_log_and_leaves_the_host_as_it_was(tmp_path):
    before = host_snapshot()
    too_deep = tmp_path / ("d" * 100)  # its socket path is longer than a unix socket may be

    with pytest.raises(docker_engine.EngineUnavailableError) as failure:
        docker_engine.start(too_deep, use_existing=False)

    assert str(too_deep / "dockerd.log") in str(failure.value)
    assert "docker.sock" in (too_deep / "dockerd.log").read_text()
    assert host_snapshot() == before


def test_status_of_a_folder_without_an_engine_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "deploy.docker_engine", "status", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert result.returncode != 0
    assert f"no engine recorded in {tmp_path} answers" in result.stderr
