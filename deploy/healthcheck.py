"""The compose services' health checks, cheap enough for Docker to run every two seconds.

Dagster's own checks (``dagster api grpc-health-check``, ``dagster-daemon liveness-check``)
import Dagster: 1.5-2 s of CPU each time. Docker runs a check every ``interval`` for the life of
the container (a faster first check, ``start_interval``, needs Docker 25), so a check that
costs that much must run rarely, and ``docker compose up --wait`` then waits up to a whole
interval after a service is ready. These checks import no more than ``grpc`` or ``psycopg2``
(tens of milliseconds) and ask the same questions:

    python -m deploy.healthcheck grpc HOST:PORT         the code server answers gRPC's health
                                                        check as serving (what Dagster's asks)
    python -m deploy.healthcheck http URL               the URL answers 2xx
    python -m deploy.healthcheck heartbeats TYPE...     each daemon TYPE sent a heartbeat since
                                                        this container started (its PID 1)

``heartbeats`` reads the instance's ``daemon_heartbeats`` table in PostgreSQL (``DAGSTER_PG_*``):
the table and the heartbeat's serialized ``timestamp`` are Dagster's storage, not a public API,
so that bet lives here alone, and tests/deploy/test_healthcheck.py checks it against the
installed Dagster, as well as the daemon types the compose file lists against the ones the stack's
instance requires. Stricter than ``liveness-check``, which accepts a heartbeat up to 30 minutes
old: a heartbeat of a daemon process from before a restart does not count.

Exit status 0 means healthy; otherwise one line on stderr says what is wrong.
"""

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

TIMEOUT_S = 3.0
DAGSTER_API = "DagsterApi"  # the service name Dagster's code server reports health under


def grpc_serving(address: str) -> str | None:
    """None when the gRPC server at ``address`` reports serving, else what is wrong."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        with grpc.insecure_channel(address) as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=DAGSTER_API), timeout=TIMEOUT_S
            )
    except grpc.RpcError as error:
        return f"gRPC health check of {address}: {error.code().name}"
    if answer.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)
        return f"gRPC health check of {address}: {status}"
    return None


def http_ok(url: str) -> str | None:
    """None when ``url`` answers 2xx within the timeout, else what is wrong."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S):
            return None  # urlopen raises for 4xx and 5xx
    except OSError as error:  # URLError, HTTPError and timeouts are OSErrors
        return f"{url}: {error}"


def container_started_at() -> float:
    """Epoch seconds when PID 1 of this container (or this machine) started."""
    ticks = int(Path("/proc/1/stat").read_text().rsplit(")", 1)[1].split()[19])
    boot = next(
        int(line.split()[1])
        for line in Path("/proc/stat").read_text().splitlines()
        if line.startswith("btime ")
    )
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def heartbeat_times(environ: dict[str, str]) -> dict[str, float]:
    """Each daemon type's latest heartbeat, in epoch seconds, from the instance's PostgreSQL."""
    import psycopg2

    connection = psycopg2.connect(
        host=environ["DAGSTER_PG_HOST"],
        port=environ.get("DAGSTER_PG_PORT", "5432"),
        user=environ["DAGSTER_PG_USER"],
        password=environ["DAGSTER_PG_PASSWORD"],
        dbname=environ.get("DAGSTER_PG_DB", "dagster"),
        connect_timeout=int(TIMEOUT_S),
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT daemon_type, body FROM daemon_heartbeats")
            rows = cursor.fetchall()
    finally:
        connection.close()
    return {daemon_type: float(json.loads(body)["timestamp"]) for daemon_type, body in rows}


def heartbeats_since(daemon_types: list[str], since: float, environ: dict[str, str]) -> str | None:
    """None when every one of ``daemon_types`` sent a heartbeat after ``since``."""
    try:
        beats = heartbeat_times(environ)
    except Exception as error:  # the database is down, or not yet created
        return f"daemon heartbeats in PostgreSQL at {environ.get('DAGSTER_PG_HOST')}: {error}"
    missing = sorted(daemon for daemon in daemon_types if beats.get(daemon, 0.0) < since)
    if missing:
        return f"no heartbeat since {time.ctime(since)} from: {', '.join(missing)}"
    return None


def main(arguments: list[str]) -> int:
    if len(arguments) < 2 or arguments[0] not in ("grpc", "http", "heartbeats"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, targets = arguments[0], arguments[1:]
    if kind == "grpc":
        problem = grpc_serving(targets[0])
    elif kind == "http":
        problem = http_ok(targets[0])
    else:
        problem = heartbeats_since(targets, container_started_at(), dict(os.environ))
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
