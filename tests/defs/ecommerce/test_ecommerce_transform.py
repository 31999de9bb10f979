"""Customer lifetime value and product performance on hand-made orders."""

import pandas as pd
import pytest

from dagster_project.defs.ecommerce.transform import (
    MINIMUM_TENURE_DAYS,
    customer_lifetime_value,
    product_performance,
    with_order_value,
)


def make_orders(rows: list[tuple[int, int, int, int, float, str]]) -> pd.DataFrame:
    """Orders from (order_id, customer_id, product_id, quantity, price, order_date) tuples."""
    orders = pd.DataFrame(
        rows, columns=["order_id", "customer_id", "product_id", "quantity", "price", "order_date"]
    )
    return orders.assign(order_date=pd.to_datetime(orders["order_date"]))


@pytest.fixture
def customer_orders() -> pd.DataFrame:
    # Customer 1 has a short tenure (below the floor), customer 2 a long one, customer 3 one order.
    return make_orders(
        [
            (1, 2, 10, 3, 5.00, "2024-02-01 00:00"),
            (2, 1, 10, 2, 10.00, "2024-01-01 09:00"),
            (3, 3, 11, 4, 7.50, "2024-06-15 12:00"),
            (4, 2, 12, 1, 100.00, "2024-03-01 12:00"),
            (5, 1, 11, 1, 30.00, "2024-01-11 18:00"),
            (6, 2, 11, 2, 20.00, "2024-04-10 00:00"),
        ]
    )


def test_with_order_value_multiplies_quantity_by_unit_price():
    orders = make_orders([(1, 1, 1, 3, 2.5, "2024-01-01"), (2, 1, 1, 1, 4.0, "2024-01-02")])

    assert with_order_value(orders)["order_value"].tolist() == [7.5, 4.0]  # 3*2.5, 1*4.0


def test_customer_lifetime_value_has_one_row_per_customer_sorted_by_id(customer_orders):
    customers = customer_lifetime_value(customer_orders)

    assert customers["customer_id"].tolist() == [1, 2, 3]
    assert list(customers.columns) == [
        "customer_id",
        "total_spent",
        "avg_order_value",
        "order_count",
        "first_order",
        "last_order",
        "customer_days",
        "ltv_score",
    ]


def test_customer_lifetime_value_total_spent_is_quantity_times_price(customer_orders):
    customers = customer_lifetime_value(customer_orders).set_index("customer_id")

    # 1: 2*10 + 1*30 = 50 (summing prices would give 40); 2: 3*5 + 1*100 + 2*20 = 155; 3: 4*7.5
    assert customers["total_spent"].tolist() == [50.0, 155.0, 30.0]


def test_customer_lifetime_value_avg_order_value_is_rounded_mean_order_value(customer_orders):
    customers = customer_lifetime_value(customer_orders).set_index("customer_id")

    # 1: 50 / 2 = 25; 2: 155 / 3 = 51.666... -> 51.67; 3: 30 / 1
    assert customers["avg_order_value"].tolist() == [25.0, 51.67, 30.0]


def test_customer_lifetime_value_counts_orders(customer_orders):
    customers = customer_lifetime_value(customer_orders).set_index("customer_id")

    assert customers["order_count"].tolist() == [2, 3, 1]


def test_customer_lifetime_value_first_and_last_order(customer_orders):
    customers = customer_lifetime_value(customer_orders).set_index("customer_id")

    assert customers["first_order"].tolist() == [
        pd.Timestamp("2024-01-01 09:00"),
        pd.Timestamp("2024-02-01 00:00"),
        pd.Timestamp("2024-06-15 12:00"),
    ]
    assert customers["last_order"].tolist() == [
        pd.Timestamp("2024-01-11 18:00"),
        pd.Timestamp("2024-04-10 00:00"),
        pd.Timestamp("2024-06-15 12:00"),
    ]


def test_customer_lifetime_value_customer_days_counts_both_ends(customer_orders):
    customers = customer_lifetime_value(customer_orders).set_index("customer_id")

    # 1: Jan 1 09:00 -> Jan 11 18:00 = 10 days (and 9 h) + 1 = 11
    # 2: Feb 1 -> Apr 10 of leap 2024 = 29 + 31 + 9 = 69 days + 1 = 70
    # 3: a single order = 0 days + 1 = 1
    assert customers["customer_days"].tolist() == [11, 70, 1]


def test_customer_lifetime_value_ltv_score_floors_short_tenures():
    assert MINIMUM_TENURE_DAYS == 30  # the expected figures below assume it
    orders = make_orders(
        [
            (1, 1, 10, 2, 10.00, "2024-01-01 09:00"),
            (2, 1, 11, 1, 30.00, "2024-01-11 18:00"),
        ]
    )

    customers = customer_lifetime_value(orders)

    # 11 days < 30: 50 / 30 * 365 = 608.333... (not 50 / 11 * 365 = 1659.09)
    assert customers["ltv_score"].tolist() == [608.33]


def test_customer_lifetime_value_ltv_score_uses_tenure_above_the_floor():
    orders = make_orders(
        [
            (1, 2, 10, 3, 5.00, "2024-02-01 00:00"),
            (2, 2, 12, 1, 100.00, "2024-03-01 12:00"),
            (3, 2, 11, 2, 20.00, "2024-04-10 00:00"),
        ]
    )

    customers = customer_lifetime_value(orders)

    # 70 days >= 30: 155 / 70 * 365 = 56575 / 70 = 808.214...
    assert customers["ltv_score"].tolist() == [808.21]


def test_customer_lifetime_value_single_order_is_annualised_over_the_floor(customer_orders):
    customers = customer_lifetime_value(customer_orders).set_index("customer_id")

    # one order of 30.00: 30 / 30 * 365 = 365 (not 30 / 1 * 365 = 10950)
    assert customers.loc[3, "ltv_score"] == 365.0


@pytest.fixture
def product_orders() -> pd.DataFrame:
    # Order 1 holds two lines of product 5; products 3 and 4 have identical sales (a tie).
    return make_orders(
        [
            (1, 1, 5, 2, 10.00, "2024-01-01"),
            (1, 1, 5, 1, 12.00, "2024-01-01"),
            (2, 2, 5, 1, 10.00, "2024-01-02"),
            (3, 3, 2, 1, 40.00, "2024-01-03"),
            (4, 4, 4, 1, 5.00, "2024-01-04"),
            (5, 5, 3, 1, 5.00, "2024-01-05"),
        ]
    )


def test_product_performance_aggregates_per_product(product_orders):
    products = product_performance(product_orders).set_index("product_id").sort_index()

    # product 5: quantity 2+1+1 = 4; revenue 2*10 + 1*12 + 1*10 = 42; orders {1, 2} = 2
    assert products["total_quantity"].tolist() == [1, 1, 1, 4]
    assert products["total_revenue"].tolist() == [40.0, 5.0, 5.0, 42.0]
    assert products["unique_orders"].tolist() == [1, 1, 1, 2]
    # product 5: mean unit price (10 + 12 + 10) / 3 = 10.666...
    assert products["avg_price"].tolist() == pytest.approx([40.0, 5.0, 5.0, 32 / 3])


def test_product_performance_score_weights_revenue_quantity_and_orders(product_orders):
    products = product_performance(product_orders).set_index("product_id").sort_index()

    # 0.6 * revenue + 0.3 * quantity + 0.1 * orders
    # product 2: 24.0 + 0.3 + 0.1 = 24.4; products 3 and 4: 3.0 + 0.3 + 0.1 = 3.4
    # product 5: 25.2 + 1.2 + 0.2 = 26.6
    assert products["performance_score"].tolist() == pytest.approx([24.4, 3.4, 3.4, 26.6])


def test_product_performance_sorts_best_first_and_breaks_ties_by_product_id(product_orders):
    products = product_performance(product_orders)

    # scores 26.6 > 24.4 > 3.4 = 3.4; the tie goes to the lower product_id
    assert products["product_id"].tolist() == [5, 2, 3, 4]
    assert products.index.tolist() == [0, 1, 2, 3]
