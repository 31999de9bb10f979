"""``python -m dagster_project.instance.health grpc PORT`` or ``... http URL``: the stack's health
checks, cheap enough to run every few seconds for as long as the stack runs.

A container's health check runs for the container's whole life. ``dagster api
grpc-health-check`` imports Dagster and its CLI each time (about 1.3 CPU-seconds on the 2-core
machine); asking the code server's standard gRPC health service from here imports only gRPC
(about 0.15 s), and a plain HTTP GET imports nothing more. Exit status 0 when healthy, else 1
with the reason on standard error.
"""

import sys
import urllib.request

# The service name the Dagster code server registers with gRPC's health service.
DAGSTER_API = "DagsterApi"


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
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def main(arguments: list[str]) -> int:
    match arguments:
        case ["grpc", port] if port.isdigit():
            address = f"localhost:{port}"
            healthy = serving(address)
        case ["http", url]:
            address = url
            healthy = answers(url)
        case _:
            print(
                "usage: python -m dagster_project.instance.health grpc PORT | http URL",
                file=sys.stderr,
            )
            return 2
    if not healthy:
        print(f"{address}: not healthy", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
