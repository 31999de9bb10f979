"""What the names of the docs refer to: the definitions' assets, groups, jobs, schedules and
sensors, the repository's files and the project's modules."""

import re
import subprocess
from functools import cache
from pathlib import Path

import dagster as dg

from tests.docs.pages import REPOSITORY_ROOT

# Paths the code makes at run time, never committed.
GENERATED = (".local/", ".venv/", "test-artifacts/", "dbt_project/target/", ".env")
# The group docs/template.md has the reader add: its paths exist once the reader made them.
TEMPLATE_GROUP = "/sales/"
# Folders a page names paths relative to, besides its own and the repository's root.
PATH_ROOTS = ("dagster_project", "deploy")
TOP_LEVEL = {path.split("/")[0] for path in GENERATED} | {
    path.name for path in REPOSITORY_ROOT.iterdir()
}
FILE_SUFFIXES = (".py", ".md", ".sh", ".yml", ".yaml", ".toml", ".txt", ".json", ".sql", ".cfg")
MODULE = re.compile(r"(dagster_project|deploy|benchmarks)(\.[a-z_][a-z0-9_]*)+")
ASSET_KEY = re.compile(r"(marts|staging)/[a-z_][a-z0-9_]*")
DEFINITION = re.compile(r"[a-z][a-z0-9_]*_(job|schedule|sensor)")


@cache
def tracked_files() -> frozenset[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return frozenset(listed.splitlines())


def is_path(span: str) -> bool:
    """Whether a code span names a file or folder of the repository (not a URL, a placeholder,
    an asset key or a metadata key such as ``dagster/row_count``)."""
    if " " in span or any(mark in span for mark in ("://", "<", "*", "...", "$", "=")):
        return False
    if span.startswith("/") or ASSET_KEY.fullmatch(span) or re.fullmatch(r"\.[a-z]+", span):
        return False  # a container's path, an asset key, a file extension
    return span.endswith(FILE_SUFFIXES) or span.endswith("/") or span.split("/")[0] in TOP_LEVEL


def path_exists(span: str, page: Path) -> bool:
    if span.startswith(GENERATED) or span.rstrip("/") in {".local", ".venv", "test-artifacts"}:
        return True
    if TEMPLATE_GROUP in span:
        return True
    candidates = [page.parent / span, REPOSITORY_ROOT / span]
    candidates += [REPOSITORY_ROOT / root / span for root in PATH_ROOTS]
    if any(candidate.exists() for candidate in candidates):
        return True
    # a bare file name (`small.py`) names a file of its page's topic: some tracked file has it
    return "/" not in span and any(Path(name).name == span for name in tracked_files())


def definition_names(definitions: dg.Definitions) -> dict[str, set[str]]:
    graph = definitions.resolve_asset_graph()
    return {
        "asset": {key.to_user_string() for key in graph.get_all_asset_keys()},
        "group": {graph.get(key).group_name for key in graph.get_all_asset_keys()},
        "job": {job.name for job in definitions.jobs or []},
        "schedule": {schedule.name for schedule in definitions.schedules or []},
        "sensor": {sensor.name for sensor in definitions.sensors or []},
    }
