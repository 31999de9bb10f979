"""Each dbt step starts from a parse of the project made with its own profile.

dbt reuses a parse (``partial_parse.msgpack``) only when it was made with the same profile:
target and connection, e.g. the DuckDB file's path. The set-up step prepares
``target/partial_parse.msgpack`` with the embedded default's profile, which dagster-dbt copies
into every invocation's target folder. Under another profile (the stack's PostgreSQL, a test's
own DuckDB file) dbt would parse the whole project again in every step, so each step keeps the
parse it made under ``target/partial_parses/<key>.msgpack`` and the next step with the same key
starts from it. dbt also parses everything again when the ``--vars`` differ (the daily models'
window), so the key hashes the profile's variables without the password and the invocation's
``--vars``. Only the most recently used ``KEPT_PARSES`` parses are kept (a backfill of many windows
would otherwise leave one file per window).
"""

import contextlib
import filecmp
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg

from dagster_project.io_managers.temporary_files import abandoned_siblings, remove, staged_file

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
KEPT_PARSES_FOLDER = "partial_parses"
KEPT_PARSES = 16


def dbt_variables(arguments: Sequence[str]) -> str | None:
    """The value of the ``--vars`` argument of a dbt command line, if it has one."""
    for index, argument in enumerate(arguments):
        if argument == "--vars" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--vars="):
            return argument.removeprefix("--vars=")
    return None


def kept_parse_path(
    project_target: Path, environment: Mapping[str, str], variables: str | None = None
) -> Path:
    """Where the parse made under this profile (dbt's environment variables) and these
    ``--vars`` is kept."""
    visible = {name: value for name, value in environment.items() if "PASSWORD" not in name}
    keyed = json.dumps([visible, variables], sort_keys=True)
    key = hashlib.sha256(keyed.encode()).hexdigest()[:16]
    return project_target / KEPT_PARSES_FOLDER / f"{key}.msgpack"


def invocation_target(project_target: Path, context: dg.AssetExecutionContext) -> Path:
    """A target folder of this step's own, named like dagster-dbt names them."""
    op_name = context.op_execution_context.op.name
    return project_target / f"{op_name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"


def start_from_kept_parse(target: Path, kept: Path) -> None:
    """Put the kept parse in ``target`` (dagster-dbt then leaves it there); without one, the
    prepared parse is copied as usual. Marks the kept parse as just used."""
    if kept.is_file():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, target / PARTIAL_PARSE_FILE)
        with contextlib.suppress(OSError):
            os.utime(kept)


def keep_partial_parse(invocation_target: Path, kept: Path) -> None:
    """Keep the parse this invocation made, if it differs from the kept one. Replaced
    atomically, so a concurrent step copies the old file or the new one; a folder that cannot
    be written (a read-only image) keeps nothing and fails nothing."""
    parsed = invocation_target / PARTIAL_PARSE_FILE
    if not parsed.is_file() or (kept.is_file() and filecmp.cmp(parsed, kept, shallow=False)):
        return
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        temporary = staged_file(kept.parent, kept.name)
    except OSError:
        return
    try:
        shutil.copyfile(parsed, temporary)
        os.replace(temporary, kept)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        return
    remove(abandoned_siblings(kept))
    forget_least_recently_used(kept.parent)


def forget_least_recently_used(folder: Path, keep: int = KEPT_PARSES) -> None:
    """Remove all but the ``keep`` most recently used parses in ``folder``."""
    parses = []
    for path in folder.glob(f"*{Path(PARTIAL_PARSE_FILE).suffix}"):
        with contextlib.suppress(FileNotFoundError):
            parses.append((path.stat().st_mtime, path))
    for _, path in sorted(parses, reverse=True)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
