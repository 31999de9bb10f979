"""Resident memory of this process, and a high-water mark that can start afresh.

Sampling RSS misses short peaks (a serializer's temporary buffer can live for milliseconds), so
the benchmarks read Linux's own high-water mark, ``VmHWM``, which the kernel keeps exactly.
Writing ``5`` to ``/proc/self/clear_refs`` resets it to the current RSS, so one process can
measure one phase. Freed memory is handed back to the system (``malloc_trim``) before a
baseline is read, otherwise a baseline would include heap the allocator merely kept.
"""

import contextlib
import ctypes
import gc
import re
from pathlib import Path

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


class HighWaterMarkUnavailable(RuntimeError):
    """The kernel refused to reset the high-water mark (not Linux, or a restricted kernel)."""


def _status_kb(field: str, status: Path = STATUS) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", status.read_text(), re.MULTILINE)
    if match is None:
        raise HighWaterMarkUnavailable(f"{status} has no {field} line")
    return int(match.group(1)) * 1024


def resident_bytes() -> int:
    """Current resident set size (``VmRSS``)."""
    return _status_kb("VmRSS")


def high_water_mark_bytes(status: Path = STATUS) -> int:
    """Peak resident set size since the last reset (``VmHWM``), of this or another process."""
    return _status_kb("VmHWM", status)


def reset_high_water_mark() -> None:
    """Start a new high-water mark at the current RSS."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError as error:
        raise HighWaterMarkUnavailable(
            f"cannot reset the memory high-water mark ({error}); the benchmarks need Linux "
            "with a writable /proc/self/clear_refs"
        ) from error


def release_free_memory() -> None:
    """Collect garbage and return free heap pages to the system, so RSS shows live data only."""
    gc.collect()
    # not glibc: RSS may then include free heap the allocator keeps
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def settled_resident_bytes() -> int:
    """RSS after :func:`release_free_memory`: the baseline a phase is measured from."""
    release_free_memory()
    return resident_bytes()
