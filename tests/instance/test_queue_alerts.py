"""``queue_alert_sensor`` on real instances, with the conditions caused for real and the
messages read at a webhook receiver and an SMTP server the test runs: a run held in `dagster
dev`'s queue past the limit, and a pool slot still claimed by a run whose process was killed
(on an instance with no daemon to free it). Each is sent once."""

import re
import shutil
import time

import dagster as dg

from dagster_project.defs.monitoring.alert_sensors import queue_alert_sensor
from dagster_project.monitoring.queue_health import queued_runs
from dagster_project.resources.alert_channels import AlertChannelsResource
from dagster_project.resources.queue_thresholds import QueueThresholdsResource
from dagster_project.settings import REPOSITORY_ROOT
from tests.alert_receivers import smtp_receiver, webhook_receiver
from tests.instance.dev_server import hold_warehouse_slot_then_die, poll, slot_holders

# Limits small enough for a test to pass them: 1.2 s in the queue, 0.6 s held after the end.
THRESHOLDS = QueueThresholdsResource(max_queued_minutes=0.02, max_held_slot_minutes=0.01)


def evaluate(instance: dg.DagsterInstance, channels: AlertChannelsResource, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"alert_channels": channels, "queue_thresholds": THRESHOLDS},
    )
    return queue_alert_sensor(context)


def channels(webhook_url: str, smtp_port: int) -> AlertChannelsResource:
    return AlertChannelsResource(
        webhook_url=webhook_url,
        email_to=["oncall@example.com"],
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        webserver_url="http://dagster.example.com",
    )


def test_a_run_held_in_the_queue_past_the_limit_is_alerted_once(dev, gate):
    running = dev.submit(
        "warehouse_job", gate.tags
    )  # takes the one run slot of the embedded default
    assert dev.wait_for(running, {"STARTED"}) == "STARTED"
    queued = dev.submit("spark_job", gate.tags)
    with (
        dev.instance() as instance,
        webhook_receiver() as (url, bodies),
        smtp_receiver() as (port, messages),
    ):
        poll(
            lambda: [run for run in queued_runs(instance, time.time()) if run.queued_seconds > 2],
            "the run queued for 2 s",
        )
        assert dev.status(queued) == "QUEUED"
        first = evaluate(instance, channels(url, port), None)
        second = evaluate(instance, channels(url, port), first.cursor)

    (title,) = [body["text"].splitlines()[0] for body in bodies]
    assert re.fullmatch(rf"Run queued for \d+ s: spark_job \({queued[:8]}\)", title), title
    text = bodies[0]["text"]
    assert f"Run {queued} of spark_job has waited in the queue for" in text
    assert f"http://dagster.example.com/runs/{queued}" in text
    assert [message["Subject"] for message in messages] == [title]
    assert second.skip_reason is not None  # still queued: not sent again
    gate.open()
    assert dev.wait_for(queued) == "SUCCESS"


def test_a_pool_slot_held_by_a_killed_run_is_alerted_once(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = hold_warehouse_slot_then_die(instance, tmp_path)
        time.sleep(1)  # past the 0.6 s limit

        with webhook_receiver() as (url, bodies), smtp_receiver() as (port, messages):
            first = evaluate(instance, channels(url, port), None)
            second = evaluate(instance, channels(url, port), first.cursor)
        assert slot_holders(instance, "warehouse") == {run_id}

    title = f"Pool warehouse blocked by ended run {run_id[:8]}"
    assert [body["text"].splitlines()[0] for body in bodies] == [title]
    assert f"Step warehouse_step of run {run_id} (FAILURE " in bodies[0]["text"]
    assert "check that dagster-daemon runs" in bodies[0]["text"]
    assert [message["Subject"] for message in messages] == [title]
    assert second.skip_reason is not None
