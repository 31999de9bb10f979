"""Synthetic orders: reproducible and inside the order period."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.ecommerce.generate import (
    ORDER_PERIOD_END,
    ORDER_PERIOD_START,
    generate_orders,
)
from tests.defs.seeded import assert_the_seed_draws_exactly

N_ORDERS = 2_000
N_CUSTOMERS = 100
N_PRODUCTS = 20


def orders_for(seed: int) -> pd.DataFrame:
    return generate_orders(
        np.random.default_rng(seed),
        n_orders=N_ORDERS,
        n_customers=N_CUSTOMERS,
        n_products=N_PRODUCTS,
    )


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return orders_for(seed=42)


def test_generate_orders_is_deterministic_for_a_seed():
    pd.testing.assert_frame_equal(orders_for(seed=5), orders_for(seed=5))


def test_generate_orders_draws_every_value_but_the_id_from_the_seed():
    assert_the_seed_draws_exactly(
        orders_for, ["customer_id", "product_id", "quantity", "price", "order_date"]
    )


def test_generate_orders_has_the_requested_rows_and_columns(orders):
    assert len(orders) == N_ORDERS
    assert list(orders.columns) == [
        "order_id",
        "customer_id",
        "product_id",
        "quantity",
        "price",
        "order_date",
    ]


def test_generate_orders_dates_lie_inside_the_order_period(orders):
    assert orders["order_date"].min() >= ORDER_PERIOD_START
    assert orders["order_date"].max() < ORDER_PERIOD_END


def test_generate_orders_dates_are_whole_seconds(orders):
    assert (orders["order_date"] == orders["order_date"].dt.floor("s")).all()


def test_generate_orders_order_id_follows_order_date(orders):
    assert orders["order_id"].tolist() == list(range(1, N_ORDERS + 1))
    assert orders["order_date"].is_monotonic_increasing


def test_generate_orders_customer_ids_are_in_range(orders):
    assert orders["customer_id"].between(1, N_CUSTOMERS).all()


def test_generate_orders_product_ids_are_in_range(orders):
    assert orders["product_id"].between(1, N_PRODUCTS).all()


def test_generate_orders_quantity_is_one_to_four(orders):
    assert set(orders["quantity"]) == {1, 2, 3, 4}


def test_generate_orders_unit_price_is_between_10_and_500_in_cents(orders):
    assert orders["price"].between(10, 500).all()
    assert (orders["price"] == orders["price"].round(2)).all()
