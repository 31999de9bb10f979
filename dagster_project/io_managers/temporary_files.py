"""Temporary files and folders named after the process that writes them, so that whatever a
killed writer left behind can be told apart from a write still in progress, and removed.

A writer stages its output under a name ending in ``.<host>-<pid>.partial`` (``<host>``: a short
hash of this machine's name). A staged file is abandoned when its writer ran on this machine and
no longer runs: no process has that PID, or the process that has it started after the file was
made (the PID was reused). A file staged on another machine (a shared folder) or under an older
name cannot be judged here; the retention job removes those by age.
"""

import hashlib
import os
import shutil
import socket
import tempfile
from pathlib import Path

import psutil

PARTIAL_SUFFIX = ".partial"
STAGING_PREFIX = "stored-value-"


def host_tag() -> str:
    """A short hash of this machine's name."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def owner_tag() -> str:
    """``<host>-<pid>`` of this process."""
    return f"{host_tag()}-{os.getpid()}"


def staged_file(folder: Path, name: str) -> Path:
    """A new, empty, hidden file in ``folder`` for the next version of ``name``."""
    descriptor, path = tempfile.mkstemp(
        dir=folder, prefix=f".{name}.", suffix=f".{owner_tag()}{PARTIAL_SUFFIX}"
    )
    os.close(descriptor)
    return Path(path)


def staging_folder() -> tempfile.TemporaryDirectory:
    """A new folder in the system's temporary directory for a file bound for an object store."""
    return tempfile.TemporaryDirectory(prefix=f"{STAGING_PREFIX}{owner_tag()}.")


def _owner(name: str) -> tuple[str, int] | None:
    """(host, pid) written into a staged file's or folder's name; None for another format."""
    if name.endswith(PARTIAL_SUFFIX):
        tag = name.removesuffix(PARTIAL_SUFFIX).rsplit(".", 1)[-1]
    elif name.startswith(STAGING_PREFIX):
        tag = name.removeprefix(STAGING_PREFIX).split(".", 1)[0]
    else:
        return None
    host, _, pid = tag.partition("-")
    if len(host) != 8 or not pid.isdigit():
        return None
    return host, int(pid)


def is_abandoned(path: Path) -> bool:
    """True only when ``path`` was staged on this machine by a process that no longer runs."""
    owner = _owner(path.name)
    if owner is None or owner[0] != host_tag():
        return False
    pid = owner[1]
    try:
        made = path.lstat().st_mtime
        started = psutil.Process(pid).create_time()
    except FileNotFoundError:
        return False  # already gone
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return True
    return started > made + 1  # the PID now belongs to a process younger than the file


def remove(paths: list[Path]) -> list[Path]:
    """Delete ``paths`` (staged files or staging folders); those this call deleted."""
    removed = []
    for path in paths:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue  # another writer removed it first
        removed.append(path)
    return removed


def abandoned_siblings(target: Path) -> list[Path]:
    """The staged files of ``target`` in its folder whose writers no longer run."""
    staged = target.parent.glob(f".{target.name}.*{PARTIAL_SUFFIX}")
    return [path for path in sorted(staged) if is_abandoned(path)]


def abandoned_staging_folders() -> list[Path]:
    """The staging folders of object-store writes, in the temporary directory, whose writers no
    longer run."""
    staged = Path(tempfile.gettempdir()).glob(f"{STAGING_PREFIX}*")
    return [path for path in sorted(staged) if is_abandoned(path)]
