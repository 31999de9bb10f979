"""The Spark group's transformations: pure functions from DataFrame to DataFrame."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SINCE = "2024-01-01"
PREMIUM_MIN_SPENT = 10_000
STANDARD_MIN_SPENT = 1_000


def customer_category_summary(transactions: "DataFrame", since: str = SINCE) -> "DataFrame":
    """Per customer and product category since ``since``: spend, quantity and transactions."""
    from pyspark.sql import functions as F

    return (
        transactions.filter(F.col("transaction_date") >= F.lit(since).cast("date"))
        .groupBy("customer_id", "product_category")
        .agg(
            F.sum("amount").alias("total_spent"),
            F.sum("quantity").alias("total_quantity"),
            F.count("transaction_id").alias("transaction_count"),
        )
    )


def customer_features(summary: "DataFrame") -> "DataFrame":
    """The ML features of each summary row.

    - ``log_total_spent`` = ln(total_spent + 1)
    - ``avg_transaction_amount`` = total_spent / transaction_count
    - ``spending_intensity`` = sqrt(total_spent * transaction_count)
    - ``customer_tier``: premium above 10,000 spent, standard above 1,000, else basic
    """
    from pyspark.sql import functions as F

    return (
        summary.withColumn("log_total_spent", F.log1p("total_spent"))
        .withColumn("avg_transaction_amount", F.col("total_spent") / F.col("transaction_count"))
        .withColumn("spending_intensity", F.sqrt(F.col("total_spent") * F.col("transaction_count")))
        .withColumn(
            "customer_tier",
            F.when(F.col("total_spent") > PREMIUM_MIN_SPENT, "premium")
            .when(F.col("total_spent") > STANDARD_MIN_SPENT, "standard")
            .otherwise("basic"),
        )
    )
