"""Servers the tests start: free ports on 127.0.0.1, readiness polls, stopping by process group."""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable

import requests

from deploy.ports import free_port  # noqa: F401  (the tests' import path)


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen, what: str, timeout_s: float = 120
) -> None:
    """Poll ``ready`` until it is true; fail early if ``process`` exits, or after the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode} first")
        with contextlib.suppress(requests.RequestException):
            if ready():
                return
        time.sleep(0.5)
    raise TimeoutError(f"{what}: not ready after {timeout_s} s")


def stop_process_group(process: subprocess.Popen, timeout_s: float = 30) -> None:
    """SIGTERM the process group started with ``start_new_session=True``; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)
