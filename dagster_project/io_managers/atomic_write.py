"""Write a stored value so that readers see the old value or the new one, never a torn file.

Dagster's stock ``FilesystemIOManager`` opens the target for writing in place: a crash part-way
destroys the previous value. Here the value is always serialized to a temporary file first:

- local target: the temporary file sits in the target's folder (so ``os.replace`` is a rename on
  one filesystem), is fsynced, then renamed over the target, and the folder entry is fsynced;
- object store target (``s3://``): the finished temporary file is uploaded with one PUT or one
  multipart upload, which the store publishes only when it completes. A killed upload never
  replaces the previous object.

A process killed part-way leaves its temporary file behind (a hidden ``.<name>.*.partial`` next
to a local target, a ``stored-value-*`` folder in the temporary directory for an object store);
it is never read. Each is named after its writer (:mod:`.temporary_files`), and the next successful
write removes those of writers that no longer run: beside the same target, or all staging
folders of this machine. The retention job removes the rest.
"""

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from upath import UPath

from dagster_project.io_managers.temporary_files import (
    abandoned_siblings,
    abandoned_staging_folders,
    remove,
    staged_file,
    staging_folder,
)

LOCAL_PROTOCOLS = ("", "file", "local")

WriteToPath = Callable[[str], None]


def is_local(path: UPath) -> bool:
    """True when the path is on this machine's filesystem."""
    return path.protocol in LOCAL_PROTOCOLS


def local_path(path: UPath) -> Path:
    """The ``pathlib.Path`` of a local UPath (``file://`` URLs included)."""
    return Path(path.path)


def write_atomically(path: UPath, write: WriteToPath) -> None:
    """Call ``write(temporary_path)`` to produce the file, then publish it at ``path`` at once."""
    if is_local(path):
        _write_local(local_path(path), write)
    else:
        _write_remote(path, write)


def _write_local(target: Path, write: WriteToPath) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = staged_file(target.parent, target.name)
    try:
        write(str(temporary))
        _fsync_file(temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_file(target.parent)
    remove(abandoned_siblings(target))


def _write_remote(target: UPath, write: WriteToPath) -> None:
    with staging_folder() as folder:
        temporary = os.path.join(folder, target.name)
        write(temporary)
        target.fs.put_file(temporary, target.path)
    remove(abandoned_staging_folders())


def _fsync_file(path: str | Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
