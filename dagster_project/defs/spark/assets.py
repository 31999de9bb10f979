"""Spark assets on the reference tier: Spark reads and writes the lake, Dagster keeps the URIs."""

import dagster as dg

from dagster_project.defs.spark import transform
from dagster_project.defs.spark.generate import generate_transactions
from dagster_project.monitoring.step_meter import measured
from dagster_project.resources.lake_datasets import write_dataset
from dagster_project.resources.spark import SparkResource
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.servers import Server, talks_to
from dagster_project.tiers import io_manager_key

GROUP = "spark"
IO_MANAGER_KEY = io_manager_key(GROUP)


def dataset_metadata(spark: SparkResource, uri: str) -> dict:
    """What a Spark asset reports: the written dataset as Spark reads it back, and the job."""
    from pyspark.sql import functions as F

    dataset = spark.spark_session.read.parquet(uri)
    counts = dataset.agg(
        F.count(F.lit(1)).alias("rows"), F.countDistinct("customer_id").alias("customers")
    ).first()
    link = spark.application_link()
    return {
        "dagster/row_count": int(counts["rows"]),
        "distinct_customers": int(counts["customers"]),
        "column_count": len(dataset.columns),
        "dagster/uri": uri,
        "spark_application_id": spark.spark_session.sparkContext.applicationId,
        "spark_master": spark.master,
        "processing_location": "spark",
        "bytes_through_dagster": 0,
        **({"spark_ui": dg.MetadataValue.url(link)} if link else {}),
    }


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"spark", "parquet"},
    **talks_to(Server.SPARK),
)
@measured
def lake_transactions(
    context: dg.AssetExecutionContext, spark: SparkResource, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """Card transactions generated inside Spark and written to the lake (synthetic: 10 million)."""
    with spark.stopped_application_fails_step(context.asset_key.to_user_string()):
        transactions = generate_transactions(
            spark.spark_session,
            n_rows=synthetic_data.rows(10_000_000, minimum=10_000),
            n_customers=synthetic_data.rows(200_000, minimum=500),
            seed=int(synthetic_data.rng(context).integers(2**31)),
        )
        uri = write_dataset(transactions, spark.lake_url, "transactions", context.run.run_id)
        return dg.MaterializeResult(value=uri, metadata=dataset_metadata(spark, uri))


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"spark", "parquet"},
    **talks_to(Server.SPARK),
)
@measured
def large_dataset_spark(
    context: dg.AssetExecutionContext, lake_transactions: str, spark: SparkResource
) -> dg.MaterializeResult:
    """Spend, quantity and transactions per customer and category, aggregated by Spark."""
    with spark.stopped_application_fails_step(context.asset_key.to_user_string()):
        summary = transform.customer_category_summary(
            spark.spark_session.read.parquet(lake_transactions)
        )
        uri = write_dataset(
            summary, spark.lake_url, "customer_category_summary", context.run.run_id
        )
        return dg.MaterializeResult(value=uri, metadata=dataset_metadata(spark, uri))


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"spark", "parquet"},
    **talks_to(Server.SPARK),
)
@measured
def ml_features(
    context: dg.AssetExecutionContext, large_dataset_spark: str, spark: SparkResource
) -> dg.MaterializeResult:
    """ML features per customer and category: log spend, average transaction, intensity, tier."""
    with spark.stopped_application_fails_step(context.asset_key.to_user_string()):
        features = transform.customer_features(
            spark.spark_session.read.parquet(large_dataset_spark)
        )
        uri = write_dataset(features, spark.lake_url, "ml/customer_features", context.run.run_id)
        tiers = spark.spark_session.read.parquet(uri).groupBy("customer_tier").count().collect()
        return dg.MaterializeResult(
            value=uri,
            metadata=dataset_metadata(spark, uri)
            | {"rows_per_tier": {row["customer_tier"]: int(row["count"]) for row in tiers}},
        )
