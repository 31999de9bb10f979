"""TCP servers that never answer, each its own process: the faults the timeout tests need.

``python -m tests.silent_server MODE PORT_FILE`` binds a free port of 127.0.0.1, writes it to
PORT_FILE and serves until killed:

- ``accepts``: completes every connection and reads what arrives, but never sends a byte (a
  wedged server: the client's connect succeeds and its read waits);
- ``never-accepts``: listens with a full queue and never accepts, so the kernel drops new
  connection requests (the client's connect itself waits).
"""

import contextlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tests.processes import free_port, stop_process_group

MODES = ("accepts", "never-accepts")


def _drain(connection: socket.socket) -> None:
    with connection, contextlib.suppress(OSError):
        while connection.recv(65536):
            pass


def serve(mode: str, port_file: Path) -> None:
    # stopped by SIGTERM, even when started by a process that ignored or blocked it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    if mode == "accepts":
        server.listen(128)
    else:
        server.listen(0)
        # Fill the queue of a listener that never accepts: Linux then drops every new SYN.
        fillers = [socket.create_connection(server.getsockname(), timeout=1)]
        with contextlib.suppress(OSError):
            fillers.append(socket.create_connection(server.getsockname(), timeout=1))
    port_file.write_text(str(server.getsockname()[1]))
    while mode == "accepts":
        connection, _ = server.accept()
        threading.Thread(target=_drain, args=(connection,), daemon=True).start()
    while True:
        time.sleep(3600)


@contextlib.contextmanager
def silent_server(mode: str = "accepts") -> Iterator[int]:
    """Start a silent server process; yields its port on 127.0.0.1; stops it by PID."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    with tempfile.TemporaryDirectory(prefix="silent-server-") as folder:
        port_file = Path(folder) / "port"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.silent_server", mode, str(port_file)],
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {mode} silent server did not start")
                time.sleep(0.05)
            yield int(port_file.read_text())
        finally:
            stop_process_group(process)


@contextlib.contextmanager
def unanswered_port(kind: str) -> Iterator[int]:
    """A port of 127.0.0.1 where nothing answers: ``closed port`` (nothing listens there) or one of
    the silent servers' ``MODES``."""
    if kind == "closed port":
        yield free_port()
        return
    with silent_server(kind) as port:
        yield port


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]))
