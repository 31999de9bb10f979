"""The daily dbt model, partitioned by day and incremental, on real dbt over DuckDB and PostgreSQL,
its rows worked by hand from known transactions: a partition writes exactly its day, a rerun
replaces that day, a late (older) day lands without touching the others, and a backfill of
several days is one run, one step and one dbt invocation that gives the rows of the days run one
by one."""

import datetime
import uuid

import dagster as dg
import pandas as pd
import pytest

from dagster_project.definitions import defs
from dagster_project.resources.warehouse import WarehouseResource

DAILY = dg.AssetKey(["marts", "fct_daily_revenue_by_category"])
STAGING = dg.AssetKey(["staging", "stg_transactions"])
TABLE = "marts.fct_daily_revenue_by_category"
DAY = datetime.date
TRANSACTIONS = pd.DataFrame(
    {
        "transaction_id": [1, 2, 3, 4, 5, 6, 7],
        "customer_id": [1, 2, 1, 1, 3, 3, 2],
        "customer_segment": ["consumer"] * 7,
        "product_category": [
            "electronics",
            "electronics",
            "books",
            "electronics",
            "books",
            "books",
            "grocery",
        ],
        "amount": [10.0, 5.0, 7.5, 20.0, 2.5, 2.5, 4.0],
        "transaction_timestamp": pd.to_datetime(
            [
                "2024-01-01 09:00",
                "2024-01-01 23:59",
                "2024-01-01 12:00",
                "2024-01-02 00:00",
                "2024-01-02 10:00",
                "2024-01-02 11:00",
                "2024-01-03 08:00",
            ]
        ),
    }
)
# (day, category, key, revenue, transactions, customers), worked by hand from TRANSACTIONS
EXPECTED = {
    DAY(2024, 1, 1): [
        [DAY(2024, 1, 1), "books", "2024-01-01/books", 7.5, 1, 1],
        [DAY(2024, 1, 1), "electronics", "2024-01-01/electronics", 15.0, 2, 2],
    ],
    DAY(2024, 1, 2): [
        [DAY(2024, 1, 2), "books", "2024-01-02/books", 5.0, 2, 1],
        [DAY(2024, 1, 2), "electronics", "2024-01-02/electronics", 20.0, 1, 1],
    ],
    DAY(2024, 1, 3): [[DAY(2024, 1, 3), "grocery", "2024-01-03/grocery", 4.0, 1, 1]],
}


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def module_warehouse_url(request, tmp_path_factory) -> str:
    """One warehouse per backend for the module: dbt keeps its parse per profile, so the tests
    after the first skip parsing the project."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path_factory.mktemp('daily') / 'warehouse.duckdb'}"
    server = request.getfixturevalue("postgres_server")
    database = f"daily_{uuid.uuid4().hex[:12]}"
    server.create_database(database)
    return server.url(database)


@pytest.fixture
def warehouse(module_warehouse_url, monkeypatch) -> WarehouseResource:
    """The warehouse with the known transactions, the staging view built by real dbt, and no
    daily table yet."""
    monkeypatch.setenv("WAREHOUSE_URL", module_warehouse_url)
    warehouse = WarehouseResource(url=module_warehouse_url)
    warehouse.load_dataframe("raw.raw_transactions", TRANSACTIONS)
    with warehouse.transaction() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {warehouse.quote(TABLE)}")
    result = dg.materialize([defs.get_assets_def(STAGING)], selection=[STAGING])
    assert result.success
    return warehouse


def rows(warehouse: WarehouseResource) -> list[list]:
    frame = warehouse.fetch_frame(f"SELECT * FROM {warehouse.quote(TABLE)} ORDER BY 1, 2")
    values = frame.astype(object).values.tolist()
    return [[pd.Timestamp(row[0]).date(), *row[1:]] for row in values]


def build(instance, **partitions) -> dg.ExecuteInProcessResult:
    """The daily model over one partition (``partition_key``) or a range (start/end tags)."""
    return dg.materialize(
        [defs.get_assets_def(DAILY)],
        selection=[DAILY],
        instance=instance,
        partition_key=partitions.get("partition_key"),
        tags={
            f"dagster/asset_partition_range_{side}": partitions[side]
            for side in ("start", "end")
            if side in partitions
        },
    )


def dbt_invocations(instance, run_id: str) -> list[str]:
    return [
        record.message
        for record in instance.all_logs(run_id)
        if record.message.startswith("Running dbt command")
    ]


def set_amount(warehouse: WarehouseResource, transaction_id: int, amount: float) -> None:
    with warehouse.transaction() as connection:
        connection.exec_driver_sql(
            f"UPDATE raw.raw_transactions SET amount = {amount} "
            f"WHERE transaction_id = {transaction_id}"
        )


def test_days_write_their_rows_reruns_replace_late_days_leave_the_rest_backfills_match(
    warehouse, instance
):
    # one day writes exactly its rows
    assert build(instance, partition_key="2024-01-02").success
    assert rows(warehouse) == EXPECTED[DAY(2024, 1, 2)]

    # a rerun of that day after a correction replaces its rows (no duplicates)
    set_amount(warehouse, 4, 30.0)
    assert build(instance, partition_key="2024-01-02").success
    corrected = [
        [*row[:3], 30.0, *row[4:]] if row[1] == "electronics" else row
        for row in EXPECTED[DAY(2024, 1, 2)]
    ]
    assert rows(warehouse) == corrected

    # a late (older) day lands; the 2nd, whose source changed meanwhile, is not touched
    set_amount(warehouse, 4, 99.0)
    assert build(instance, partition_key="2024-01-01").success
    assert rows(warehouse) == EXPECTED[DAY(2024, 1, 1)] + corrected

    set_amount(warehouse, 4, 30.0)
    assert build(instance, partition_key="2024-01-03").success
    day_by_day = rows(warehouse)
    assert day_by_day == EXPECTED[DAY(2024, 1, 1)] + corrected + EXPECTED[DAY(2024, 1, 3)]

    # the three days as one backfill, from an empty table: one run, one step, one dbt
    # invocation, the same rows
    with warehouse.transaction() as connection:
        connection.exec_driver_sql(f"DROP TABLE {warehouse.quote(TABLE)}")
    result = build(instance, start="2024-01-01", end="2024-01-03")

    assert result.success
    assert {event.step_key for event in result.all_events if event.step_key} == {"dbt_daily_models"}
    assert len(dbt_invocations(instance, result.run_id)) == 1
    materialized = {event.partition for event in result.get_asset_materialization_events()}
    assert materialized == {"2024-01-01", "2024-01-02", "2024-01-03"}
    assert rows(warehouse) == day_by_day
