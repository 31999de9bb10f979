"""The spark group end to end, on local[*] and on a real standalone cluster; DuckDB, not Spark,
checks what was written."""

import math

import dagster as dg
import duckdb
import pytest

from dagster_project.definitions import defs
from dagster_project.deployment import build_resources

SPARK_ASSETS = ("lake_transactions", "large_dataset_spark", "ml_features")


@pytest.fixture(params=["local", "cluster"])
def spark_master(request, small_scale_environ, monkeypatch) -> str:
    if request.param == "cluster":
        cluster = request.getfixturevalue("spark_cluster")
        monkeypatch.setenv("SPARK_MASTER_URL", cluster.master_url)
        monkeypatch.setenv("SPARK_MASTER_UI_URL", cluster.master_ui_url)
    return request.param


def parquet(uri: str) -> str:
    return f"read_parquet('{uri.removeprefix('file://')}/*.parquet')"


def test_the_group_writes_correct_datasets_and_passes_only_uris(spark_master, instance):
    result = dg.materialize(
        list(defs.assets or []),
        selection=dg.AssetSelection.groups("spark"),
        resources=build_resources(),
        instance=instance,
    )
    assert result.success

    metadata = {
        asset: {
            key: value.value
            for key, value in instance.get_latest_materialization_event(
                dg.AssetKey(asset)
            ).asset_materialization.metadata.items()
        }
        for asset in SPARK_ASSETS
    }
    uris = {asset: metadata[asset]["reference"] for asset in SPARK_ASSETS}
    transactions, summary, features = (parquet(uris[asset]) for asset in SPARK_ASSETS)

    assert duckdb.sql(f"SELECT count(*) FROM {transactions}").fetchall() == [(100_000,)]
    assert metadata["lake_transactions"]["dagster/row_count"] == 100_000
    sample = duckdb.sql(
        f"SELECT DISTINCT customer_id FROM {transactions} USING SAMPLE 25 ROWS (reservoir, 7)"
    ).fetchall()
    customers = ", ".join(str(customer) for (customer,) in sample)
    recomputed = duckdb.sql(
        f"SELECT customer_id, product_category, sum(amount), sum(quantity), count(*) "
        f"FROM {transactions} WHERE customer_id IN ({customers}) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    written = duckdb.sql(
        f"SELECT customer_id, product_category, total_spent, total_quantity, transaction_count "
        f"FROM {summary} WHERE customer_id IN ({customers}) ORDER BY ALL"
    ).fetchall()
    assert len(written) == len(recomputed) > 0
    for mine, theirs in zip(written, recomputed, strict=True):
        assert (mine[:2], mine[3:]) == (theirs[:2], theirs[3:])
        assert mine[2] == pytest.approx(theirs[2])

    for total, count, log_spent, average, intensity, tier in duckdb.sql(
        f"SELECT total_spent, transaction_count, log_total_spent, avg_transaction_amount, "
        f"spending_intensity, customer_tier FROM {features}"
    ).fetchall():
        assert log_spent == pytest.approx(math.log(total + 1))
        assert average == pytest.approx(total / count)
        assert intensity == pytest.approx(math.sqrt(total * count))
        assert tier == ("premium" if total > 10_000 else "standard" if total > 1_000 else "basic")

    applications = {metadata[asset]["spark_application_id"] for asset in SPARK_ASSETS}
    assert len(applications) == 1  # one session for the whole run
    assert all(metadata[asset]["bytes_through_dagster"] == 0 for asset in SPARK_ASSETS)
    if spark_master == "cluster":
        assert applications.pop().startswith("app-")
        assert "/app/?appId=app-" in metadata["ml_features"]["spark_ui"]
    else:
        assert applications.pop().startswith("local-")
