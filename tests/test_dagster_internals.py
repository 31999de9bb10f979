"""The names of Dagster's internals the project relies on (dagster_project/dagster_internals.py)
exist in the installed Dagster, a missing one is reported with what uses it, and no other module
of the package imports an internal name."""

import ast
import importlib
from pathlib import Path

import dagster as dg
import pytest
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager
from upath import UPath

from dagster_project import dagster_internals

PACKAGE = Path(__file__).resolve().parents[1] / "dagster_project"


@pytest.mark.parametrize("name", sorted(dagster_internals.INTERNAL_NAMES))
def test_each_internal_name_is_where_the_project_expects_it(name):
    module, user = dagster_internals.INTERNAL_NAMES[name]

    assert hasattr(importlib.import_module(module), name), (
        f"{module}.{name} is gone: dagster_project/{user} needs it"
    )


def test_a_missing_name_is_reported_with_its_module_and_its_user(monkeypatch):
    monkeypatch.setitem(
        dagster_internals.INTERNAL_NAMES,
        "NoSuchThing",
        ("dagster._core.launcher.base", "instance/run_launcher.py"),
    )

    with pytest.raises(dagster_internals.DagsterInternalMissingError) as raised:
        dagster_internals.internal("NoSuchThing")

    assert str(raised.value).startswith(
        "The installed Dagster has no dagster._core.launcher.base.NoSuchThing, which "
        "dagster_project/instance/run_launcher.py uses"
    )


class PlainUPathIOManager(dg.UPathIOManager):
    def dump_to_path(self, context, obj, path) -> None:
        pass

    def load_from_path(self, context, path) -> None:
        pass


def test_the_attributes_the_project_replaces_are_still_there(tmp_path):
    manager = S3ComputeLogManager(bucket="unused", local_dir=str(tmp_path), skip_empty_files=True)
    upath_manager = PlainUPathIOManager(base_path=UPath(tmp_path))

    assert hasattr(manager, dagster_internals.COMPUTE_LOG_CLIENT_ATTRIBUTE)
    assert getattr(upath_manager, dagster_internals.UPATH_BASE_ATTRIBUTE) == UPath(tmp_path)


def test_no_other_module_imports_an_internal_name():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "dagster_internals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in ("dagster", "dagster_shared")
                and any(part.startswith("_") for part in name.split(".")[1:])
            ]

    assert not offenders, "import through dagster_project/dagster_internals.py:\n" + "\n".join(
        offenders
    )


def test_the_dbt_cli_members_the_project_replaces_are_still_there():
    from dagster_dbt import DbtCliResource

    from dagster_project.defs.dbt.cli_resource import LeanDbtCliResource

    for name in dagster_internals.DBT_CLI_OVERRIDDEN:
        assert name in vars(DbtCliResource), f"dagster-dbt's DbtCliResource has no {name}"
        assert name in vars(LeanDbtCliResource)
