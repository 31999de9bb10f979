"""A native stack for the deploy tests, brought up once per session through the real script."""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.native_stack import read_env_file
from tests.processes import free_port

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningStack:
    """The stack the tests use: its folder, its variables and how to drive its script."""

    folder: Path
    started_in_s: float

    @property
    def environ(self) -> dict[str, str]:
        return read_env_file(self.folder / "stack.env")

    @property
    def webserver_url(self) -> str:
        return f"http://127.0.0.1:{self.environ['DAGSTER_WEBSERVER_PORT']}"

    def script(self, *arguments: str, **extra_env: str) -> subprocess.CompletedProcess:
        return stack_script(self.folder, *arguments, **extra_env)


def stack_script(folder: Path, *arguments: str, **extra_env: str) -> subprocess.CompletedProcess:
    """Run deploy/native-stack.sh with the stack in ``folder``."""
    return subprocess.run(
        ["bash", "deploy/native-stack.sh", *arguments],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "NATIVE_STACK_DIR": str(folder), **extra_env},
        capture_output=True,
        text=True,
        timeout=900,
    )


def stack_folder() -> Path:
    """A folder the postgres user can reach (tests run as root; pytest's tmp is private)."""
    folder = Path(tempfile.mkdtemp(prefix="native-stack-", dir="/tmp"))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="session")
def native_stack():
    folder = stack_folder()
    started = time.monotonic()
    up = stack_script(folder, "up", DATA_SCALE="0.01", DAGSTER_WEBSERVER_PORT=str(free_port()))
    if up.returncode != 0:
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in (folder / "logs").glob("*.log")
        )
        stack_script(folder, "down")
        pytest.fail(f"native stack did not come up:\n{up.stdout}\n{up.stderr}\n{logs}")
    stack = RunningStack(folder, time.monotonic() - started)
    try:
        yield stack
    finally:
        stack_script(folder, "down")
        shutil.rmtree(folder, ignore_errors=True)
