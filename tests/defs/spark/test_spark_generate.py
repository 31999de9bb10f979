"""Synthetic transactions generated inside Spark; pyarrow, not Spark, reads back what Spark
wrote."""

import datetime
import math
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from dagster_project.defs.spark.generate import (
    CATEGORY_MEDIAN_AMOUNTS,
    PRODUCT_CATEGORIES,
    ROWS_PER_PARTITION,
    generate_transactions,
)
from dagster_project.resources.lake_datasets import write_dataset

N_ROWS = 30_000
N_CUSTOMERS = 500
SEED = 42


def written_transactions(spark: SparkSession, folder: Path, seed: int) -> pa.Table:
    """Generate, write through the lake's ``write_dataset``, and read back with pyarrow."""
    transactions = generate_transactions(spark, n_rows=N_ROWS, n_customers=N_CUSTOMERS, seed=seed)
    uri = write_dataset(transactions, f"file://{folder}", "transactions", uuid.uuid4().hex)
    return pq.read_table(uri.removeprefix("file://"))


def sorted_frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas().sort_values("transaction_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def transactions_table(spark_session, tmp_path_factory) -> pa.Table:
    return written_transactions(spark_session, tmp_path_factory.mktemp("lake"), SEED)


@pytest.fixture(scope="module")
def transactions(transactions_table) -> pd.DataFrame:
    return sorted_frame(transactions_table)


def test_generate_transactions_writes_exactly_n_rows(transactions):
    assert len(transactions) == N_ROWS


def test_generate_transactions_writes_the_documented_types(transactions_table):
    assert {field.name: field.type for field in transactions_table.schema} == {
        "transaction_id": pa.int64(),
        "customer_id": pa.int64(),
        "product_category": pa.string(),
        "amount": pa.float64(),
        "quantity": pa.int32(),
        "transaction_date": pa.date32(),
    }


def test_generate_transactions_numbers_transactions_one_to_n(transactions):
    assert transactions["transaction_id"].tolist() == list(range(1, N_ROWS + 1))


def test_generate_transactions_customers_are_within_one_to_n_customers(transactions):
    assert transactions["customer_id"].between(1, N_CUSTOMERS).all()


def test_generate_transactions_categories_are_the_known_ones_and_all_occur(transactions):
    assert set(transactions["product_category"]) == set(PRODUCT_CATEGORIES)


def test_generate_transactions_amounts_are_positive_cents(transactions):
    amounts = transactions["amount"]

    assert (amounts > 0).all()
    assert ((amounts * 100).round() / 100 == amounts).all()


def test_generate_transactions_amounts_center_on_each_category_median(transactions):
    # amount = median * exp(0.6 * z), so each category's sample median lies near its median
    medians = transactions.groupby("product_category")["amount"].median()

    for category, median in zip(PRODUCT_CATEGORIES, CATEGORY_MEDIAN_AMOUNTS, strict=True):
        assert medians[category] == pytest.approx(median, rel=0.1)


def test_generate_transactions_quantities_are_one_to_four(transactions):
    assert set(transactions["quantity"]) == {1, 2, 3, 4}


def test_generate_transactions_dates_lie_in_2024(transactions):
    dates = transactions["transaction_date"]

    assert dates.min() >= datetime.date(2024, 1, 1)
    assert dates.max() <= datetime.date(2024, 12, 31)


def test_generate_transactions_customers_are_skewed_towards_low_ids(transactions):
    # customer_id = floor(u^2 * n) + 1 with u uniform: ids up to n / 10 need u^2 < 0.1, so
    # they hold about sqrt(0.1) = 31.6% of the rows instead of 10%
    low_ids = transactions["customer_id"] <= N_CUSTOMERS // 10

    assert low_ids.mean() > 0.25


def test_generate_transactions_is_deterministic_for_a_seed(spark_session, transactions, tmp_path):
    again = sorted_frame(written_transactions(spark_session, tmp_path, SEED))

    pd.testing.assert_frame_equal(again, transactions)


def test_generate_transactions_differs_between_seeds(spark_session, transactions, tmp_path):
    other = sorted_frame(written_transactions(spark_session, tmp_path, SEED + 100))

    assert other["transaction_id"].equals(transactions["transaction_id"])
    for column in ("customer_id", "product_category", "amount", "quantity", "transaction_date"):
        assert not other[column].equals(transactions[column])


@pytest.mark.parametrize(
    "n_rows",
    [1, N_ROWS, ROWS_PER_PARTITION, ROWS_PER_PARTITION + 1, 3 * ROWS_PER_PARTITION + 1],
)
def test_generate_transactions_partitions_follow_the_row_count_not_the_cores(spark_session, n_rows):
    # local[2]: two cores, so 4 partitions for 3,000,001 rows cannot come from the session
    assert spark_session.sparkContext.defaultParallelism == 2
    transactions = generate_transactions(spark_session, n_rows, N_CUSTOMERS, SEED)

    assert transactions.rdd.getNumPartitions() == math.ceil(n_rows / ROWS_PER_PARTITION)


def test_columns_do_not_reuse_each_others_draws_across_neighbouring_seeds(
    spark_session, transactions, tmp_path
):
    # Spark seeds partition p with seed + p, so per-column seeds of seed + 1, seed + 2, ... would
    # make seed 43's customer draw equal seed 42's category draw. Each value bounds the uniform
    # draw u behind it: category c needs u in [(c-1)/5, c/5); customer k needs u^2 in
    # [(k-1)/500, k/500). With shared draws the two intervals always overlap; with independent
    # draws only by chance (about a quarter of rows).
    neighbour = sorted_frame(written_transactions(spark_session, tmp_path, SEED + 1))
    category_index = transactions["product_category"].map(PRODUCT_CATEGORIES.index)
    category_low, category_high = category_index / 5, (category_index + 1) / 5
    customer_low = ((neighbour["customer_id"] - 1) / N_CUSTOMERS) ** 0.5
    customer_high = (neighbour["customer_id"] / N_CUSTOMERS) ** 0.5
    overlapping = (customer_low < category_high) & (category_low < customer_high)

    assert overlapping.mean() < 0.5
