"""The users' `docker compose up`, for real: the images built from deploy/Dockerfile, every
service healthy, the whole graph launched through the webserver's GraphQL API on its published
127.0.0.1 port, the data where each tier puts it, the UI in a real browser, a reload of the code
location from the UI with a run in flight, the stack's behaviour across a `down` in the middle of
a run and `up`, and wrong credentials. The tests run
in this order on one stack (conftest.py); the faults of test_compose_stack_faults.py follow."""

import secrets
import statistics
import time
from pathlib import Path

import pytest

from dagster_project.definitions import defs
from dagster_project.launch_plan import Launch, launch_plan
from dagster_project.tiers import GROUP_TIERS, Tier
from tests.compose import faults
from tests.compose.conftest import ARTIFACTS, write_env_file
from tests.deploy import graphql_runs
from tests.deploy.test_browser import screenshot_asset_catalog
from tests.stack_layout import LAKE_DATASETS, WAREHOUSE_TABLES, assert_each_tier_in_its_own_place

pytestmark = [pytest.mark.compose, pytest.mark.docker]

FILE_TIERS = {Tier.SMALL, Tier.MEDIUM, Tier.TIME_SERIES}
ALL_ASSETS = {key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys}
SMALL_GROUP = Launch(groups=("ecommerce",))
SPARK_GROUP = Launch(groups=("spark",))


@pytest.fixture(scope="module")
def launched(compose_stack):
    started = time.monotonic()
    statuses = graphql_runs.launch_everything(compose_stack.webserver_port)
    compose_stack.timings["whole_graph_s"] = time.monotonic() - started
    return statuses


@pytest.fixture(scope="module")
def stack_state(compose_stack, launched) -> dict:
    return compose_stack.probe()


def test_every_launch_succeeds_through_the_webserver_daemon_and_code_location(launched):
    assert launched == {launch.selection: "SUCCESS" for launch in launch_plan(defs)}


def test_every_asset_is_materialized_in_the_postgres_instance(stack_state):
    assert set(stack_state["materialized"]) == ALL_ASSETS
    assert sorted(stack_state["runs"].values()) == ["SUCCESS"] * len(launch_plan(defs))


def test_every_stored_value_has_the_uniform_metadata_with_values(stack_state):
    graph = defs.resolve_asset_graph()
    file_tier_assets = {
        key.to_user_string()
        for key in graph.materializable_asset_keys
        if GROUP_TIERS.get(graph.get(key).group_name) in FILE_TIERS
    }

    assert file_tier_assets
    for asset in file_tier_assets:
        metadata = stack_state["metadata"][asset]
        # the stack's small tier once recorded the keys' absence: each must hold a number
        for key in ("file_size_mb", "serialization_seconds", "memory_size_mb"):
            assert isinstance(metadata.get(key), int | float), (asset, metadata)
    assert any(stack_state["metadata"][asset]["file_size_mb"] > 0 for asset in file_tier_assets)


def test_each_tier_stores_its_values_in_its_own_place(stack_state):
    assert_each_tier_in_its_own_place(set(stack_state["objects"]))


def test_warehouse_tables_and_dbt_models_hold_rows_in_postgres(stack_state):
    rows = stack_state["warehouse"]

    for table in WAREHOUSE_TABLES:
        assert rows.get(table, 0) > 0, table
    assert rows["raw.raw_transactions"] == 10_000  # a million at scale 1, DATA_SCALE=0.01


def test_the_spark_datasets_are_in_the_shared_lake(stack_state):
    datasets = {str(Path(version).parent) for version in stack_state["lake"]}

    assert datasets == LAKE_DATASETS
    assert all(size > 0 for size in stack_state["lake"].values())


def test_a_runs_compute_logs_are_read_back_by_the_webserver(compose_stack, stack_state):
    """The code location writes step logs to the object store; the webserver reads them."""
    run_id = next(iter(stack_state["runs"]))

    logs = graphql_runs.captured_logs(compose_stack.webserver_port, run_id)

    assert logs and any(
        "STEP_START" in text or "Started execution" in text for text in logs.values()
    )


def test_the_ui_shows_every_group_in_a_real_browser(compose_stack, launched):
    screenshot = ARTIFACTS / "compose-asset-catalog.png"

    text = screenshot_asset_catalog(compose_stack.webserver_url, screenshot)

    assert screenshot.stat().st_size > 10_000
    assert "Never materialized" not in text  # the UI reads the same PostgreSQL instance


RUN_TIMES = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run { status creationTime startTime stepStats { startTime } }
  }
}
"""
LATENCY_RUNS = 10


def test_launch_latency_through_graphql_over_ten_runs(compose_stack, launched):
    """Ten runs of one small asset, one after another: from the launch to the run's first step,
    and from queued to started, recorded (median) in test-artifacts/compose-timings.json."""
    port = compose_stack.webserver_port
    to_first_step, queued_to_started = [], []
    for _ in range(LATENCY_RUNS):
        launched_at = time.time()
        run_id = graphql_runs.submit(port, Launch(assets=("orders_raw",)))
        assert graphql_runs.wait_for(port, run_id, timeout_s=300) == "SUCCESS"
        run = graphql_runs.query(port, RUN_TIMES, runId=run_id)["runOrError"]
        first_step = min(step["startTime"] for step in run["stepStats"])
        assert launched_at - 1 <= run["creationTime"] <= run["startTime"] <= first_step
        to_first_step.append(first_step - launched_at)
        queued_to_started.append(run["startTime"] - run["creationTime"])
    compose_stack.timings["launch_to_first_step_s_median"] = statistics.median(to_first_step)
    compose_stack.timings["queued_to_started_s_median"] = statistics.median(queued_to_started)
    compose_stack.timings["launch_to_first_step_s"] = to_first_step
    compose_stack.timings["queued_to_started_s"] = queued_to_started


RELOAD = """
mutation ($location: String!) {
  reloadRepositoryLocation(repositoryLocationName: $location) {
    __typename
    ... on WorkspaceLocationEntry { loadStatus versionKey }
    ... on PythonError { message }
  }
}
"""
LOCATION_VERSION = """
{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus versionKey } } } }
"""


def location_version(port: int) -> str:
    entries = graphql_runs.query(port, LOCATION_VERSION)["workspaceOrError"]["locationEntries"]
    (entry,) = [entry for entry in entries if entry["name"] == graphql_runs.LOCATION]
    assert entry["loadStatus"] == "LOADED", entry
    return entry["versionKey"]


def test_the_code_location_reloads_from_the_ui_and_the_run_in_flight_still_succeeds(
    compose_stack, launched
):
    """`dagster code-server start` reloads the code in a new process; the run that started
    before the reload finishes in the old one, and run monitoring does not fail it."""
    port = compose_stack.webserver_port
    before = location_version(port)
    in_flight = graphql_runs.submit(port, SPARK_GROUP)
    assert graphql_runs.wait_for(port, in_flight, {"STARTED", *graphql_runs.TERMINAL}) == "STARTED"

    reloaded = graphql_runs.query(port, RELOAD, location=graphql_runs.LOCATION)
    entry = reloaded["reloadRepositoryLocation"]

    assert entry["__typename"] == "WorkspaceLocationEntry", entry
    assert entry["loadStatus"] == "LOADED"
    assert location_version(port) != before  # a new server process serves the code
    assert graphql_runs.wait_for(port, in_flight) == "SUCCESS"
    after = graphql_runs.submit(port, SMALL_GROUP)
    assert graphql_runs.wait_for(port, after) == "SUCCESS"


def test_down_in_the_middle_of_a_run_and_up_again_loses_nothing_and_fails_only_that_run(
    compose_stack, stack_state
):
    """tini forwards the stop signal to the run's process group: the run ends as FAILURE, and
    does not hold a queue slot forever as a STARTED run would. Every earlier run, materialization,
    stored object, warehouse row and Spark dataset is there after `up`."""
    port = compose_stack.webserver_port
    before = compose_stack.probe()
    run_id = graphql_runs.submit(port, SPARK_GROUP)
    assert graphql_runs.wait_for(port, run_id, {"STARTED", *graphql_runs.TERMINAL}) == "STARTED"

    compose_stack.compose("down")
    compose_stack.timings["up_again_s"] = compose_stack.up()

    assert graphql_runs.wait_for(port, run_id, graphql_runs.TERMINAL, timeout_s=60) == "FAILURE"
    after = compose_stack.probe()
    faults.nothing_lost(before, after)
    assert after["warehouse"] == before["warehouse"]
    next_run = graphql_runs.submit(port, SMALL_GROUP)
    assert graphql_runs.wait_for(port, next_run) == "SUCCESS"
    # run_retries may have launched the killed run again: the tests after this one start from
    # a quiet stack
    faults.poll(lambda: not faults.unfinished(compose_stack), "every run finished", 600)


def one_off_materialize(compose_stack, tmp_path, **wrong: str):
    """`dagster asset materialize` of one small asset in a one-off code-location container
    whose .env has the ``wrong`` values."""
    env_file = tmp_path / ".env"
    write_env_file(env_file, **{**compose_stack.values, **wrong})
    return compose_stack.compose(
        "run",
        "--rm",
        "--no-deps",
        "-T",
        "code-location",
        "dagster",
        "asset",
        "materialize",
        "-m",
        "dagster_project.definitions",
        "--select",
        "orders_raw",
        env_file=env_file,
        check=False,
        timeout=300,
    )


def test_a_wrong_object_store_secret_names_the_endpoint_not_the_secret(compose_stack, tmp_path):
    wrong = f"not-the-secret-{secrets.token_hex(8)}"

    result = one_off_materialize(compose_stack, tmp_path, AWS_SECRET_ACCESS_KEY=wrong)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "http://minio:9000" in output
    assert wrong not in output
    assert compose_stack.values["AWS_SECRET_ACCESS_KEY"] not in output


def test_a_wrong_postgres_password_names_the_endpoint_not_the_secret(compose_stack, tmp_path):
    wrong = f"not-the-password-{secrets.token_hex(8)}"

    result = one_off_materialize(compose_stack, tmp_path, DAGSTER_PG_PASSWORD=wrong)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert '"postgres"' in output and "5432" in output
    assert "password authentication failed" in output
    assert wrong not in output
