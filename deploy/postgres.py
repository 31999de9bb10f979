"""A throwaway PostgreSQL cluster on 127.0.0.1, for the test suite and the native stack.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` system user
(``runuser``). TCP connections need the password given at creation (scram-sha-256); local socket
connections inside the data folder are trusted. The server is stopped through ``pg_ctl``, which
signals the PID in ``postmaster.pid``.

Command line (used by scripts): ``python -m deploy.postgres start DIR PORT`` / ``stop DIR``.
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

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL for ``database`` as the superuser."""
        return (
            f"postgresql+psycopg2://{SUPERUSER}:{self.password}@{self.host}:{self.port}/{database}"
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` through psql over the cluster's own socket; return its output."""
        command = [str(server_bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", str(self.data_dir), "-p", str(self.port), "-U", SUPERUSER, "-d", database]
        return subprocess.run(
            _as_cluster_owner([*command, "-c", sql]), check=True, capture_output=True, text=True
        ).stdout

    def create_database(self, name: str) -> None:
        self.psql(f'CREATE DATABASE "{name}"')


def start(data_dir: Path, port: int, password: str, durable: bool = False) -> PostgresServer:
    """Create a cluster in the empty folder ``data_dir`` and start it on 127.0.0.1:``port``.

    ``durable=False`` turns fsync off: right for tests, never for data you keep.
    """
    bin_dir = server_bin_dir()
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=False)
    with tempfile.NamedTemporaryFile("w", prefix="pgpass-", delete=False) as password_file:
        password_file.write(password)
    try:
        if os.geteuid() == 0:
            shutil.chown(data_dir, SUPERUSER, SUPERUSER)
            shutil.chown(password_file.name, SUPERUSER, SUPERUSER)
        initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "--username", SUPERUSER]
        initdb += ["--pwfile", password_file.name, "--auth-local=trust"]
        initdb += ["--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale"]
        subprocess.run(
            _as_cluster_owner(initdb),
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(password_file.name)

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
    return PostgresServer(data_dir=data_dir, port=port, password=password)


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
    action, folder, *rest = sys.argv[1:]
    if action == "start":
        started = start(Path(folder), int(rest[0]), os.environ["POSTGRES_PASSWORD"], durable=True)
        print(f"PostgreSQL listening on {started.host}:{started.port}, data in {started.data_dir}")
    elif action == "stop":
        stop(Path(folder))
    else:
        raise SystemExit(f"unknown action {action!r}: use start DIR PORT or stop DIR")
