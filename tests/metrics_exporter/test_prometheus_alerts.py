"""Every alert rule of deploy/prometheus/alert-rules.yml fired for real and delivered: Prometheus
and Alertmanager (Debian's binaries, configured by ``deploy.monitoring`` as the native stack
configures them) over the exporter on a copy of the ``caused`` instance, Alertmanager posting to
a webhook receiver the test runs.

To take seconds rather than minutes, the rules lose their ``for:`` durations, Prometheus scrapes
every second, Alertmanager's group wait and group interval are one second, and the thresholds
the exporter reads are lowered through the variables users set. The durations themselves are
checked by promtool (tests/deploy/test_alert_rules.py)."""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import requests

from deploy import monitoring
from tests.alert_receivers import webhook_receiver
from tests.instance import fault_location
from tests.instance.dev_server import poll
from tests.processes import free_port, stop_process_group, wait_until

EXPORTER_RULES = {
    "DagsterRunFailureRate",
    "DagsterRunQueuedTooLong",
    "DagsterDaemonHeartbeatMissing",
    "DagsterAssetFreshnessFailed",
    "DagsterPoolSlotHeldByEndedRun",
}


def rule_names() -> set[str]:
    return set(re.findall(r"^\s+- alert: (\w+)$", monitoring.ALERT_RULES.read_text(), re.M))


def firing(received: list[dict]) -> set[str]:
    """The alert names of the "Firing" messages the webhook received (Slack's payload)."""
    titles = [attachment["title"] for body in received for attachment in body["attachments"]]
    return {title.removeprefix("Firing: ") for title in titles if title.startswith("Firing: ")}


def query(ports: monitoring.MonitoringPorts, expression: str) -> list[float]:
    """The values of an instant query to Prometheus."""
    answer = requests.get(
        f"http://127.0.0.1:{ports.prometheus}/api/v1/query",
        params={"query": expression},
        timeout=10,
    ).json()
    return [float(series["value"][1]) for series in answer["data"]["result"]]


def delivered(rules: set[str], received: list[dict], ports, logs: Path) -> None:
    """Wait until the webhook got a "Firing" message of each rule; else fail with what
    Prometheus says is firing and the logs."""
    try:
        poll(lambda: rules <= firing(received), f"{sorted(rules)} at the webhook", 120)
    except TimeoutError as error:
        alerts = requests.get(f"http://127.0.0.1:{ports.prometheus}/api/v1/alerts", timeout=10)
        tails = {log.name: log.read_text()[-2000:] for log in logs.glob("*.log")}
        raise AssertionError(
            f"{error}\nreceived: {sorted(firing(received))}\nPrometheus: {alerts.text}\n{tails}"
        ) from error


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        stop_process_group(process)


def spawn(command: list[str], environ: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(
            command, env=environ, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_ready(port: int, path: str, process: subprocess.Popen) -> None:
    url = f"http://127.0.0.1:{port}{path}"
    wait_until(lambda: requests.get(url, timeout=10).ok, process, url)


def test_every_rule_fires_for_real_and_reaches_the_webhook(caused, tmp_path, processes):
    assert EXPORTER_RULES | {"DagsterExporterDown", "DagsterInstanceUnreadable"} == rule_names()
    home = tmp_path / "home"
    shutil.copytree(caused, home)
    ports = monitoring.MonitoringPorts(free_port(), free_port(), free_port())
    rules = re.sub(r"^\s+for: \S+\n", "", monitoring.ALERT_RULES.read_text(), flags=re.M)
    monitoring.write_prometheus_config(tmp_path / "prometheus", ports, interval="1s", rules=rules)
    alertmanager_config = tmp_path / "alertmanager.yml"
    # Alertmanager holds a group's next notification for group_interval after a flush, even a
    # flush with nothing to send: shortened too, or an alert that fires again in its group waits
    # five minutes.
    shipped = monitoring.ALERTMANAGER_CONFIG.read_text()
    assert "group_wait: 30s" in shipped and "group_interval: 5m" in shipped
    alertmanager_config.write_text(
        shipped.replace("group_wait: 30s", "group_wait: 1s").replace(
            "group_interval: 5m", "group_interval: 1s"
        )
    )
    environ = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ALERT_QUEUED_RUN_MINUTES": "0.05",  # 3 s
        "ALERT_HELD_SLOT_MINUTES": "0.05",
    }

    with webhook_receiver() as (url, received):
        # The exporter answers before Prometheus starts: a scrape of an exporter still starting
        # would fire DagsterExporterDown at once (the rules have no `for:` here).
        exporter = spawn(monitoring.exporter_command(ports.exporter), environ, tmp_path / "x.log")
        processes.append(exporter)
        wait_ready(ports.exporter, "/metrics", exporter)
        command, variables = monitoring.alertmanager_command(
            tmp_path / "alertmanager", ports.alertmanager
        )
        variables |= {"ALERT_WEBHOOK_URL": url, "ALERTMANAGER_CONFIG": str(alertmanager_config)}
        alertmanager = spawn(command, environ | variables, tmp_path / "alertmanager.log")
        processes.append(alertmanager)
        prometheus_command = monitoring.prometheus_command(
            tmp_path / "prometheus", ports.prometheus
        )
        prometheus = spawn(prometheus_command, environ, tmp_path / "prometheus.log")
        processes.append(prometheus)
        wait_ready(ports.alertmanager, "/-/ready", alertmanager)
        wait_ready(ports.prometheus, "/-/ready", prometheus)

        # two more failures of failing_job once Prometheus has its count (1): 3 of 3 failed
        poll(
            lambda: query(ports, 'dagster_runs_finished_total{job_name="failing_job"}') == [1.0],
            "Prometheus's first sample of the finished runs",
            60,
        )
        with dg.DagsterInstance.from_config(str(home)) as instance:
            job = dg.Definitions(
                assets=[fault_location.failing_step], jobs=[fault_location.failing_job]
            ).resolve_job_def("failing_job")
            for _ in range(2):
                assert not job.execute_in_process(instance=instance, raise_on_error=False).success
        delivered(EXPORTER_RULES, received, ports, tmp_path)
        # the two runs finished after the exporter started: in the step-duration histogram
        assert query(ports, 'dagster_step_duration_seconds_count{step="failing_step"}') == [2.0]

        # the instance unreadable: its run database's folder moved away
        (home / "history").rename(tmp_path / "history")
        delivered({"DagsterInstanceUnreadable"}, received, ports, tmp_path)

        stop_process_group(exporter)
        delivered({"DagsterExporterDown"}, received, ports, tmp_path)

    # the receiver got Slack's payload, and nothing of the webhook's token
    assert all("secret-token" not in str(body) for body in received)
    messages = [
        attachment["text"]
        for body in received
        for attachment in body["attachments"]
        if attachment["title"] == "Firing: DagsterAssetFreshnessFailed"
    ]
    assert messages
    assert all("sensor_anomalies is past its freshness window" in text for text in messages)
