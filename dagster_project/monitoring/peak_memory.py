"""The process's resident-memory high-water mark, resettable so that each step measures its own.

Steps share one process under the in-process executor, so the process-wide peak
(``ru_maxrss``) would report the largest step of the run for every later step. Linux can reset
the high-water mark: writing ``5`` to ``/proc/self/clear_refs`` starts ``VmHWM`` afresh at the
current RSS. Where that is impossible (other systems, restricted kernels), the peak stays
process-wide and :func:`peak_is_per_step` says so.
"""

import re
import resource
import sys
from pathlib import Path

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")
RESET_HIGH_WATER_MARK = "5"

_reset_works: bool | None = None


def reset_peak() -> bool:
    """Start a new high-water mark at the current RSS; False where the system cannot."""
    global _reset_works
    if _reset_works is False:
        return False
    try:
        CLEAR_REFS.write_text(RESET_HIGH_WATER_MARK)
    except OSError:
        _reset_works = False
        return False
    _reset_works = True
    return True


def peak_is_per_step() -> bool:
    """Whether :func:`peak_rss_mb` is a high-water mark since the last reset."""
    return bool(_reset_works)


def peak_rss_mb() -> float:
    """The resident-memory high-water mark in MB (2**20 bytes)."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", STATUS.read_text(), re.MULTILINE)
    except OSError:
        match = None
    if match:
        return int(match.group(1)) / 1024
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max_rss / 2**20 if sys.platform == "darwin" else max_rss / 1024
