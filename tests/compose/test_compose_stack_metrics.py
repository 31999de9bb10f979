"""Prometheus and Alertmanager in the compose stack, after the other compose tests: Prometheus
has the metrics exporter's target up, a run ended by run monitoring moves the counter of the
status it ends in, and a run held in the queue past ALERT_QUEUED_RUN_MINUTES (0.5 in the
tests' .env) because the daemon is stopped fires DagsterRunQueuedTooLong, which Alertmanager
delivers to the tests' webhook receiver (compose.test.yml). The Prometheus UI's graph of the run
counters goes to test-artifacts/prometheus-graph.png."""

import time
import urllib.parse

import pytest
import requests
from playwright.sync_api import sync_playwright

from dagster_project.definitions import defs
from dagster_project.launch_plan import Launch, launch_plan
from tests.compose import faults
from tests.compose.conftest import ARTIFACTS
from tests.deploy import graphql_runs
from tests.deploy.test_browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.compose, pytest.mark.docker]

QUEUED_JOB = "storage_cleanup_job"  # a dry run by default: harmless to run at any time
TIMEOUT_S = 300


def longest_unpartitioned_launch() -> Launch:
    """The launch of the plan with the most unpartitioned assets, run in the main process."""
    plain = [
        launch
        for launch in launch_plan(defs)
        if not launch.beside and launch.partition_key is None and launch.partition_range is None
    ]
    return max(plain, key=lambda launch: len(graphql_runs.assets_of(launch)))


def prometheus(stack, path: str, **params) -> dict:
    port = stack.values["PROMETHEUS_PORT"]
    answer = requests.get(f"http://127.0.0.1:{port}{path}", params=params, timeout=10)
    answer.raise_for_status()
    return answer.json()["data"]


def value(stack, expression: str) -> float | None:
    result = prometheus(stack, "/api/v1/query", query=expression)["result"]
    return float(result[0]["value"][1]) if result else None


def received(stack) -> list[dict]:
    port = stack.values["ALERT_RECEIVER_PORT"]
    return requests.get(f"http://127.0.0.1:{port}/", timeout=10).json()


def firing_messages(stack, alert: str) -> list[dict]:
    """The Slack attachments Alertmanager sent for ``alert`` firing."""
    return [
        attachment
        for body in received(stack)
        for attachment in body.get("attachments", [])
        if attachment.get("title") == f"Firing: {alert}"
    ]


def test_prometheus_scrapes_the_exporter(compose_stack):
    def exporter_target() -> dict:
        (target,) = [
            target
            for target in prometheus(compose_stack, "/api/v1/targets")["activeTargets"]
            if target["labels"]["job"] == "dagster"
        ]
        return target

    faults.poll(lambda: exporter_target()["health"] == "up", "the exporter's target up", 120)

    def scrape() -> str:
        return compose_stack.compose(
            "exec",
            "-T",
            "metrics-exporter",
            "python",
            "-c",
            "import urllib.request as u; "
            "print(u.urlopen('http://localhost:9109/metrics', timeout=30).read().decode())",
        ).stdout

    # A read slower than the exporter's deadline (its first one, with the run history, on a
    # loaded machine) answers dagster_up 0; the next scrape waits on that read again, or starts
    # a new one once it ended.
    def read_the_instance() -> str | None:
        served = scrape()
        return served if "dagster_up 1.0" in served else None

    served = faults.poll(read_the_instance, "a scrape that read the instance (dagster_up 1)", 120)
    (ARTIFACTS / "compose-metrics.txt").write_text(served)  # for the record
    faults.poll(lambda: value(compose_stack, "dagster_up") == 1, "Prometheus' dagster_up 1", 120)
    assert value(compose_stack, 'dagster_code_location_up{address="code-location:4000"}') == 1
    assert value(compose_stack, "sum(dagster_runs_finished_total)") > 0


def test_a_run_ended_by_run_monitoring_moves_the_counter_of_its_status(compose_stack):
    """A run past its ``dagster/max_runtime`` is canceled by run monitoring: its process records
    CANCELED, and the monitor then marks it FAILURE when the launcher confirms the termination,
    which it does not always do (the run may stay CANCELED). The counter of the status the run
    ends in is one higher. The run is the plan's longest unpartitioned launch: run monitoring
    looks every few seconds, and on a loaded machine a run of the ecommerce group alone once
    ended before it looked."""
    ended = ("FAILURE", "CANCELED")
    launch = longest_unpartitioned_launch()

    def counter(status: str) -> float | None:
        return value(compose_stack, f'sum(dagster_runs_finished_total{{status="{status}"}})')

    faults.poll(lambda: counter("FAILURE") is not None, "the finished-run counters", 120)
    before = {status: counter(status) or 0.0 for status in ended}

    run = graphql_runs.graphql_client(compose_stack.webserver_port).submit_job_execution(
        "__ASSET_JOB",
        repository_location_name=graphql_runs.LOCATION,
        repository_name="__repository__",
        asset_selection=graphql_runs.assets_of(launch),
        tags={**launch.tags(), "dagster/max_runtime": "1", "dagster/max_retries": "0"},
    )
    port = compose_stack.webserver_port
    assert graphql_runs.wait_for(port, run, statuses=set(ended), timeout_s=TIMEOUT_S) in ended

    def moved() -> bool:
        status = graphql_runs.graphql_client(port).get_run_status(run).value
        return (counter(status) or 0.0) == before[status] + 1

    faults.poll(moved, "the counter of the run's status one higher", 120)


def test_a_run_held_in_the_queue_fires_an_alert_that_reaches_the_webhook(compose_stack):
    port = compose_stack.webserver_port
    compose_stack.compose("stop", "daemon")
    try:
        run = graphql_runs.graphql_client(port).submit_job_execution(
            QUEUED_JOB,
            repository_location_name=graphql_runs.LOCATION,
            repository_name="__repository__",
        )
        assert graphql_runs.graphql_client(port).get_run_status(run).value == "QUEUED"
        started = time.monotonic()
        (message, *_) = faults.poll(
            lambda: [
                message
                for message in firing_messages(compose_stack, "DagsterRunQueuedTooLong")
                if f"A run of {QUEUED_JOB} has waited" in message["text"]
            ],
            "the queued-run alert at the webhook",
            TIMEOUT_S,
        )
        compose_stack.timings["alert: queued run at the webhook"] = round(
            time.monotonic() - started, 1
        )
    finally:
        compose_stack.compose("start", "daemon")
    assert "ALERT_QUEUED_RUN_MINUTES" in message["text"]
    assert graphql_runs.wait_for(port, run, timeout_s=TIMEOUT_S) == "SUCCESS"
    assert faults.unfinished(compose_stack) == []


def test_the_prometheus_ui_graphs_the_run_counters(compose_stack):
    screenshot = ARTIFACTS / "prometheus-graph.png"
    query = urllib.parse.urlencode(
        {
            "g0.expr": "sum by (status) (dagster_runs_finished_total)",
            "g0.tab": "0",
            "g0.range_input": "1h",
        }
    )
    url = f"http://127.0.0.1:{compose_stack.values['PROMETHEUS_PORT']}/graph?{query}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            # the graph's lines drawn (Rickshaw's SVG paths in the classic UI)
            page.locator("svg path").first.wait_for(state="attached", timeout=60_000)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(screenshot), full_page=True)
            text = page.inner_text("body")
        finally:
            browser.close()

    assert screenshot.stat().st_size > 10_000
    # the graph's legend: the series came from the exporter through Prometheus to the UI
    assert '{status="SUCCESS"}' in text and '{status="FAILURE"}' in text
