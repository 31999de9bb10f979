"""A scrape while the instance's PostgreSQL is stopped, or frozen, answers ``dagster_up 0``
within the exporter's deadline while its health check still passes, and the exporter reads the
database again once it is back."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from dagster_project.metrics_exporter import SCRAPE_DEADLINE_S
from dagster_project.settings import REPOSITORY_ROOT
from deploy import postgres
from tests.conftest import POSTGRES_PASSWORD
from tests.instance.dev_server import poll
from tests.metrics_exporter.conftest import scrape
from tests.processes import free_port


@pytest.fixture
def own_postgres() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL of this test alone, which it stops or freezes."""
    folder = Path(tempfile.mkdtemp(prefix="test-exporter-postgres-", dir="/tmp"))
    folder.chmod(0o755)  # the cluster runs as the postgres user when the tests run as root
    server = postgres.start(folder / "data", free_port(), POSTGRES_PASSWORD)
    try:
        yield server
    finally:
        for process in cluster_processes(server):
            process.resume()
        postgres.stop(server.data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def cluster_processes(server: postgres.PostgresServer) -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["cmdline"])
        if str(server.data_dir) in " ".join(process.info["cmdline"] or [])
    ]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_a_scrape_without_its_database_answers_up_0_within_the_deadline(
    fault, tmp_path, exporter, own_postgres
):
    """``stopped``: the server is gone (connections refused); ``frozen``: its processes are
    stopped with SIGSTOP, so it accepts connections and never answers (and no libpq connect
    timeout is set). Once the database is back, the next scrapes read it again."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml", home / "dagster.yaml")
    own_postgres.psql("CREATE DATABASE dagster")
    environ = {
        **{name: value for name, value in os.environ.items() if name != "PGCONNECT_TIMEOUT"},
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": own_postgres.host,
        "DAGSTER_PG_PORT": str(own_postgres.port),
        "DAGSTER_PG_USER": own_postgres.username,
        "DAGSTER_PG_PASSWORD": POSTGRES_PASSWORD,
        "DAGSTER_PG_DB": "dagster",
        "S3_BUCKET": "unused",
    }
    port = exporter(environ)
    assert scrape(port)[("dagster_up", ())] == 1

    if fault == "stopped":
        postgres.stop(own_postgres.data_dir)
    else:
        for process in cluster_processes(own_postgres):
            process.suspend()
    # bounded by the request's own timeout: the exporter must answer, and say it is down
    down = scrape(port, timeout=SCRAPE_DEADLINE_S + 5)

    assert down[("dagster_up", ())] == 0
    assert not any(name.startswith("dagster_runs") for name, _ in down)
    # the container's health check asks /healthz, which reads nothing: the exporter is healthy
    health = [sys.executable, "-m", "dagster_project.instance.health", "http"]
    healthz = subprocess.run([*health, f"http://127.0.0.1:{port}/healthz"], timeout=30, check=False)
    assert healthz.returncode == 0

    if fault == "stopped":
        postgres.start(own_postgres.data_dir, own_postgres.port, POSTGRES_PASSWORD)
    else:
        for process in cluster_processes(own_postgres):
            process.resume()
    poll(lambda: scrape(port)[("dagster_up", ())] == 1, "dagster_up 1 with the database back")
