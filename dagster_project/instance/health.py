"""``python -m dagster_project.instance.health grpc PORT``, ``... http URL`` or ``... daemon``:
the stack's health checks, cheap enough to run every few seconds for as long as the stack runs.

A container's health check runs for the container's whole life. ``dagster api
grpc-health-check`` imports Dagster and its CLI each time; asking the code server's standard
gRPC health service from here imports only gRPC, and a plain HTTP GET imports nothing more. The
daemon's liveness is in the instance's database, which only Dagster reads: ``daemon`` runs
``dagster-daemon liveness-check`` at most once per ``DAEMON_CHECK_EVERY_S`` and remembers a
success in a file (by default in the container's ``/dev/shm``, emptied when the container
restarts), so a check every few seconds marks the daemon healthy as soon as it is, and costs
little afterwards. Exit status 0 when healthy, else 1 with the reason on standard error.
"""

import subprocess
import sys
import time
from pathlib import Path

# The service name the Dagster code server registers with gRPC's health service.
DAGSTER_API = "DagsterApi"
DAEMON_CHECK_EVERY_S = 30
DAEMON_LIVE_FILE = Path("/dev/shm/dagster-daemon-live")


def serving(address: str, timeout_s: float = 2.0) -> bool:
    """Whether the Dagster code server at ``address`` (host:port) answers as serving."""
    import grpc  # here, so that the HTTP check does not pay for importing gRPC
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        with grpc.insecure_channel(address) as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=DAGSTER_API), timeout=timeout_s
            )
    except grpc.RpcError:
        return False
    return answer.status == health_pb2.HealthCheckResponse.SERVING


def answers(url: str, timeout_s: float = 5.0) -> bool:
    """Whether ``url`` answers a GET with a 2xx status."""
    import urllib.request  # here: it brings ssl, which the other checks do not need

    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def daemon_live(live_file: Path = DAEMON_LIVE_FILE, every_s: float = DAEMON_CHECK_EVERY_S) -> bool:
    """True when ``dagster-daemon liveness-check`` passed less than ``every_s`` ago, or passes
    now."""
    try:
        if time.time() - live_file.stat().st_mtime < every_s:
            return True
    except FileNotFoundError:
        pass
    check = ["dagster-daemon", "liveness-check"]
    if subprocess.run(check, capture_output=True, timeout=60, check=False).returncode != 0:
        return False
    live_file.touch()
    return True


def main(arguments: list[str]) -> int:
    match arguments:
        case ["grpc", port] if port.isdigit():
            address = f"localhost:{port}"
            healthy = serving(address)
        case ["http", url]:
            address = url
            healthy = answers(url)
        case ["daemon", *live_file] if len(live_file) <= 1:
            address = "dagster-daemon liveness-check"
            healthy = daemon_live(Path(*live_file) if live_file else DAEMON_LIVE_FILE)
        case _:
            usage = "grpc PORT | http URL | daemon [FILE]"
            print(f"usage: python -m dagster_project.instance.health {usage}", file=sys.stderr)
            return 2
    if not healthy:
        print(f"{address}: not healthy", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
