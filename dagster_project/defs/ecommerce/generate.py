"""Synthetic orders of an online shop over one year, shaped so that churn is learnable.

Customers sign up during the year, buy at different rates (gamma-distributed popularity) and stop
buying after an exponentially distributed lifetime: some are still active at the end of the year,
others lapsed. Orders fall inside each customer's active window.
"""

import numpy as np
import pandas as pd

ORDER_PERIOD_START = pd.Timestamp("2024-01-01")
ORDER_PERIOD_END = pd.Timestamp("2025-01-01")
MEAN_CUSTOMER_LIFETIME_DAYS = 200


def generate_orders(
    rng: np.random.Generator, n_orders: int, n_customers: int, n_products: int
) -> pd.DataFrame:
    """Orders with unit ``price`` and ``quantity``; ``order_id`` follows ``order_date``."""
    period_days = (ORDER_PERIOD_END - ORDER_PERIOD_START) / pd.Timedelta(days=1)
    signup_day = rng.uniform(0.0, 0.8 * period_days, n_customers)
    lifetime_days = rng.exponential(MEAN_CUSTOMER_LIFETIME_DAYS, n_customers)
    last_active_day = np.minimum(signup_day + lifetime_days, period_days)

    popularity = rng.gamma(shape=0.8, scale=1.0, size=n_customers)
    customer_index = rng.choice(n_customers, size=n_orders, p=popularity / popularity.sum())
    active_days = (last_active_day - signup_day)[customer_index]
    order_day = signup_day[customer_index] + rng.uniform(0.0, 1.0, n_orders) * active_days

    orders = pd.DataFrame(
        {
            "customer_id": customer_index + 1,
            "product_id": rng.integers(1, n_products + 1, n_orders),
            "quantity": rng.integers(1, 5, n_orders),
            "price": rng.uniform(10, 500, n_orders).round(2),
            "order_date": (ORDER_PERIOD_START + pd.to_timedelta(order_day, unit="D")).floor("s"),
        }
    )
    orders = orders.sort_values("order_date", kind="stable", ignore_index=True)
    orders.insert(0, "order_id", np.arange(1, n_orders + 1))
    return orders
