"""A native stack for the deploy tests, brought up once for this package through the real script."""

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


# Every stack folder a test made, and the shared stack's, which outlives a module and so is not
# one the per-module check may find left behind.
_CREATED_FOLDERS: set[Path] = set()
_SHARED_STACKS: set[Path] = set()


@pytest.fixture(scope="session")
def stack_folders():
    """The session's parent of every native stack folder (one per session, so that stacks other
    people run on the machine at the same time are none of its business); when the session ends
    it must hold nothing: every test stops its stack and removes its folder."""
    parent = Path(tempfile.mkdtemp(prefix="native-stacks-", dir="/tmp"))
    parent.chmod(0o755)  # the postgres user reaches the clusters inside
    yield parent
    left = sorted(folder.name for folder in parent.iterdir())
    shutil.rmtree(parent, ignore_errors=True)
    assert left == [], f"native stack folders left behind in {parent}: {left}"


def stack_folder(parent: Path) -> Path:
    """A folder the postgres user can reach (tests run as root; pytest's tmp is private)."""
    folder = Path(tempfile.mkdtemp(prefix="native-stack-", dir=parent))
    folder.chmod(0o755)
    _CREATED_FOLDERS.add(folder)
    return folder


@pytest.fixture
def stopped_stack_folder(stack_folders):
    """A stack folder for one test: whatever the test started is stopped (by the PIDs the script
    recorded) and the folder removed afterwards."""
    folder = stack_folder(stack_folders)
    try:
        yield folder
    finally:
        stack_script(folder, "down")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def no_stack_folder_left_by_the_module(request):
    """After each module, no stack folder it made remains (the shared stack aside)."""
    yield
    left = sorted(str(folder) for folder in _CREATED_FOLDERS - _SHARED_STACKS if folder.exists())
    assert left == [], f"{request.module.__name__} left native stack folders: {left}"


@pytest.fixture(scope="package")
def native_stack(stack_folders):
    """The native stack the tests of this package share; stopped when the package's tests end,
    not the session's (idle, its daemon and servers would take CPU from every later test)."""
    folder = stack_folder(stack_folders)
    _SHARED_STACKS.add(folder)
    started = time.monotonic()
    up = stack_script(folder, "up", DATA_SCALE="0.01", DAGSTER_WEBSERVER_PORT=str(free_port()))
    if up.returncode != 0:
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in (folder / "logs").glob("*.log")
        )
        stack_script(folder, "down")
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"native stack did not come up:\n{up.stdout}\n{up.stderr}\n{logs}")
    stack = RunningStack(folder, time.monotonic() - started)
    try:
        yield stack
    finally:
        stack_script(folder, "down")
        shutil.rmtree(folder, ignore_errors=True)
