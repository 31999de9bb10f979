"""The dbt marts' values, worked by hand from a few known rows, built by real dbt on DuckDB."""

import datetime

import pandas as pd
import pytest
from dagster_dbt import DbtCliResource

from dagster_project.defs.dbt.component import environment_variables
from dagster_project.resources.warehouse import WarehouseResource
from tests.defs.dbt.project import dbt_project

TRANSACTIONS = pd.DataFrame(
    {
        "transaction_id": [1, 2, 3, 4, 5],
        "customer_id": [1, 1, 2, 1, 1],
        "customer_segment": ["consumer", "consumer", "enterprise", "consumer", "consumer"],
        "product_category": ["grocery", "travel", "grocery", "grocery", "grocery"],
        "amount": [10.0, 30.0, 5.5, 4.5, 2.0],
        "transaction_timestamp": pd.to_datetime(
            [
                "2024-03-01 09:00",
                "2024-03-01 18:00",
                "2024-03-01 12:00",
                "2024-03-02 08:00",
                "2024-03-01 20:00",
            ]
        ),
    }
)
SALES = pd.DataFrame(
    {
        "sale_id": [1, 2, 3, 4, 5],
        "product_id": [10, 11, 10, 12, 11],
        "category": ["books", "books", "books", "toys", "books"],
        "customer_id": [7, 8, 7, 7, 7],
        "sale_amount": [12.0, 8.0, 20.0, 3.0, 5.0],
        "sale_date": pd.to_datetime(
            [
                "2024-01-31 23:00",
                "2024-01-05 10:00",
                "2024-02-01 00:30",
                "2024-02-10 15:00",
                "2024-01-20 09:00",
            ]
        ),
    }
)
SEGMENTS = pd.DataFrame({"customer_id": [1, 2], "segment": ["Regular", "New"]})


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> WarehouseResource:
    folder = tmp_path_factory.mktemp("dbt")
    warehouse = WarehouseResource(url=f"duckdb:///{folder / 'warehouse.duckdb'}")
    warehouse.load_dataframe("raw.raw_transactions", TRANSACTIONS)
    warehouse.load_dataframe("raw.raw_sales_data", SALES)
    warehouse.load_dataframe("analytics.customer_segments", SEGMENTS)
    dbt = DbtCliResource(project_dir=dbt_project)
    with environment_variables(warehouse.dbt_environment()):
        invocation = dbt.cli(["run"], target_path=folder / "target", raise_on_error=False)
        invocation.wait()
    assert invocation.is_successful()
    return warehouse


def rows(warehouse: WarehouseResource, table: str, order: str) -> list[list]:
    frame = warehouse.fetch_frame(f"SELECT * FROM {warehouse.quote(table)} ORDER BY {order}")
    return frame.astype(object).values.tolist()


def test_dim_customers_sums_each_customers_activity_and_takes_its_segment(marts):
    assert rows(marts, "marts.dim_customers", "customer_id") == [
        [
            1,
            "consumer",
            pd.Timestamp("2024-03-01 09:00"),
            pd.Timestamp("2024-03-02 08:00"),
            4,
            46.5,  # 10 + 30 + 4.5 + 2
            "Regular",
        ],
        [
            2,
            "enterprise",
            pd.Timestamp("2024-03-01 12:00"),
            pd.Timestamp("2024-03-01 12:00"),
            1,
            5.5,
            "New",
        ],
    ]


def test_daily_revenue_groups_by_day_and_category(marts):
    day = datetime.date
    assert rows(marts, "marts.fct_daily_revenue_by_category", "1, 2") == [
        [day(2024, 3, 1), "grocery", "2024-03-01/grocery", 17.5, 3, 2],  # 2 customers
        [day(2024, 3, 1), "travel", "2024-03-01/travel", 30.0, 1, 1],
        [day(2024, 3, 2), "grocery", "2024-03-02/grocery", 4.5, 1, 1],
    ]


def test_monthly_sales_group_by_calendar_month_and_category(marts):
    month = datetime.date
    # 31 January 23:00 is January's; 1 February 00:30 is February's.
    assert rows(marts, "marts.fct_monthly_sales_by_category", "1, 2") == [
        [month(2024, 1, 1), "books", 3, 25.0, 2],  # customers 7 (twice) and 8
        [month(2024, 2, 1), "books", 1, 20.0, 1],
        [month(2024, 2, 1), "toys", 1, 3.0, 1],
    ]
