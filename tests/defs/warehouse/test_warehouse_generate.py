"""Synthetic card transactions: reproducible, well-typed, inside 2024 and skewed enough that
VIP-like customers exist."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.warehouse.generate import (
    CUSTOMER_SEGMENTS,
    PERIOD_DAYS,
    PERIOD_START,
    PRODUCT_CATEGORIES,
    generate_transactions,
)
from tests.defs.seeded import assert_the_seed_draws_exactly

N_TRANSACTIONS = 5_000
N_CUSTOMERS = 200


def transactions_for(seed: int) -> pd.DataFrame:
    return generate_transactions(
        np.random.default_rng(seed), n_transactions=N_TRANSACTIONS, n_customers=N_CUSTOMERS
    )


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return transactions_for(seed=42)


def test_generate_transactions_is_deterministic_for_a_seed():
    pd.testing.assert_frame_equal(transactions_for(seed=5), transactions_for(seed=5))


def test_generate_transactions_draws_every_value_but_the_id_from_the_seed():
    assert_the_seed_draws_exactly(
        transactions_for,
        ["customer_id", "customer_segment", "product_category", "amount", "transaction_timestamp"],
    )


def test_generate_transactions_has_the_raw_columns_and_dtypes(transactions):
    assert transactions.dtypes.astype(str).to_dict() == {
        "transaction_id": "int64",
        "customer_id": "int64",
        "customer_segment": "string",
        "product_category": "string",
        "amount": "float64",
        "transaction_timestamp": "datetime64[ns]",
    }


def test_generate_transactions_has_the_requested_row_count(transactions):
    assert len(transactions) == N_TRANSACTIONS
    assert transactions.index.tolist() == list(range(N_TRANSACTIONS))


def test_generate_transactions_numbers_transactions_in_time_order(transactions):
    assert transactions["transaction_id"].tolist() == list(range(1, N_TRANSACTIONS + 1))
    assert transactions["transaction_timestamp"].is_monotonic_increasing


def test_generate_transactions_timestamps_lie_in_the_period_to_the_second(transactions):
    timestamps = transactions["transaction_timestamp"]
    period_end = PERIOD_START + pd.Timedelta(days=PERIOD_DAYS)  # 2025-01-01, 2024 is a leap year

    assert period_end == pd.Timestamp("2025-01-01")
    assert timestamps.min() >= PERIOD_START
    assert timestamps.max() < period_end
    assert (timestamps == timestamps.dt.floor("s")).all()


def test_generate_transactions_customer_ids_are_one_based(transactions):
    assert transactions["customer_id"].between(1, N_CUSTOMERS).all()


def test_generate_transactions_segment_is_known_and_constant_per_customer(transactions):
    assert set(transactions["customer_segment"]) <= set(CUSTOMER_SEGMENTS)
    assert (transactions.groupby("customer_id")["customer_segment"].nunique() == 1).all()


def test_generate_transactions_categories_are_known(transactions):
    assert set(transactions["product_category"]) <= set(PRODUCT_CATEGORIES)


def test_generate_transactions_amounts_are_positive_with_two_decimals(transactions):
    amounts = transactions["amount"]

    assert (amounts > 0).all()
    assert amounts.equals(amounts.round(2))


def test_generate_transactions_activity_is_skewed_towards_a_few_customers():
    transactions = generate_transactions(
        np.random.default_rng(42), n_transactions=200_000, n_customers=2_000
    )

    per_customer = transactions["customer_id"].value_counts()
    top_one_percent = per_customer.nlargest(20).sum()  # 1% of 2,000 customers

    # uniform activity would give the top 1% about 1% of the transactions
    assert top_one_percent / len(transactions) > 0.05
