"""The dbt project as a Dagster Component: dagster-dbt's ``DbtProjectComponent`` (declared in this
folder's ``defs.yaml``), with what this project needs that YAML cannot say:

- dbt reaches the warehouse the Dagster assets write to: the ``DBT_*`` variables profiles.yml
  reads are set from ``WAREHOUSE_URL`` and the ``CLIENT_*`` limits for each invocation;
- each invocation starts from the parse kept for its profile and dbt variables
  (:mod:`.partial_parse`);
- dbt runs through :class:`.cli_resource.LeanDbtCliResource`, which skips what dagster-dbt does
  in Dagster's process before each invocation for features this project does not use;
- dbt is found in this Python's environment, so an unactivated virtualenv works (dagster-dbt
  looks it up on ``PATH``);
- a failed invocation is retried like every step that talks to the warehouse
  (``servers.RETRY_POLICIES``, applied through ``dg.RetryRequested``, since the component's op
  takes no retry policy); its pool comes from ``defs.yaml`` (``op.pool``), checked against
  ``servers.POOLS`` by the tests.

Sources are mapped to the Dagster assets that load them (``meta.dagster.asset_key`` in
``dbt_project/models/sources.yml``), so lineage runs from the Python assets through dbt, and dbt's
tests become asset checks. The manifest is prepared by the set-up step and the image build
(``dagster-dbt project prepare-and-package --components .``); ``prepare_if_dev`` is off, since
``dg`` counts as a development CLI and would run ``dbt parse`` (about 18 s) in every ``dg launch``.
"""

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster.components import DefsStateConfig
from dagster_dbt import DbtCliResource, DbtProjectComponent

from dagster_project import settings
from dagster_project.defs.dbt.cli_resource import LeanDbtCliResource
from dagster_project.defs.dbt.partial_parse import (
    dbt_variables,
    invocation_target,
    keep_partial_parse,
    kept_parse_path,
    start_from_kept_parse,
)
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.servers import RETRY_POLICIES, Server


def put_dbt_on_path() -> None:
    """Put this Python's folder first on ``PATH`` when dbt is installed there and ``PATH`` does
    not find it (a virtualenv used without activating it)."""
    folder = Path(sys.executable).parent
    if (folder / "dbt").exists() and shutil.which("dbt") != str(folder / "dbt"):
        os.environ["PATH"] = os.pathsep.join([str(folder), os.environ.get("PATH", "")])


def warehouse_dbt_environment() -> dict[str, str]:
    """The variables profiles.yml reads, for the warehouse at ``WAREHOUSE_URL``."""
    warehouse = WarehouseResource(url=settings.warehouse_url(), timeouts=settings.client_timeouts())
    return warehouse.dbt_environment()


@contextmanager
def environment_variables(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block (dbt's subprocess copies them when it starts)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class WarehouseDbtProjectComponent(DbtProjectComponent):
    """``DbtProjectComponent`` that builds the models in this project's warehouse."""

    @property
    def defs_state_config(self) -> DefsStateConfig:
        """The base class keys its state by the project's folder; this project declares two
        instances of one project (daily and the rest), told apart by their op's name."""
        base = super().defs_state_config
        op_name = self.op.name if self.op and self.op.name else "dbt"
        return DefsStateConfig(
            key=f"{base.key}[{op_name}]",
            management_type=base.management_type,
            refresh_if_dev=base.refresh_if_dev,
        )

    def build_defs_from_state(
        self, context: dg.ComponentLoadContext, state_path: Path | None
    ) -> dg.Definitions:
        put_dbt_on_path()  # the component creates its DbtCliResource with dbt from PATH
        return super().build_defs_from_state(context, state_path)

    def execute(self, context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
        project = self.dbt_project
        environment = warehouse_dbt_environment()
        project_target = Path(project.project_dir) / project.target_path
        arguments = self.get_cli_args(context)
        kept = kept_parse_path(project_target, environment, dbt_variables(arguments))
        target = invocation_target(project_target, context)
        start_from_kept_parse(target, kept)
        policy = RETRY_POLICIES[Server.DBT]
        try:
            with environment_variables(environment):
                invocation = LeanDbtCliResource.like(dbt).cli(
                    arguments, context=context, target_path=target
                )
            yield from invocation.stream()
        except Exception as error:
            if context.retry_number >= policy.max_retries:
                raise
            raise dg.RetryRequested(
                max_retries=policy.max_retries,
                seconds_to_wait=policy.calculate_delay(context.retry_number + 1),
            ) from error
        keep_partial_parse(invocation.target_path, kept)
