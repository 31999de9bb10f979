"""The pandera contracts are blocking checks: a source whose frame breaks its schema is reported
with its failing cases, and nothing downstream of it runs in that run."""

import dagster as dg
import pandas as pd

from dagster_project.defs.ecommerce import assets as ecommerce
from dagster_project.io_managers.small import PickleIOManager
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
