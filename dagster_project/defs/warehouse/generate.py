"""Synthetic card transactions over 2024, shaped so that every customer segment occurs.

Customers sign up during the year and stay active for an exponentially distributed time; a few
buy very often (gamma-distributed popularity). Business customers spend more per transaction.
Strings are Arrow-backed (``pd.StringDtype("pyarrow")``), the type the Parquet tiers load.
"""

import numpy as np
import pandas as pd

from dagster_project.resources.synthetic_data import strings_at

PERIOD_START = pd.Timestamp("2024-01-01")
PERIOD_DAYS = 366
CUSTOMER_SEGMENTS = ("consumer", "small_business", "enterprise")
SEGMENT_SHARES = (0.75, 0.2, 0.05)
SEGMENT_SPEND_FACTORS = np.array([1.0, 2.5, 6.0])
PRODUCT_CATEGORIES = ("electronics", "clothing", "home", "books", "grocery")
CATEGORY_MEDIAN_AMOUNTS = np.array([120.0, 45.0, 70.0, 18.0, 35.0])
MEAN_CUSTOMER_LIFETIME_DAYS = 250


def generate_transactions(
    rng: np.random.Generator, n_transactions: int, n_customers: int
) -> pd.DataFrame:
    """One row per transaction, ordered by time; ``transaction_id`` follows that order."""
    signup_day = rng.uniform(0, 0.9 * PERIOD_DAYS, n_customers)
    last_day = np.minimum(
        signup_day + rng.exponential(MEAN_CUSTOMER_LIFETIME_DAYS, n_customers), PERIOD_DAYS
    )
    segment = rng.choice(len(CUSTOMER_SEGMENTS), n_customers, p=SEGMENT_SHARES)
    popularity = rng.gamma(shape=0.7, scale=1.0, size=n_customers)

    customer = rng.choice(n_customers, n_transactions, p=popularity / popularity.sum())
    day = signup_day[customer] + rng.random(n_transactions) * (last_day - signup_day)[customer]
    category = rng.integers(0, len(PRODUCT_CATEGORIES), n_transactions)
    amount = (
        CATEGORY_MEDIAN_AMOUNTS[category]
        * SEGMENT_SPEND_FACTORS[segment[customer]]
        * rng.lognormal(0.0, 0.6, n_transactions)
    )
    transactions = pd.DataFrame(
        {
            "customer_id": customer + 1,
            "customer_segment": strings_at(CUSTOMER_SEGMENTS, segment[customer]),
            "product_category": strings_at(PRODUCT_CATEGORIES, category),
            "amount": amount.round(2),
            "transaction_timestamp": (PERIOD_START + pd.to_timedelta(day, unit="D")).floor("s"),
        }
    ).sort_values("transaction_timestamp", kind="stable", ignore_index=True)
    transactions.insert(0, "transaction_id", np.arange(1, n_transactions + 1))
    return transactions
