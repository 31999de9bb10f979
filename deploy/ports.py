"""Free TCP ports on 127.0.0.1 for the servers the stack and the tests start.

``bind(0)`` hands out a port from the kernel's ephemeral range, the range it also takes the
source ports of outgoing connections from: between choosing such a port and the server binding
it, a client connection can take it. (Seen in a full test run: Spark's master UI moved to the
next port and the readiness check polled the one that had been chosen.) So ports are drawn
below that range, where the kernel never assigns one on its own.
"""

import random
import socket
from pathlib import Path

LOWEST = 20_000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
ATTEMPTS = 500


def is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` of 127.0.0.1 right now."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if it is free, else a free port below the ephemeral range."""
    if preferred and is_free(preferred):
        return preferred
    highest = _ephemeral_start() - 1
    for _ in range(ATTEMPTS):
        port = random.randint(LOWEST, highest)
        if is_free(port):
            return port
    raise RuntimeError(f"no free port on 127.0.0.1 between {LOWEST} and {highest}")


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default
