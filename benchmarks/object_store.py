"""A throwaway SeaweedFS S3 server for the S3 rows, the same server the native stack runs.

Started on free ports of 127.0.0.1 with a fresh data folder and a one-off key pair, stopped
(its whole process group) when the block ends, even when a case fails.
"""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deploy import object_store
from deploy.ports import free_port

BUCKET = "benchmarks"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str = BUCKET


@contextlib.contextmanager
def seaweedfs() -> Iterator[S3Server]:
    """A running SeaweedFS with the benchmark bucket created."""
    folder = Path(tempfile.mkdtemp(prefix="benchmark-s3-"))
    port = free_port()
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{port}",
        access_key=f"bench{secrets.token_hex(4)}",
        secret_key=secrets.token_hex(16),
    )
    process = object_store.start_seaweedfs(
        folder / "data", port, server.access_key, server.secret_key, folder / "weed.log"
    )
    try:
        client = object_store.s3_client(server.endpoint_url, server.access_key, server.secret_key)
        object_store.wait_until_serving(client, timeout_s=90)
        object_store.create_buckets(client, [BUCKET])
        yield server
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
