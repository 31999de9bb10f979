"""dbt runs through ``LeanDbtCliResource``: the version of this environment's dbt without running
``dbt --version``, another executable still asked, no adapter opened in Dagster's process, and
dbt itself unchanged."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import dagster_dbt.core.resource
from dagster_dbt import DbtCliResource

from dagster_project.defs.dbt.cli_resource import LeanDbtCliResource
from tests.defs.dbt.project import dbt_project

DBT = Path(sys.executable).with_name("dbt")


def test_it_keeps_every_setting_of_the_resource_it_is_made_like(tmp_path):
    resource = DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.project_dir),
        target="local",
        global_config_flags=["--no-use-colors"],
        dbt_executable=str(DBT),
    )

    lean = LeanDbtCliResource.like(resource)

    assert {name: getattr(lean, name) for name in DbtCliResource.model_fields} == {
        name: getattr(resource, name) for name in DbtCliResource.model_fields
    }


def test_this_environments_dbt_version_is_read_without_running_dbt(monkeypatch):
    reported = subprocess.run([DBT, "--version"], capture_output=True, text=True, check=True)
    monkeypatch.setenv("PATH", str(DBT.parent) + os.pathsep + os.environ["PATH"])
    lean = LeanDbtCliResource(project_dir=dbt_project)
    started = []

    def recorded(command):
        started.append(command)
        return subprocess.check_output(command)

    # where dagster-dbt runs `dbt --version`
    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", recorded)

    assert str(lean._cli_version) in reported.stdout
    assert started == []
    assert str(DbtCliResource(project_dir=dbt_project)._cli_version) == str(lean._cli_version)
    assert started, "the stock resource runs dbt --version through this function"


def test_another_dbt_executable_is_still_asked_its_version(tmp_path):
    other = tmp_path / "dbt"
    other.write_text("#!/bin/sh\necho 'Core:'\necho '  - installed: 1.99.3'\n")
    other.chmod(other.stat().st_mode | stat.S_IXUSR)
    lean = LeanDbtCliResource(project_dir=dbt_project, dbt_executable=str(other))

    assert str(lean._cli_version) == "1.99.3"


def test_dbt_builds_with_no_adapter_in_dagsters_process(tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    lean = LeanDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT))

    invocation = lean.cli(["parse"], target_path=tmp_path / "target").wait()

    assert invocation.is_successful()
    assert invocation.adapter is None
    assert (tmp_path / "target" / "manifest.json").is_file()
