"""Customer and product metrics from orders: pure functions of DataFrames.

An order's value is ``quantity * price``: ``price`` is the unit price, not the line total.
"""

import pandas as pd

# Shorter tenures are annualised as if this long, so one order does not project to 365x its value.
MINIMUM_TENURE_DAYS = 30

PERFORMANCE_WEIGHTS = {"total_revenue": 0.6, "total_quantity": 0.3, "unique_orders": 0.1}


def with_order_value(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders with ``order_value = quantity * price``."""
    return orders.assign(order_value=orders["quantity"] * orders["price"])


def customer_lifetime_value(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: spend, order count, first/last order, tenure and annualised value.

    ``ltv_score`` is the customer's spend rate over their tenure, annualised:
    ``total_spent / max(customer_days, MINIMUM_TENURE_DAYS) * 365``.
    """
    metrics = (
        with_order_value(orders)
        .groupby("customer_id")
        .agg(
            total_spent=("order_value", "sum"),
            avg_order_value=("order_value", "mean"),
            order_count=("order_id", "count"),
            first_order=("order_date", "min"),
            last_order=("order_date", "max"),
        )
        .reset_index()
    )
    metrics["customer_days"] = (metrics["last_order"] - metrics["first_order"]).dt.days + 1
    tenure = metrics["customer_days"].clip(lower=MINIMUM_TENURE_DAYS)
    metrics["ltv_score"] = (metrics["total_spent"] / tenure * 365).round(2)
    metrics["total_spent"] = metrics["total_spent"].round(2)
    metrics["avg_order_value"] = metrics["avg_order_value"].round(2)
    return metrics


def product_performance(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per product, best first by a weighted score of revenue, quantity and orders."""
    products = (
        with_order_value(orders)
        .groupby("product_id")
        .agg(
            total_quantity=("quantity", "sum"),
            total_revenue=("order_value", "sum"),
            avg_price=("price", "mean"),
            unique_orders=("order_id", "nunique"),
        )
        .reset_index()
    )
    products["performance_score"] = sum(
        products[column] * weight for column, weight in PERFORMANCE_WEIGHTS.items()
    )
    return products.sort_values(
        ["performance_score", "product_id"], ascending=[False, True], ignore_index=True
    )
