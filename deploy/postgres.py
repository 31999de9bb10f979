"""A throwaway PostgreSQL cluster on 127.0.0.1, for the test suite and the native stack.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` system user
(``runuser``). TCP connections need the password given at creation (scram-sha-256) for the
cluster's superuser role (``postgres`` unless named otherwise); local socket connections inside
the data folder are trusted. Starting a folder that already holds a cluster restarts it with its
data. The server is stopped through ``pg_ctl``, which signals the PID in ``postmaster.pid``.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


class PostgresNotInstalledError(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb``."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresNotInstalledError(
        "PostgreSQL's server (initdb, pg_ctl) is not installed. Install it with "
        "`apt-get install -y postgresql` (scripts/test.sh does this when run as root)."
    )


def _as_cluster_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--", *command] if os.geteuid() == 0 else command


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: where it lives, where it listens and how to log in."""

    data_dir: Path
    port: int
    password: str
    host: str = "127.0.0.1"
    username: str = SUPERUSER

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL for ``database`` as the superuser."""
        credentials = f"{self.username}:{self.password}"
        return f"postgresql+psycopg2://{credentials}@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` through psql over the cluster's own socket; return its output."""
        command = [str(server_bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        command += [
            "-h",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-U",
            self.username,
            "-d",
            database,
        ]
        return subprocess.run(
            _as_cluster_owner([*command, "-c", sql]), check=True, capture_output=True, text=True
        ).stdout

    def create_database(self, name: str) -> None:
        self.psql(f'CREATE DATABASE "{name}"')

    def ensure_database(self, name: str) -> None:
        """Create ``name`` unless it exists."""
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()
        if not exists:
            self.create_database(name)


def start(
    data_dir: Path,
    port: int,
    password: str,
    durable: bool = False,
    username: str = SUPERUSER,
) -> PostgresServer:
    """Start the cluster in ``data_dir`` on 127.0.0.1:``port``, creating it when the folder is new.

    ``durable=False`` turns fsync off: right for tests, never for data you keep.
    """
    bin_dir = server_bin_dir()
    data_dir = Path(data_dir).resolve()
    if not (data_dir / "PG_VERSION").exists():
        _create_cluster(bin_dir, data_dir, password, username)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir}"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(data_dir / "server.log")]
    subprocess.run(
        _as_cluster_owner([*pg_ctl, "-o", options, "-w", "-t", "60", "start"]),
        check=True,
        capture_output=True,
        text=True,
    )
    return PostgresServer(data_dir=data_dir, port=port, password=password, username=username)


def _create_cluster(bin_dir: Path, data_dir: Path, password: str, username: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", prefix="pgpass-", delete=False) as password_file:
        password_file.write(password)
    try:
        if os.geteuid() == 0:
            shutil.chown(data_dir, SUPERUSER, SUPERUSER)
            shutil.chown(password_file.name, SUPERUSER, SUPERUSER)
        initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "--username", username]
        initdb += ["--pwfile", password_file.name, "--auth-local=trust"]
        initdb += ["--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale"]
        subprocess.run(_as_cluster_owner(initdb), check=True, capture_output=True, text=True)
    finally:
        os.unlink(password_file.name)


def stop(data_dir: Path) -> None:
    """Stop the cluster in ``data_dir`` (fast shutdown); nothing happens if it is not running."""
    if not (Path(data_dir) / "postmaster.pid").exists():
        return
    subprocess.run(
        _as_cluster_owner(
            [str(server_bin_dir() / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"]
        ),
        check=True,
        capture_output=True,
        text=True,
    )


if __name__ == "__main__":
    action, folder = sys.argv[1:3]
    if action != "stop":
        raise SystemExit("usage: python -m deploy.postgres stop DIR (start it from Python)")
    stop(Path(folder))
