"""The alert sensors, delivering to a real webhook receiver: a failed run, a failed asset check
and a critical performance verdict each reach people once, named and linked to the UI."""

import dagster as dg
import pandas as pd
import pytest

from dagster_project.defs.ecommerce import assets as ecommerce
from dagster_project.defs.monitoring import assets as monitoring
from dagster_project.defs.monitoring import sensors
from dagster_project.defs.monitoring.alert_sensors import (
    asset_check_alert_sensor,
    run_failure_alert_sensor,
)
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.resources.alert_channels import AlertChannelsResource
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.resources.tier_stores import TierStoresResource
from tests.alert_receivers import webhook_receiver
from tests.quality.test_schema_check import broken_orders

UI = "https://dagster.example.com"


class FlakyConfig(dg.Config):
    fail: bool = False


@dg.asset
def flaky(config: FlakyConfig) -> int:
    if config.fail:
        raise RuntimeError("the upstream API answered 503")
    return 1


def materialize_flaky(instance, fail: bool) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [flaky],
        instance=instance,
        resources={"io_manager": PickleIOManager(base_path=str(instance.root_directory))},
        run_config={"ops": {"flaky": {"config": {"fail": fail}}}},
        raise_on_error=False,
    )


def evaluate(sensor, instance, defs, channels, cursor):
    """One tick of ``sensor`` over ``defs``, delivering to ``channels``."""
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources={"alert_channels": channels}
    )
    return sensor(context)


@pytest.fixture
def receiver():
    with webhook_receiver() as (url, bodies):
        yield AlertChannelsResource(webhook_url=url, webserver_url=UI), bodies


def test_a_failed_run_is_sent_with_its_id_reason_and_link(instance, receiver):
    channels, bodies = receiver
    result = materialize_flaky(instance, fail=True)
    run = instance.get_run_by_id(result.run_id)
    failure = next(
        event for event in result.all_events if event.event_type == dg.DagsterEventType.RUN_FAILURE
    )
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert_sensor",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alert_channels": channels},
    ).for_run_failure()

    run_failure_alert_sensor(context)

    assert len(bodies) == 1
    text = bodies[0]["text"]
    assert result.run_id in text and "__ephemeral_asset_job__" in text
    assert f"{UI}/runs/{result.run_id}" in text


def test_a_failed_check_is_sent_once(instance, receiver, tmp_path, monkeypatch):
    channels, bodies = receiver
    monkeypatch.setattr(ecommerce, "generate_orders", broken_orders)
    resources = {
        "small_io_manager": PickleIOManager(base_path=str(tmp_path)),
        "synthetic_data": SyntheticDataResource(scale=0.01),
    }
    result = dg.materialize(
        [ecommerce.orders_raw], resources=resources, instance=instance, raise_on_error=False
    )

    defs = dg.Definitions(assets=[ecommerce.orders_raw], resources=resources)

    first = evaluate(asset_check_alert_sensor, instance, defs, channels, None)
    again = evaluate(asset_check_alert_sensor, instance, defs, channels, first.cursor)

    assert len(bodies) == 1
    assert "orders_raw schema" in bodies[0]["text"]
    assert "price" in bodies[0]["text"]  # the first failing cases
    assert f"{UI}/runs/{result.run_id}" in bodies[0]["text"]
    assert again.skip_reason is not None and len(bodies) == 1


def test_a_critical_performance_verdict_is_sent_once_while_it_lasts(
    instance, receiver, tmp_path, monkeypatch
):
    """The verdict itself is tested in tests/monitoring/test_alerts.py; here the rules are
    replaced by one that finds the critical verdict while ``verdict_open`` says so, to show
    what the sensor sends, and when it does not send again."""
    channels, bodies = receiver
    verdict_open = True

    def rules(history, *args) -> pd.DataFrame:
        rows = [
            {
                "asset_key": "flaky",
                "kind": "low_success_rate",
                "severity": "critical",
                "message": "flaky failed 1 of its last 3 attempts (success rate 67%).",
                "value": 0.67,
                "threshold": 0.95,
            }
        ]
        return pd.DataFrame(rows if verdict_open else [], columns=list(rows[0]))

    monkeypatch.setattr(sensors, "evaluate_alerts", rules)
    small = PickleIOManager(base_path=str(tmp_path / "small"))
    defs = dg.Definitions(
        assets=[flaky, *dg.load_assets_from_modules([monitoring])],
        sensors=[sensors.performance_alert_sensor],
        resources={
            "io_manager": small,
            "small_io_manager": small,
            "tier_stores": TierStoresResource(base_url=str(tmp_path)),
            "alert_channels": channels,
        },
    )

    cursor = None
    for open_now in (True, True, False, True):  # found, still found, cleared, found again
        verdict_open = open_now
        materialize_flaky(instance, fail=False)
        cursor = evaluate(sensors.performance_alert_sensor, instance, defs, channels, cursor).cursor

    sent = [body["text"] for body in bodies]
    assert len(sent) == 2, sent  # the first finding and the one after it cleared
    assert "flaky" in sent[0] and "low_success_rate" in sent[0]
    assert f"{UI}/assets/flaky" in sent[0]
