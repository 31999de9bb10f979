"""Synthetic card transactions generated inside Spark: no row ever exists in Python.

Every column is drawn with Spark's seeded ``rand``/``randn``, which depend only on the seed and
the partition a row is in. The number of partitions is fixed by the row count (not by the
cluster's cores), so the same seed gives the same dataset on ``local[*]`` and on a cluster.
Customer ids are skewed (a few customers buy a lot), so every customer tier occurs.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PERIOD_START = "2024-01-01"
PERIOD_DAYS = 366
PRODUCT_CATEGORIES = ("electronics", "clothing", "home", "books", "grocery")
CATEGORY_MEDIAN_AMOUNTS = (120.0, 45.0, 70.0, 18.0, 35.0)
ROWS_PER_PARTITION = 1_000_000
# Spark seeds each partition's generator with seed + partition index, so the columns' seeds are
# spaced further apart than any partition count: otherwise one column's draws in partition p would
# repeat another column's draws in partition p + 1.
COLUMN_SEED_STRIDE = 2**32


def column_seed(seed: int, column: int) -> int:
    """The seed of the ``column``-th random column."""
    return seed + column * COLUMN_SEED_STRIDE


def generate_transactions(
    spark: "SparkSession", n_rows: int, n_customers: int, seed: int
) -> "DataFrame":
    """``n_rows`` transactions of 2024 by ``n_customers`` customers."""
    from pyspark.sql import functions as F

    category = (F.floor(F.rand(column_seed(seed, 1)) * len(PRODUCT_CATEGORIES)) + 1).cast("int")
    partitions = max(1, -(-n_rows // ROWS_PER_PARTITION))
    return spark.range(0, n_rows, numPartitions=partitions).select(
        (F.col("id") + 1).alias("transaction_id"),
        (F.floor(F.pow(F.rand(column_seed(seed, 0)), 2) * n_customers) + 1)
        .cast("long")
        .alias("customer_id"),
        F.element_at(F.array(*map(F.lit, PRODUCT_CATEGORIES)), category).alias("product_category"),
        F.round(
            F.element_at(F.array(*map(F.lit, CATEGORY_MEDIAN_AMOUNTS)), category)
            * F.exp(F.randn(column_seed(seed, 2)) * 0.6),
            2,
        ).alias("amount"),
        (F.floor(F.rand(column_seed(seed, 3)) * 4) + 1).cast("int").alias("quantity"),
        F.date_add(
            F.lit(PERIOD_START).cast("date"),
            F.floor(F.rand(column_seed(seed, 4)) * PERIOD_DAYS).cast("int"),
        ).alias("transaction_date"),
    )
