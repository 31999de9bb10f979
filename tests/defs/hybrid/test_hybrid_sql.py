"""Monthly sales per customer on hand-made sales, on a real DuckDB file and a real PostgreSQL
database."""

import datetime

import pandas as pd
import pytest

from dagster_project.defs.hybrid.generate import CATEGORIES
from dagster_project.defs.hybrid.sql import monthly_sales_sql
from dagster_project.resources.warehouse import WarehouseResource

RAW_SALES = "raw.raw_sales_data"
MONTHLY_SALES = "analytics.monthly_sales"
SINCE = datetime.date(2024, 1, 1)


@pytest.fixture
def warehouse(warehouse_url: str) -> WarehouseResource:
    return WarehouseResource(url=warehouse_url)


def make_sales(rows: list[tuple[int, float, str]]) -> pd.DataFrame:
    """Raw sales as ``generate_sales`` shapes them, from (customer_id, sale_amount, sale_date)."""
    n = len(rows)
    customer_id, sale_amount, sale_date = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "sale_id": pd.Series(range(n), dtype="int64"),
            "product_id": pd.Series([7] * n, dtype="int64"),
            "category": pd.Categorical(["Books"] * n, categories=CATEGORIES),
            "customer_id": pd.Series(customer_id, dtype="int64"),
            "sale_amount": pd.Series(sale_amount, dtype="float64"),
            "sale_date": pd.to_datetime(list(sale_date)),
        }
    )


def build_monthly_sales(
    warehouse: WarehouseResource, sales: pd.DataFrame, since: datetime.date = SINCE
) -> pd.DataFrame:
    warehouse.load_dataframe(RAW_SALES, sales)
    warehouse.build_table(
        MONTHLY_SALES, monthly_sales_sql(warehouse.quote(RAW_SALES)), {"since": since}
    )
    monthly = warehouse.fetch_frame(
        f"SELECT * FROM {warehouse.quote(MONTHLY_SALES)} ORDER BY customer_id, month"
    )
    monthly["month"] = pd.to_datetime(monthly["month"]).dt.date
    return monthly


SALES = make_sales(
    [
        # before SINCE: dropped, even one second before it
        (2, 1000.0, "2023-12-15 12:00:00"),
        (2, 500.0, "2023-12-31 23:59:59"),
        # exactly SINCE: kept
        (2, 20.0, "2024-01-01 00:00:00"),
        (1, 100.0, "2024-01-05 09:30:00"),
        (1, 50.0, "2024-01-31 23:59:59"),
        (1, 30.0, "2024-02-01 00:00:00"),
        (2, 10.0, "2024-03-10 08:00:00"),
        (2, 60.0, "2024-03-20 08:00:00"),
        (2, 20.0, "2024-03-31 21:00:00"),
    ]
)


def test_monthly_sales_counts_and_sums_per_customer_and_month(warehouse):
    monthly = build_monthly_sales(warehouse, SALES)

    assert list(monthly.columns) == [
        "customer_id",
        "month",
        "sales_count",
        "total_sales",
        "avg_sale_amount",
    ]
    assert monthly[["customer_id", "month", "sales_count"]].values.tolist() == [
        [1, datetime.date(2024, 1, 1), 2],
        [1, datetime.date(2024, 2, 1), 1],
        [2, datetime.date(2024, 1, 1), 1],
        [2, datetime.date(2024, 3, 1), 3],
    ]
    # 1/January 100 + 50; 2/January only the 20 on SINCE; 2/March 10 + 60 + 20
    assert monthly["total_sales"].tolist() == pytest.approx([150.0, 30.0, 20.0, 90.0])
    # 150 / 2; 30 / 1; 20 / 1; 90 / 3
    assert monthly["avg_sale_amount"].tolist() == pytest.approx([75.0, 30.0, 20.0, 30.0])


def test_monthly_sales_since_is_a_parameter(warehouse):
    monthly = build_monthly_sales(warehouse, SALES, since=datetime.date(2024, 2, 1))

    # January's sales, including 2024-01-31 23:59:59, are now before the cut-off
    assert monthly[["customer_id", "month", "sales_count"]].values.tolist() == [
        [1, datetime.date(2024, 2, 1), 1],
        [2, datetime.date(2024, 3, 1), 3],
    ]
    assert monthly["total_sales"].tolist() == pytest.approx([30.0, 90.0])
