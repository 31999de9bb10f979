"""The warehouse group's SQL on hand-made transactions, on a real DuckDB file and a real
PostgreSQL database: daily totals over the last year, and customer segments at their
thresholds."""

import datetime

import pandas as pd
import pytest

from dagster_project.defs.warehouse.sql import (
    SEGMENTS,
    SegmentRules,
    customer_segments_sql,
    transactions_daily_sql,
)
from dagster_project.resources.warehouse import WarehouseResource

RAW_TRANSACTIONS = "raw.raw_transactions"
TRANSACTIONS_DAILY = "analytics.transactions_daily"
CUSTOMER_SEGMENTS = "analytics.customer_segments"
SMALL_RULES = SegmentRules(
    vip_min_value=1000,
    vip_min_days=3,
    high_value_min_value=500,
    high_value_min_days=2,
    regular_min_value=100,
    regular_min_days=1,
    new_within_days=30,
)


@pytest.fixture
def warehouse(warehouse_url: str) -> WarehouseResource:
    return WarehouseResource(url=warehouse_url)


def make_transactions(rows: list[tuple[int, str, str, float, str]]) -> pd.DataFrame:
    """Raw transactions as ``generate_transactions`` shapes them, from
    (customer_id, customer_segment, product_category, amount, timestamp) tuples."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "customer_id",
            "customer_segment",
            "product_category",
            "amount",
            "transaction_timestamp",
        ],
    ).astype({"customer_id": "int64", "amount": "float64"})
    frame["transaction_timestamp"] = pd.to_datetime(frame["transaction_timestamp"])
    frame.insert(0, "transaction_id", range(1, len(frame) + 1))
    return frame.astype({"transaction_id": "int64"})


def build_transactions_daily(warehouse: WarehouseResource, transactions: pd.DataFrame) -> None:
    warehouse.load_dataframe(RAW_TRANSACTIONS, transactions)
    warehouse.build_table(
        TRANSACTIONS_DAILY, transactions_daily_sql(warehouse.quote(RAW_TRANSACTIONS))
    )


def build_customer_segments(
    warehouse: WarehouseResource, transactions: pd.DataFrame, rules: SegmentRules
) -> pd.DataFrame:
    build_transactions_daily(warehouse, transactions)
    warehouse.build_table(
        CUSTOMER_SEGMENTS,
        customer_segments_sql(warehouse.quote(TRANSACTIONS_DAILY)),
        rules.parameters(),
    )
    segments = warehouse.fetch_frame(
        f"SELECT * FROM {warehouse.quote(CUSTOMER_SEGMENTS)} ORDER BY customer_id"
    )
    for column in ("first_transaction_date", "last_transaction_date"):
        segments[column] = pd.to_datetime(segments[column]).dt.date
    return segments.set_index("customer_id")


def fetch_transactions_daily(warehouse: WarehouseResource) -> pd.DataFrame:
    daily = warehouse.fetch_frame(
        f"SELECT * FROM {warehouse.quote(TRANSACTIONS_DAILY)} "
        "ORDER BY transaction_date, customer_id, product_category"
    )
    daily["transaction_date"] = pd.to_datetime(daily["transaction_date"]).dt.date
    return daily


# As of 2024-12-31 (the latest transaction), with SMALL_RULES. Thresholds are strict: a value or
# a day count equal to a threshold does not pass it.
SEGMENT_TRANSACTIONS = make_transactions(
    [
        # 1: VIP, 1200 > 1000 over 4 > 3 days; two categories on 12-31 make one active day
        (1, "consumer", "home", 300.0, "2024-12-01 09:00"),
        (1, "consumer", "home", 300.0, "2024-12-10 09:00"),
        (1, "consumer", "home", 300.0, "2024-12-20 09:00"),
        (1, "consumer", "electronics", 100.0, "2024-12-31 08:00"),
        (1, "consumer", "books", 200.0, "2024-12-31 18:00"),
        # 2: High Value, value exactly at the VIP threshold (1000) over 4 days
        (2, "enterprise", "electronics", 250.0, "2024-06-01 12:00"),
        (2, "enterprise", "electronics", 250.0, "2024-06-02 12:00"),
        (2, "enterprise", "electronics", 250.0, "2024-06-03 12:00"),
        (2, "enterprise", "electronics", 250.0, "2024-06-04 12:00"),
        # 3: High Value, 1800 > 1000 but exactly the VIP threshold's 3 days
        (3, "small_business", "home", 600.0, "2024-05-01 12:00"),
        (3, "small_business", "home", 600.0, "2024-05-02 12:00"),
        (3, "small_business", "home", 600.0, "2024-05-03 12:00"),
        # 4: Regular, value exactly at the High Value threshold (500) over 3 days
        (4, "consumer", "clothing", 100.0, "2024-03-01 12:00"),
        (4, "consumer", "clothing", 150.0, "2024-03-02 12:00"),
        (4, "consumer", "clothing", 250.0, "2024-03-03 12:00"),
        # 5: Regular, 300 > 100 over 2 > 1 days, long ago
        (5, "consumer", "grocery", 100.0, "2024-02-01 12:00"),
        (5, "consumer", "grocery", 200.0, "2024-02-05 12:00"),
        # 6: New, 600 on exactly the Regular threshold's 1 day, 12-02 is 29 days before 12-31
        (6, "consumer", "electronics", 400.0, "2024-12-02 10:00"),
        (6, "consumer", "books", 200.0, "2024-12-02 11:00"),
        # 7: Inactive, last transaction 12-01, exactly 30 days before 12-31
        (7, "consumer", "books", 20.0, "2024-11-15 12:00"),
        (7, "consumer", "books", 30.0, "2024-12-01 12:00"),
        # 8: Inactive, value exactly at the Regular threshold (100) over 5 days, long ago
        (8, "consumer", "grocery", 20.0, "2024-04-01 12:00"),
        (8, "consumer", "grocery", 20.0, "2024-04-02 12:00"),
        (8, "consumer", "grocery", 20.0, "2024-04-03 12:00"),
        (8, "consumer", "grocery", 20.0, "2024-04-04 12:00"),
        (8, "consumer", "grocery", 20.0, "2024-04-05 12:00"),
    ]
)


def daily_purchases(customer: int, days: int, amount: float, last_day: str = "2024-12-31"):
    """One purchase of ``amount`` on each of ``days`` consecutive days ending on ``last_day``."""
    end = pd.Timestamp(last_day)
    return [
        (
            customer,
            "consumer",
            "grocery",
            amount,
            str(end - pd.Timedelta(days=d) + pd.Timedelta(hours=12)),
        )
        for d in range(days)
    ]


def test_the_default_rules_at_their_thresholds(warehouse):
    # Default thresholds (VIP > 10,000 over > 100 days, High Value > 5,000 over > 50, Regular
    # > 1,000 over > 20, New within 30 days), worked by hand; each "over" is strict.
    transactions = make_transactions(
        daily_purchases(1, 101, 100.0)  # 10,100 over 101 days
        + daily_purchases(2, 100, 101.0)  # 10,100 but only 100 days
        + daily_purchases(3, 101, 99.0)  # 101 days but only 9,999
        + daily_purchases(4, 50, 120.0)  # 6,000 over only 50 days: Regular
        + daily_purchases(5, 21, 50.0)  # 1,050 over 21 days
        + daily_purchases(6, 20, 60.0)  # 1,200 over only 20 days, and recent
        + daily_purchases(7, 21, 40.0, last_day="2024-06-30")  # 840, half a year ago
    )

    segments = build_customer_segments(warehouse, transactions, SegmentRules())

    assert segments["segment"].to_dict() == {
        1: "VIP",
        2: "High Value",
        3: "High Value",
        4: "Regular",
        5: "Regular",
        6: "New",
        7: "Inactive",
    }


def test_transactions_daily_groups_by_date_customer_segment_and_category(warehouse):
    build_transactions_daily(
        warehouse,
        make_transactions(
            [
                (1, "consumer", "electronics", 5.0, "2024-12-30 10:00"),
                (1, "consumer", "electronics", 40.0, "2024-12-31 08:00"),
                (1, "consumer", "electronics", 10.0, "2024-12-31 12:00"),
                (1, "consumer", "books", 20.0, "2024-12-31 13:00"),
                (1, "consumer", "electronics", 20.0, "2024-12-31 14:00"),
                (1, "consumer", "books", 10.0, "2024-12-31 15:00"),
                (2, "enterprise", "electronics", 100.0, "2024-12-31 18:00"),
            ]
        ),
    )

    daily = fetch_transactions_daily(warehouse)

    assert list(daily.columns) == [
        "transaction_date",
        "customer_id",
        "customer_segment",
        "product_category",
        "transaction_count",
        "total_amount",
        "avg_amount",
        "median_amount",
    ]
    assert daily[
        ["transaction_date", "customer_id", "customer_segment", "product_category"]
    ].values.tolist() == [
        [datetime.date(2024, 12, 30), 1, "consumer", "electronics"],
        [datetime.date(2024, 12, 31), 1, "consumer", "books"],
        [datetime.date(2024, 12, 31), 1, "consumer", "electronics"],
        [datetime.date(2024, 12, 31), 2, "enterprise", "electronics"],
    ]
    assert daily["transaction_count"].tolist() == [1, 2, 3, 1]
    # books 10 + 20 = 30; electronics 40 + 10 + 20 = 70
    assert daily["total_amount"].tolist() == pytest.approx([5.0, 30.0, 70.0, 100.0])
    # books 30 / 2 = 15; electronics 70 / 3 = 23.333
    assert daily["avg_amount"].tolist() == pytest.approx([5.0, 15.0, 70 / 3, 100.0])
    # PERCENTILE_CONT(0.5): of 10, 20 halfway, 15; of 10, 20, 40 the middle one, 20
    assert daily["median_amount"].tolist() == pytest.approx([5.0, 15.0, 20.0, 100.0])


def test_transactions_daily_keeps_only_the_last_year_before_the_latest_transaction(warehouse):
    build_transactions_daily(
        warehouse,
        make_transactions(
            [
                (1, "consumer", "books", 10.0, "2024-12-31 18:00:00"),
                # 400 days before the latest transaction
                (2, "consumer", "books", 1000.0, "2023-11-27 18:00:00"),
                # exactly one year before: kept
                (3, "consumer", "books", 30.0, "2023-12-31 18:00:00"),
                # one second more than a year before, on the same day: dropped
                (3, "consumer", "books", 500.0, "2023-12-31 17:59:59"),
            ]
        ),
    )

    daily = fetch_transactions_daily(warehouse)

    assert daily[["transaction_date", "customer_id", "transaction_count"]].values.tolist() == [
        [datetime.date(2023, 12, 31), 3, 1],
        [datetime.date(2024, 12, 31), 1, 1],
    ]
    assert daily["total_amount"].tolist() == pytest.approx([30.0, 10.0])


def test_customer_segments_reaches_every_segment_with_strict_thresholds(warehouse):
    segments = build_customer_segments(warehouse, SEGMENT_TRANSACTIONS, SMALL_RULES)

    assert segments["segment"].to_dict() == {
        1: "VIP",
        2: "High Value",
        3: "High Value",
        4: "Regular",
        5: "Regular",
        6: "New",
        7: "Inactive",
        8: "Inactive",
    }
    assert set(segments["segment"]) == set(SEGMENTS)


def test_customer_segments_activity_metrics(warehouse):
    segments = build_customer_segments(warehouse, SEGMENT_TRANSACTIONS, SMALL_RULES)

    assert list(segments.columns) == [
        "active_days",
        "lifetime_value",
        "avg_daily_spend",
        "first_transaction_date",
        "last_transaction_date",
        "segment",
    ]
    # two transactions on one day (customers 1 and 6) count as one active day
    assert segments["active_days"].to_dict() == {1: 4, 2: 4, 3: 3, 4: 3, 5: 2, 6: 1, 7: 2, 8: 5}
    # 1: 3 * 300 + 100 + 200; 2: 4 * 250; 3: 3 * 600; 4: 100 + 150 + 250; 5: 100 + 200;
    # 6: 400 + 200; 7: 20 + 30; 8: 5 * 20
    assert segments["lifetime_value"].tolist() == pytest.approx(
        [1200.0, 1000.0, 1800.0, 500.0, 300.0, 600.0, 50.0, 100.0]
    )
    # lifetime_value / active_days: 1200 / 4, 1000 / 4, 1800 / 3, 500 / 3, 300 / 2, 600 / 1,
    # 50 / 2, 100 / 5
    assert segments["avg_daily_spend"].tolist() == pytest.approx(
        [300.0, 250.0, 600.0, 500 / 3, 150.0, 600.0, 25.0, 20.0]
    )
    assert segments["first_transaction_date"].to_dict() == {
        1: datetime.date(2024, 12, 1),
        2: datetime.date(2024, 6, 1),
        3: datetime.date(2024, 5, 1),
        4: datetime.date(2024, 3, 1),
        5: datetime.date(2024, 2, 1),
        6: datetime.date(2024, 12, 2),
        7: datetime.date(2024, 11, 15),
        8: datetime.date(2024, 4, 1),
    }
    assert segments["last_transaction_date"].to_dict() == {
        1: datetime.date(2024, 12, 31),
        2: datetime.date(2024, 6, 4),
        3: datetime.date(2024, 5, 3),
        4: datetime.date(2024, 3, 3),
        5: datetime.date(2024, 2, 5),
        6: datetime.date(2024, 12, 2),
        7: datetime.date(2024, 12, 1),
        8: datetime.date(2024, 4, 5),
    }


def test_customer_segments_new_window_is_a_parameter(warehouse):
    # with a 31-day window, customer 7's last transaction (30 days before 12-31) is recent
    segments = build_customer_segments(
        warehouse,
        SEGMENT_TRANSACTIONS,
        SegmentRules(**{**SMALL_RULES.parameters(), "new_within_days": 31}),
    )

    assert segments.loc[7, "segment"] == "New"
    assert segments.loc[8, "segment"] == "Inactive"


def test_customer_segments_with_the_seed_rules_calls_small_customers_new_or_inactive(warehouse):
    segments = build_customer_segments(warehouse, SEGMENT_TRANSACTIONS, SegmentRules())

    # nobody passes 1,000 over 20 days: only recency (within 30 days of 12-31) separates them
    assert segments["segment"].to_dict() == {
        1: "New",
        2: "Inactive",
        3: "Inactive",
        4: "Inactive",
        5: "Inactive",
        6: "New",
        7: "Inactive",
        8: "Inactive",
    }
