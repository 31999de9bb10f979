"""The whole graph through the native stack: runs launched through the webserver's GraphQL API,
dequeued by the daemon, executed by the code server; the data where each tier puts it; the
monitoring group's view of it, in the data and in a real browser; all of it still there after
the stack went down and up again."""

import hashlib
import json
import os
import pickle
import time
from pathlib import Path

import boto3
import dagster as dg
import psutil
import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from dagster_project.definitions import defs
from dagster_project.launch_plan import Launch, launch_plan
from deploy.native_stack import NativeStack
from tests.deploy.graphql_runs import TERMINAL, launch_everything, submit, wait_for
from tests.deploy.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_FLAGS,
    dismiss_first_visit_dialog,
)
from tests.stack_layout import LAKE_DATASETS, WAREHOUSE_TABLES, assert_each_tier_in_its_own_place


def s3_client(stack):
    environ = stack.environ
    return boto3.client(
        "s3",
        endpoint_url=environ["S3_ENDPOINT_URL"],
        aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )


def s3_keys(stack) -> set[str]:
    pages = (
        s3_client(stack)
        .get_paginator("list_objects_v2")
        .paginate(Bucket=stack.environ["S3_BUCKET"])
    )
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def warehouse_tables(stack) -> set[str]:
    engine = sa.create_engine(stack.environ["WAREHOUSE_URL"])
    try:
        inspector = sa.inspect(engine)
        return {
            f"{schema}.{name}"
            for schema in ("raw", "analytics", "staging", "marts")
            for name in inspector.get_table_names(schema) + inspector.get_view_names(schema)
        }
    finally:
        engine.dispose()


def lake_datasets(stack) -> set[str]:
    lake = Path(stack.environ["LAKE_URL"].removeprefix("file://"))
    return {str(marker.parent.parent.relative_to(lake)) for marker in lake.rglob("_SUCCESS")}


def instance_state(stack) -> tuple[set[str], int]:
    """Assets with a materialization, and the number of runs, in the PostgreSQL instance."""
    saved = dict(os.environ)
    os.environ.update(stack.environ)
    try:
        with dg.DagsterInstance.get() as instance:
            materialized = {
                key.to_user_string()
                for key in defs.resolve_asset_graph().materializable_asset_keys
                if instance.get_latest_materialization_event(key) is not None
            }
            return materialized, len(instance.get_runs())
    finally:
        os.environ.clear()
        os.environ.update(saved)


def recorded_memory_sizes(stack, assets: list[str]) -> dict[str, float]:
    """``memory_size_mb`` of each asset's latest materialization, where it has one."""
    saved = dict(os.environ)
    os.environ.update(stack.environ)
    try:
        with dg.DagsterInstance.get() as instance:
            recorded = {}
            for asset in assets:
                event = instance.get_latest_materialization_event(
                    dg.AssetKey.from_user_string(asset)
                )
                metadata = event.asset_materialization.metadata
                if "memory_size_mb" in metadata:
                    recorded[asset] = metadata["memory_size_mb"].value
            return recorded
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def materialized_stack(native_stack):
    started = time.monotonic()
    statuses = launch_everything(int(native_stack.environ["DAGSTER_WEBSERVER_PORT"]))
    timings = {"up_s": native_stack.started_in_s, "whole_graph_s": time.monotonic() - started}
    ARTIFACTS.mkdir(exist_ok=True)  # beside the compose stack's, for comparison
    (ARTIFACTS / "native-stack-timings.json").write_text(json.dumps(timings, indent=2))
    return native_stack, statuses


def test_every_launch_succeeds_through_the_webserver_daemon_and_code_server(materialized_stack):
    _, statuses = materialized_stack

    assert statuses == {launch.selection: "SUCCESS" for launch in launch_plan(defs)}


def test_every_asset_is_materialized_in_the_postgres_instance(materialized_stack):
    stack, _ = materialized_stack
    materialized, runs = instance_state(stack)

    all_assets = {
        key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys
    }
    assert materialized == all_assets
    assert runs == len(launch_plan(defs))


def test_prometheus_scrapes_the_exporter_and_counts_every_run(materialized_stack):
    """Prometheus (Debian's binary, the compose configuration) has the exporter's target up, and
    its finished-run counters add up to the runs the stack ran, all successful."""
    stack, _ = materialized_stack
    ports = NativeStack(stack.folder).monitoring_ports()

    def query(expression: str) -> list[dict]:
        answer = requests.get(
            f"http://127.0.0.1:{ports.prometheus}/api/v1/query",
            params={"query": expression},
            timeout=10,
        ).json()
        return answer["data"]["result"]

    def counted(status: str) -> float:
        (result,) = query(f'sum(dagster_runs_finished_total{{status="{status}"}})') or [None]
        return float(result["value"][1]) if result else -1.0

    def up() -> list[float]:
        return [float(result["value"][1]) for result in query("dagster_up")]

    runs = len(launch_plan(defs))
    # a few scrape intervals (15 s): a read slower than the exporter's deadline on a loaded
    # machine answers dagster_up 0 and no counters, and the next scrape reads again
    deadline = time.monotonic() + 120
    while True:
        scraped = {"SUCCESS": counted("SUCCESS"), "FAILURE": counted("FAILURE"), "up": up()}
        if (scraped["up"] == [1.0] and scraped["SUCCESS"] == runs) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert scraped == {"SUCCESS": runs, "FAILURE": 0, "up": [1.0]}
    (target,) = [
        target
        for target in requests.get(
            f"http://127.0.0.1:{ports.prometheus}/api/v1/targets", timeout=10
        ).json()["data"]["activeTargets"]
        if target["labels"]["job"] == "dagster"
    ]
    assert target["health"] == "up", target
    ready = requests.get(f"http://127.0.0.1:{ports.alertmanager}/-/ready", timeout=10)
    assert ready.ok


def test_each_tier_stores_its_values_in_its_own_place(materialized_stack):
    stack, _ = materialized_stack
    keys = s3_keys(stack)

    assert_each_tier_in_its_own_place(keys)
    assert set(WAREHOUSE_TABLES) <= warehouse_tables(stack)
    assert lake_datasets(stack) == LAKE_DATASETS


def test_the_monitoring_run_read_every_other_runs_records(materialized_stack):
    """The monitoring group ran in its own run process, after the others, and still saw them:
    its data comes from the PostgreSQL instance, not from memory."""
    stack, _ = materialized_stack
    stored = s3_client(stack).get_object(
        Bucket=stack.environ["S3_BUCKET"], Key="storage/small/performance_metrics"
    )
    metrics = pickle.loads(stored["Body"].read())

    all_assets = {
        key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys
    }
    assert set(metrics["asset_key"]) == all_assets
    others = metrics[metrics["group"] != "monitoring"]
    assert set(others["status"]) == {"materialized"}
    assert others["step_seconds"].notna().all()
    # The capacity plan holds every other asset, with the in-memory size its latest
    # materialization recorded.
    stored_plan = s3_client(stack).get_object(
        Bucket=stack.environ["S3_BUCKET"], Key="storage/small/capacity_plan"
    )
    plan = pickle.loads(stored_plan["Body"].read())
    planned = {row["category"]: row["memory_size_mb"] for row in plan["memory"]["categories"]}
    assert set(others["asset_key"]) <= set(planned)
    recorded = recorded_memory_sizes(stack, sorted(planned))
    assert recorded and {key: planned[key] for key in recorded} == recorded


def test_the_dashboard_chart_opens_in_the_ui(materialized_stack):
    stack, _ = materialized_stack
    screenshot = ARTIFACTS / "performance-dashboard.png"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            dismiss_first_visit_dialog(page)
            page.goto(f"{stack.webserver_url}/assets/performance_dashboard")
            page.get_by_text("[Show Markdown]").first.click(timeout=60_000)  # the "chart" row
            chart = page.locator("img[src^='data:image/png']").first
            chart.wait_for(timeout=30_000)
            width = chart.evaluate("image => image.naturalWidth")
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()

    assert width > 500  # the PNG decoded and rendered


def run_ids_tagged(stack, tag: str, value: str) -> list[str]:
    saved = dict(os.environ)
    os.environ.update(stack.environ)
    try:
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs(filters=dg.RunsFilter(tags={tag: value}))
            return [run.run_id for run in runs]
    finally:
        os.environ.clear()
        os.environ.update(saved)


def worker_health(stack, run_id: str) -> str:
    """What the stack's run launcher answers the daemon's run monitoring about ``run_id``."""
    saved = dict(os.environ)
    os.environ.update(stack.environ)
    try:
        with dg.DagsterInstance.get() as instance:
            launcher = instance.run_launcher
            assert launcher.supports_check_run_worker_health
            return launcher.check_run_worker_health(instance.get_run_by_id(run_id)).status.value
    finally:
        os.environ.clear()
        os.environ.update(saved)


def new_descendant(
    process: psutil.Process, before: set[int], timeout_s: float = 60
) -> psutil.Process:
    """The first Python process started under ``process`` (at any depth) that is not in
    ``before`` (the run's Spark JVM, started later, is not one)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        new = [
            child
            for child in process.children(recursive=True)
            if child.pid not in before and child.name().startswith("python")
        ]
        if new:
            return new[0]
        time.sleep(0.2)
    raise TimeoutError(f"no new process under {process.pid} within {timeout_s} s")


def test_a_run_whose_process_dies_is_failed_and_launched_again(materialized_stack):
    stack, _ = materialized_stack
    port = int(stack.environ["DAGSTER_WEBSERVER_PORT"])
    state = json.loads((stack.folder / "state.json").read_text())
    # python -m dagster_project.instance.code_server, which runs `dagster code-server start`,
    # whose gRPC server starts each run's process
    code_server = psutil.Process(state["code_location"]["pid"])
    before = {child.pid for child in code_server.children(recursive=True)}

    run_id = submit(port, Launch(groups=("spark",)))
    worker = new_descendant(code_server, before)  # the run's own process
    assert wait_for(port, run_id, {"STARTED"}, timeout_s=120) == "STARTED"
    time.sleep(2)  # into the run's steps
    assert worker_health(stack, run_id) == "RUNNING"  # the code server has its live process
    killed_at = time.monotonic()
    worker.kill()
    status = wait_for(port, run_id, TERMINAL, timeout_s=120)
    detected_s = time.monotonic() - killed_at

    assert status == "FAILURE"
    # what run monitoring would conclude had the server died too: no live process for the run
    assert worker_health(stack, run_id) == "FAILED"
    deadline = time.monotonic() + 180
    retries = run_ids_tagged(stack, "dagster/parent_run_id", run_id)
    while not retries and time.monotonic() < deadline:
        time.sleep(2)
        retries = run_ids_tagged(stack, "dagster/parent_run_id", run_id)
    retried_s = time.monotonic() - killed_at
    assert len(retries) == 1, "run_retries launched no retry"
    assert wait_for(port, retries[0]) == "SUCCESS"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "native-stack-dead-run.json").write_text(
        json.dumps({"failed_after_kill_s": detected_s, "retry_launched_after_kill_s": retried_s})
    )


def s3_checksums(stack) -> dict[str, str]:
    client = s3_client(stack)
    bucket = stack.environ["S3_BUCKET"]
    return {
        key: hashlib.sha256(client.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()
        for key in s3_keys(stack)
    }


def warehouse_row_counts(stack) -> dict[str, int]:
    engine = sa.create_engine(stack.environ["WAREHOUSE_URL"])
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in warehouse_tables(stack)
            }
    finally:
        engine.dispose()


def lake_checksums(stack) -> dict[str, str]:
    lake = Path(stack.environ["LAKE_URL"].removeprefix("file://"))
    return {
        str(file.relative_to(lake)): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in lake.rglob("*")
        if file.is_file()
    }


def run_statuses(stack) -> dict[str, str]:
    saved = dict(os.environ)
    os.environ.update(stack.environ)
    try:
        with dg.DagsterInstance.get() as instance:
            return {run.run_id: run.status.value for run in instance.get_runs()}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def stack_contents(stack) -> dict[str, object]:
    return {
        "materialized": instance_state(stack)[0],
        "runs": run_statuses(stack),
        "objects": s3_checksums(stack),
        "tables": warehouse_row_counts(stack),
        "lake": lake_checksums(stack),
    }


def test_runs_and_data_survive_down_and_up(materialized_stack):
    stack, _ = materialized_stack
    before = stack_contents(stack)

    down = stack.script("down")
    up = stack.script("up")

    assert down.returncode == 0 and up.returncode == 0, up.stdout + up.stderr
    assert before["runs"] and before["objects"] and before["lake"]
    assert sum(before["tables"].values()) > 0
    after = stack_contents(stack)
    assert after == before
