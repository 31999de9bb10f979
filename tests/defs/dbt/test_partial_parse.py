"""dbt starts from a parse of the project instead of parsing it again in every step.

dbt reuses ``partial_parse.msgpack`` only when it was made with the same profile (target and
connection). The set-up step prepares it with the embedded default's profile, and each dbt step
keeps the parse it made, by profile, so the next step under the same profile reuses it.
"""

import json
import os
import secrets
from pathlib import Path

from dagster_project import settings
from dagster_project.defs.dbt.cli_resource import LeanDbtCliResource
from dagster_project.defs.dbt.component import environment_variables
from dagster_project.defs.dbt.partial_parse import (
    KEPT_PARSES,
    PARTIAL_PARSE_FILE,
    dbt_variables,
    keep_partial_parse,
    kept_parse_path,
    start_from_kept_parse,
)
from dagster_project.resources.warehouse import WarehouseResource
from tests.defs.dbt.project import dbt_project

PREPARED = dbt_project.project_dir / dbt_project.target_path / PARTIAL_PARSE_FILE


def parse(warehouse_url: str, target: Path, arguments: tuple[str, ...] = ()) -> list[str]:
    """Run ``dbt parse`` for this warehouse into ``target``; the reasons dbt gave for parsing
    the whole project (none when it reused a parse)."""
    dbt = LeanDbtCliResource(project_dir=dbt_project)  # as the steps run dbt
    with environment_variables(WarehouseResource(url=warehouse_url).dbt_environment()):
        dbt.cli(["parse", *arguments], target_path=target).wait()
    events = (json.loads(line) for line in (target / "dbt.log").read_text().splitlines())
    return [
        event["data"]["reason"]
        for event in events
        if event["info"]["name"] == "UnableToPartialParse"
    ]


def test_the_prepared_parse_serves_the_embedded_default(tmp_path):
    assert PREPARED.is_file(), "the set-up step (scripts/lib/environment.sh) prepares it"

    assert parse(settings.warehouse_url({}), tmp_path / "target") == []


def test_a_step_under_another_profile_leaves_its_parse_for_the_next(tmp_path):
    other_warehouse = f"duckdb:///{tmp_path / 'other.duckdb'}"
    environment = WarehouseResource(url=other_warehouse).dbt_environment()
    kept = kept_parse_path(tmp_path / "project_target", environment)
    first, second = tmp_path / "first", tmp_path / "second"

    assert "profile has changed" in parse(other_warehouse, first)
    keep_partial_parse(first, kept)
    start_from_kept_parse(second, kept)

    assert parse(other_warehouse, second) == []


def test_profiles_are_kept_apart_and_named_without_their_password(tmp_path):
    password, rotated_password = secrets.token_hex(8), secrets.token_hex(8)  # made up
    url = f"postgresql://analyst:{password}@db:5432/w"
    stack = WarehouseResource(url=url).dbt_environment()
    rotated = {**stack, "DBT_WAREHOUSE_PASSWORD": rotated_password}
    other_host = {**stack, "DBT_WAREHOUSE_HOST": "replica"}

    assert kept_parse_path(tmp_path, stack) == kept_parse_path(tmp_path, rotated)
    assert kept_parse_path(tmp_path, stack) != kept_parse_path(tmp_path, other_host)
    assert password not in str(kept_parse_path(tmp_path, stack))


def test_a_target_without_a_kept_parse_is_left_to_dagster_dbt(tmp_path):
    start_from_kept_parse(tmp_path / "target", tmp_path / "none.msgpack")

    assert not (tmp_path / "target").exists()


def test_keeping_a_parse_replaces_only_a_different_file(tmp_path):
    invocation, project = tmp_path / "invocation", tmp_path / "project"
    invocation.mkdir()
    project.mkdir()
    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"new parse")
    (project / PARTIAL_PARSE_FILE).write_bytes(b"old parse")

    keep_partial_parse(invocation, project / PARTIAL_PARSE_FILE)

    assert (project / PARTIAL_PARSE_FILE).read_bytes() == b"new parse"
    assert sorted(path.name for path in project.iterdir()) == [PARTIAL_PARSE_FILE]
    before = (project / PARTIAL_PARSE_FILE).stat().st_mtime_ns
    keep_partial_parse(invocation, project / PARTIAL_PARSE_FILE)  # same content: not rewritten
    assert (project / PARTIAL_PARSE_FILE).stat().st_mtime_ns == before


def test_an_invocation_without_a_parse_or_a_project_it_cannot_write_changes_nothing(tmp_path):
    invocation, project = tmp_path / "invocation", tmp_path / "project"
    invocation.mkdir()
    project.mkdir()
    (project / PARTIAL_PARSE_FILE).write_bytes(b"prepared")

    keep_partial_parse(invocation, project / PARTIAL_PARSE_FILE)  # it failed before parsing
    assert (project / PARTIAL_PARSE_FILE).read_bytes() == b"prepared"

    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"new parse")
    (tmp_path / "a file").write_bytes(b"")
    keep_partial_parse(invocation, tmp_path / "a file" / "kept.msgpack")  # cannot be a folder
    assert (project / PARTIAL_PARSE_FILE).read_bytes() == b"prepared"


def test_parses_made_with_other_dbt_variables_are_kept_apart(tmp_path):
    warehouse = f"duckdb:///{tmp_path / 'other.duckdb'}"
    environment = WarehouseResource(url=warehouse).dbt_environment()
    january = ("--vars", '{"start_date": "2024-01-01", "end_date": "2024-02-01"}')
    february = ("--vars", '{"start_date": "2024-02-01", "end_date": "2024-03-01"}')
    project_target = tmp_path / "project_target"
    plain = kept_parse_path(project_target, environment, dbt_variables(["build"]))
    kept_january = kept_parse_path(project_target, environment, dbt_variables(["build", *january]))
    kept_february = kept_parse_path(project_target, environment, dbt_variables(february))
    assert len({plain, kept_january, kept_february}) == 3

    parse(warehouse, tmp_path / "january", january)
    keep_partial_parse(tmp_path / "january", kept_january)
    start_from_kept_parse(tmp_path / "january-again", kept_january)
    start_from_kept_parse(tmp_path / "february", kept_january)

    assert parse(warehouse, tmp_path / "january-again", january) == []
    # what the key guards against: dbt parses everything again under other --vars
    assert "config vars" in " ".join(parse(warehouse, tmp_path / "february", february))


def test_the_vars_argument_is_read_in_either_spelling():
    assert dbt_variables(["build", "--vars", '{"a": 1}', "--select", "x"]) == '{"a": 1}'
    assert dbt_variables(["build", '--vars={"a": 1}']) == '{"a": 1}'
    assert dbt_variables(["build", "--vars"]) is None
    assert dbt_variables(["build"]) is None


def test_only_the_most_recently_used_parses_are_kept(tmp_path):
    project_target, invocation = tmp_path / "project_target", tmp_path / "invocation"
    invocation.mkdir()
    kept = [kept_parse_path(project_target, {}, f'{{"day": {day}}}') for day in range(KEPT_PARSES)]
    for day, path in enumerate(kept):
        (invocation / PARTIAL_PARSE_FILE).write_bytes(f"parse of day {day}".encode())
        keep_partial_parse(invocation, path)
        os.utime(path, (1_000_000 + day, 1_000_000 + day))
    start_from_kept_parse(tmp_path / "reused", kept[0])  # the oldest, used again

    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"one more")
    keep_partial_parse(invocation, kept_parse_path(project_target, {}, "another window"))

    remaining = set(kept[0].parent.glob("*.msgpack"))
    assert len(remaining) == KEPT_PARSES
    assert kept[0] in remaining and kept[1] not in remaining
