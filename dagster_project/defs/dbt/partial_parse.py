"""Each dbt step starts from a parse of the project made with its own profile.

dbt reuses a parse (``partial_parse.msgpack``) only when it was made with the same profile:
target and connection, e.g. the DuckDB file's path. The set-up step prepares
``target/partial_parse.msgpack`` with the embedded default's profile, which dagster-dbt copies
into every invocation's target folder. Under another profile (the stack's PostgreSQL, a test's
own DuckDB file) dbt would parse the whole project again in every step, so each step keeps the
parse it made under ``target/partial_parses/<profile key>.msgpack`` and the next step with the
same profile starts from it. The key hashes the profile's variables without the password.
"""

import contextlib
import filecmp
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from dagster_project.io_managers.temporary_files import abandoned_siblings, remove, staged_file

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
KEPT_PARSES_FOLDER = "partial_parses"


def kept_parse_path(project_target: Path, environment: Mapping[str, str]) -> Path:
    """Where the parse made under this profile (dbt's environment variables) is kept."""
    visible = {name: value for name, value in environment.items() if "PASSWORD" not in name}
    key = hashlib.sha256(json.dumps(visible, sort_keys=True).encode()).hexdigest()[:16]
    return project_target / KEPT_PARSES_FOLDER / f"{key}.msgpack"


def invocation_target(project_target: Path, context: dg.AssetExecutionContext) -> Path:
    """A target folder of this step's own, named like dagster-dbt names them."""
    op_name = context.op_execution_context.op.name
    return project_target / f"{op_name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"


def start_from_kept_parse(target: Path, kept: Path) -> None:
    """Put the kept parse in ``target`` (dagster-dbt then leaves it there); without one, the
    prepared parse is copied as usual."""
    if kept.is_file():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, target / PARTIAL_PARSE_FILE)


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
