"""dbt's connection takes the warehouse's timeouts: against a PostgreSQL that never answers, a
dbt invocation fails after its attempts, naming the server, instead of waiting for good.

The bound is the test's own timeout: dbt's defaults (ten-second connects) would fit in it, so
the test also reads the connect timeout and retries dbt itself reports using."""

import secrets

import pytest
from dagster_dbt import DbtCliResource

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.defs.dbt.component import environment_variables
from dagster_project.resources.warehouse import WarehouseResource
from tests.defs.dbt.project import dbt_project
from tests.silent_server import MODES, silent_server

# made up per session: the tests check that no error ever shows it
MADE_UP_PASSWORD = secrets.token_hex(12)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", MODES)
def test_dbt_gives_up_on_a_silent_warehouse_after_its_attempts(mode, tmp_path, capsys):
    timeouts = ClientTimeouts(connect_seconds=2, attempts=2)
    dbt = DbtCliResource(project_dir=dbt_project)
    with silent_server(mode) as port:
        warehouse = WarehouseResource(
            url=f"postgresql+psycopg2://analyst:{MADE_UP_PASSWORD}@127.0.0.1:{port}/warehouse",
            timeouts=timeouts,
        )
        with environment_variables(warehouse.dbt_environment()):
            invocation = dbt.cli(
                ["debug", "--connection"], target_path=tmp_path / "target", raise_on_error=False
            )
        invocation.wait()
        output = capsys.readouterr().out  # dagster-dbt re-emits dbt's output on stdout

    assert not invocation.is_successful()
    # dbt debug lists the connection it used: the warehouse's timeouts, not dbt's defaults
    assert f"connect_timeout: {timeouts.libpq_connect_seconds}\n" in output
    assert f"retries: {timeouts.attempts - 1}\n" in output
    assert f"port {port}" in output
    assert "timeout expired" in output
    assert MADE_UP_PASSWORD not in output
