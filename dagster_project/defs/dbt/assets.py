"""dbt models as Dagster assets: `dbt build` runs them and their tests (shown as asset checks).

Sources are mapped to the Dagster assets that load them (``meta.dagster.asset_key`` in
``dbt_project/models/sources.yml``), so lineage runs from the Python assets through dbt.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from dagster_project.defs.dbt.partial_parse import (
    invocation_target,
    keep_partial_parse,
    kept_parse_path,
    start_from_kept_parse,
)
from dagster_project.defs.dbt.project import dbt_project
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.servers import Server, talks_to

GROUP = "dbt"


class GroupedDbtTranslator(DagsterDbtTranslator):
    """Puts every dbt model in the ``dbt`` group."""

    def get_group_name(self, dbt_resource_props: Mapping) -> str:
        return GROUP


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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=GroupedDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
    ),
    **talks_to(Server.DBT),
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator:
    """Builds and tests the dbt models in the same warehouse the Dagster assets write to."""
    environment = warehouse.dbt_environment()
    kept = kept_parse_path(dbt_project.project_dir / dbt_project.target_path, environment)
    target = invocation_target(dbt_project.project_dir / dbt_project.target_path, context)
    start_from_kept_parse(target, kept)
    with environment_variables(environment):
        invocation = dbt.cli(["build"], context=context, target_path=target)
    yield from invocation.stream()
    keep_partial_parse(invocation.target_path, kept)
