"""The spark group's transformations on hand-made DataFrames; pyarrow, not Spark, reads back what
Spark wrote."""

import datetime
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from dagster_project.defs.spark.transform import customer_category_summary, customer_features

TRANSACTION_SCHEMA = T.StructType(
    [
        T.StructField("transaction_id", T.LongType()),
        T.StructField("customer_id", T.LongType()),
        T.StructField("product_category", T.StringType()),
        T.StructField("amount", T.DoubleType()),
        T.StructField("quantity", T.IntegerType()),
        T.StructField("transaction_date", T.DateType()),
    ]
)
SUMMARY_SCHEMA = T.StructType(
    [
        T.StructField("customer_id", T.LongType()),
        T.StructField("product_category", T.StringType()),
        T.StructField("total_spent", T.DoubleType()),
        T.StructField("total_quantity", T.LongType()),
        T.StructField("transaction_count", T.LongType()),
    ]
)
TRANSACTIONS = [
    (1, 1, "electronics", 100.0, 1, datetime.date(2024, 1, 1)),
    (2, 1, "electronics", 250.5, 2, datetime.date(2024, 6, 15)),
    (3, 1, "books", 12.25, 3, datetime.date(2024, 3, 3)),
    (4, 2, "electronics", 999.99, 1, datetime.date(2024, 12, 31)),
    (5, 2, "books", 20.0, 1, datetime.date(2024, 2, 2)),
    (6, 2, "books", 30.0, 4, datetime.date(2024, 2, 3)),
    # the day before the default ``since`` (2024-01-01): never counted
    (7, 2, "books", 5000.0, 9, datetime.date(2023, 12, 31)),
]
SUMMARY_COLUMNS = [
    "customer_id",
    "product_category",
    "total_spent",
    "total_quantity",
    "transaction_count",
]


def read_back(frame: DataFrame, folder: Path) -> pa.Table:
    """Write ``frame`` with Spark and read the Parquet files back with pyarrow."""
    frame.write.parquet(f"file://{folder}")
    return pq.read_table(folder)


def summary_rows(table: pa.Table) -> list[tuple]:
    ordered = table.to_pandas().sort_values(["customer_id", "product_category"])
    return list(ordered[SUMMARY_COLUMNS].itertuples(index=False, name=None))


@pytest.fixture
def transactions(spark_session: SparkSession) -> DataFrame:
    return spark_session.createDataFrame(TRANSACTIONS, schema=TRANSACTION_SCHEMA)


def test_customer_category_summary_aggregates_per_customer_and_category(transactions, tmp_path):
    table = read_back(customer_category_summary(transactions), tmp_path / "summary")

    # every sum below is exact in binary floating point, so equality is safe
    assert summary_rows(table) == [
        (1, "books", 12.25, 3, 1),
        (1, "electronics", 350.5, 3, 2),  # 100.0 + 250.5; quantity 1 + 2
        (2, "books", 50.0, 5, 2),  # 20.0 + 30.0; quantity 1 + 4; the 2023 row is excluded
        (2, "electronics", 999.99, 1, 1),
    ]


def test_customer_category_summary_writes_long_counts_and_double_spend(transactions, tmp_path):
    table = read_back(customer_category_summary(transactions), tmp_path / "summary")

    assert {field.name: field.type for field in table.schema} == {
        "customer_id": pa.int64(),
        "product_category": pa.string(),
        "total_spent": pa.float64(),
        "total_quantity": pa.int64(),
        "transaction_count": pa.int64(),
    }


def test_customer_category_summary_keeps_transactions_on_the_since_date(transactions, tmp_path):
    summary = customer_category_summary(transactions, since="2024-06-15")

    table = read_back(summary, tmp_path / "summary")

    # only transaction 2 (on 2024-06-15 itself) and transaction 4 (2024-12-31) are on or after
    assert summary_rows(table) == [
        (1, "electronics", 250.5, 2, 1),
        (2, "electronics", 999.99, 1, 1),
    ]


def test_customer_category_summary_of_only_earlier_transactions_is_empty(transactions, tmp_path):
    table = read_back(customer_category_summary(transactions, since="2025-01-01"), tmp_path / "s")

    assert table.num_rows == 0


SUMMARIES = [
    # customer_id, product_category, total_spent, total_quantity, transaction_count
    (1, "electronics", 10_000.5, 3, 4),  # just above the premium threshold
    (2, "electronics", 10_000.0, 5, 8),  # exactly 10,000 is not premium
    (3, "books", 1_000.0, 2, 2),  # exactly 1,000 is not standard
    (4, "books", 1_000.01, 1, 1),  # just above the standard threshold
    (5, "home", 0.0, 1, 1),
    (6, "grocery", 250.0, 3, 4),
]


@pytest.fixture
def features_table(spark_session: SparkSession, tmp_path: Path) -> pa.Table:
    summary = spark_session.createDataFrame(SUMMARIES, schema=SUMMARY_SCHEMA)
    return read_back(customer_features(summary), tmp_path / "features")


@pytest.fixture
def features(features_table: pa.Table) -> pd.DataFrame:
    return features_table.to_pandas().sort_values("customer_id").set_index("customer_id")


def test_customer_features_keeps_the_summary_columns(features):
    assert list(features.reset_index()[SUMMARY_COLUMNS].itertuples(index=False, name=None)) == (
        SUMMARIES
    )


def test_customer_features_log_total_spent_is_ln_of_spend_plus_one(features):
    # e.g. customer 5: ln(0 + 1) = 0; customer 6: ln(251) = 5.5255
    expected = [math.log(spent + 1) for _, _, spent, _, _ in SUMMARIES]

    assert features["log_total_spent"].tolist() == pytest.approx(expected, rel=1e-12)
    assert features.loc[6, "log_total_spent"] == pytest.approx(5.525453, abs=1e-6)


def test_customer_features_avg_transaction_amount_is_spend_per_transaction(features):
    # e.g. customer 1: 10000.5 / 4 = 2500.125; customer 6: 250 / 4 = 62.5
    expected = [spent / count for _, _, spent, _, count in SUMMARIES]

    assert features["avg_transaction_amount"].tolist() == pytest.approx(expected, rel=1e-12)
    assert features.loc[1, "avg_transaction_amount"] == 2500.125


def test_customer_features_spending_intensity_is_sqrt_of_spend_times_transactions(features):
    # e.g. customer 2: sqrt(10000 * 8) = sqrt(80000) = 282.84; customer 6: sqrt(250 * 4) = 31.62
    expected = [math.sqrt(spent * count) for _, _, spent, _, count in SUMMARIES]

    assert features["spending_intensity"].tolist() == pytest.approx(expected, rel=1e-12)
    assert features.loc[2, "spending_intensity"] == pytest.approx(282.842712, abs=1e-6)


def test_customer_features_tiers_are_strictly_above_the_thresholds(features):
    assert features["customer_tier"].to_dict() == {
        1: "premium",  # 10000.5 > 10000
        2: "standard",  # 10000 is not > 10000, but > 1000
        3: "basic",  # 1000 is not > 1000
        4: "standard",  # 1000.01 > 1000
        5: "basic",
        6: "basic",
    }


def test_customer_features_adds_double_features_and_a_string_tier(features_table):
    added = {f.name: f.type for f in features_table.schema if f.name not in SUMMARY_COLUMNS}

    assert added == {
        "log_total_spent": pa.float64(),
        "avg_transaction_amount": pa.float64(),
        "spending_intensity": pa.float64(),
        "customer_tier": pa.string(),
    }
