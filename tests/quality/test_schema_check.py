"""The pandera contracts are blocking checks: a source whose frame breaks its schema is reported
with its failing cases, and nothing downstream of it runs in that run."""

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.ecommerce import assets as ecommerce
from dagster_project.defs.ecommerce.generate import generate_orders
from dagster_project.defs.ecommerce.schemas import orders_raw_schema
from dagster_project.defs.hybrid.generate import generate_product_catalog
from dagster_project.defs.hybrid.schemas import product_catalog_schema
from dagster_project.defs.iot.generate import generate_sensor_readings
from dagster_project.defs.iot.schemas import sensor_readings_schema
from dagster_project.defs.logs.generate import generate_web_logs
from dagster_project.defs.logs.schemas import web_logs_raw_schema
from dagster_project.defs.marketing.generate import generate_campaigns
from dagster_project.defs.marketing.schemas import campaign_data_schema
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.quality.schema_check import schema_check_result, schema_check_spec
from dagster_project.resources.synthetic_data import SyntheticDataResource


def broken_orders(*args, **kwargs) -> pd.DataFrame:
    """A valid export, except that one price is negative and one quantity is zero."""
    orders = pd.DataFrame(
        {
            "order_id": [1, 2, 3],
            "customer_id": [1, 1, 2],
            "product_id": [10, 11, 10],
            "quantity": [1, 0, 2],
            "price": [9.5, 12.0, -3.0],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        }
    )
    return orders


def materialize_orders_and_ltv(tmp_path, instance):
    return dg.materialize(
        [ecommerce.orders_raw, ecommerce.customer_ltv],
        resources={
            "small_io_manager": PickleIOManager(base_path=str(tmp_path)),
            "synthetic_data": SyntheticDataResource(scale=0.01),
        },
        instance=instance,
        raise_on_error=False,
    )


def test_a_source_that_breaks_its_contract_stops_its_downstream(tmp_path, instance, monkeypatch):
    monkeypatch.setattr(ecommerce, "generate_orders", broken_orders)

    result = materialize_orders_and_ltv(tmp_path, instance)

    assert not result.success
    evaluation = result.get_asset_check_evaluations()[0]
    assert (evaluation.check_name, evaluation.passed) == ("schema", False)
    assert evaluation.metadata["failure_cases"].value == 2
    assert "price" in evaluation.metadata["first_failures"].value
    assert "quantity" in evaluation.metadata["first_failures"].value
    # the bad value is stored for inspection, and the step fails after storing it
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey("orders_raw")}
    assert "orders_raw" in {event.step_key for event in result.get_step_failure_events()}


def test_a_source_that_keeps_its_contract_feeds_its_downstream(tmp_path, instance):
    result = materialize_orders_and_ltv(tmp_path, instance)

    assert result.success
    assert [evaluation.passed for evaluation in result.get_asset_check_evaluations()] == [True]
    assert result.output_for_node("customer_ltv") is not None


def valid_frames() -> dict[str, tuple]:
    """Each contract with a small frame its generator made (valid) and one broken column."""
    hour = pd.Timestamp("2024-01-01 05:00")
    return {
        "orders_raw": (
            orders_raw_schema(),
            generate_orders(np.random.default_rng(0), 50, 10, 10),
            "price",
            -1.0,
        ),
        "product_catalog": (
            product_catalog_schema(),
            generate_product_catalog(np.random.default_rng(0), 20),
            "category",
            "no such category",
        ),
        "sensor_data": (
            sensor_readings_schema(hour),
            generate_sensor_readings(np.random.default_rng(0), 3, hour),
            "humidity",
            101.0,
        ),
        "web_logs_raw": (
            web_logs_raw_schema(),
            generate_web_logs(np.random.default_rng(0), n_requests=50),
            "status_code",
            418,
        ),
        "campaign_data": (
            campaign_data_schema(),
            generate_campaigns(np.random.default_rng(0), 10, "2024-01-01"),
            "spend",
            -5.0,
        ),
    }


CONTRACTS = valid_frames()


@pytest.mark.parametrize("asset", sorted(CONTRACTS))
def test_a_frame_breaking_one_column_fails_the_check_naming_that_column(asset):
    schema, frame, column, bad_value = CONTRACTS[asset]
    broken = frame.copy()
    broken[column] = broken[column].astype(object) if isinstance(bad_value, str) else broken[column]
    broken.loc[broken.index[1], column] = bad_value

    valid = schema_check_result(asset, schema, frame)
    failed = schema_check_result(asset, schema, broken)

    assert valid.passed
    assert (failed.passed, failed.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert failed.metadata["failure_cases"].value == 1
    assert failed.metadata["first_failures"].value.startswith(f"{column}: ")
    assert repr(bad_value) in failed.metadata["first_failures"].value
    assert schema_check_spec(asset, schema.description).blocking


def test_every_contract_of_the_code_location_is_one_blocking_check_of_its_source():
    from dagster_project.definitions import defs

    checks = {
        key.asset_key.to_user_string(): spec
        for key, spec in (
            (spec.key, spec)
            for assets_def in defs.resolve_asset_graph().assets_defs
            for spec in assets_def.check_specs
        )
        if key.name == "schema"
    }

    assert sorted(checks) == sorted(CONTRACTS)
    assert {asset: spec.blocking for asset, spec in checks.items()} == dict.fromkeys(
        CONTRACTS, True
    )
    # each check shows the description of the schema its step validates with
    assert {asset: spec.description for asset, spec in checks.items()} == {
        asset: schema.description for asset, (schema, *_) in CONTRACTS.items()
    }


def test_hourly_readings_that_break_their_contract_stop_the_anomaly_detection(
    tmp_path, instance, monkeypatch
):
    from dagster_project.defs.iot import assets as iot
    from dagster_project.io_managers.time_series import TimeSeriesIOManager

    def readings_with_impossible_humidity(rng, n_sensors, hour_start):
        readings = generate_sensor_readings(rng, n_sensors, hour_start)
        readings.loc[readings.index[0], "humidity"] = 101.0
        return readings

    monkeypatch.setattr(iot, "generate_sensor_readings", readings_with_impossible_humidity)

    result = dg.materialize(
        [iot.sensor_data, iot.sensor_anomalies],
        partition_key="2024-01-01-05:00",
        resources={
            "time_series_io_manager": TimeSeriesIOManager(base_path=str(tmp_path)),
            "synthetic_data": SyntheticDataResource(scale=0.01),
        },
        instance=instance,
        raise_on_error=False,
    )

    assert not result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("schema", False)
    assert "humidity" in evaluation.metadata["first_failures"].value
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey("sensor_data")}  # stored for inspection, nothing after
    assert "sensor_anomalies" not in {event.step_key for event in result.get_step_success_events()}
