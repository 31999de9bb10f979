"""The warehouse group's SQL, as pure functions of already-quoted table names.

Table names arrive validated and quoted by :class:`WarehouseResource`; every value is a bound
``:parameter``. Dates are relative to the data's own latest date, not ``CURRENT_DATE``: the
synthetic data covers 2024, and a rule relative to today would call every customer inactive.
The SQL is plain enough to run unchanged on DuckDB and PostgreSQL.
"""

from dataclasses import asdict, dataclass


def transactions_daily_sql(raw_transactions: str) -> str:
    """Daily totals per customer, segment and category over the last year of data."""
    return f"""
        SELECT
            CAST(transaction_timestamp AS DATE) AS transaction_date,
            customer_id,
            customer_segment,
            product_category,
            COUNT(*) AS transaction_count,
            SUM(amount) AS total_amount,
            AVG(amount) AS avg_amount,
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY amount) AS median_amount
        FROM {raw_transactions}
        WHERE transaction_timestamp
            >= (SELECT MAX(transaction_timestamp) FROM {raw_transactions}) - INTERVAL '1 year'
        GROUP BY 1, 2, 3, 4
    """


@dataclass(frozen=True)
class SegmentRules:
    """Thresholds of the customer segments, checked in order."""

    vip_min_value: float = 10_000
    vip_min_days: int = 100
    high_value_min_value: float = 5_000
    high_value_min_days: int = 50
    regular_min_value: float = 1_000
    regular_min_days: int = 20
    new_within_days: int = 30

    def parameters(self) -> dict[str, float]:
        return asdict(self)


SEGMENTS = ("VIP", "High Value", "Regular", "New", "Inactive")


def customer_segments_sql(transactions_daily: str) -> str:
    """One row per customer with activity metrics and a segment; thresholds are parameters.

    VIP, High Value and Regular need both lifetime value and active days above their
    thresholds; otherwise a customer active in the last ``new_within_days`` days of the data is
    New, and everyone else Inactive.
    """
    return f"""
        WITH customer_metrics AS (
            SELECT
                customer_id,
                COUNT(DISTINCT transaction_date) AS active_days,
                SUM(total_amount) AS lifetime_value,
                SUM(total_amount) / COUNT(DISTINCT transaction_date) AS avg_daily_spend,
                MIN(transaction_date) AS first_transaction_date,
                MAX(transaction_date) AS last_transaction_date
            FROM {transactions_daily}
            GROUP BY customer_id
        ),
        as_of AS (SELECT MAX(last_transaction_date) AS as_of_date FROM customer_metrics)
        SELECT
            customer_metrics.*,
            CASE
                WHEN lifetime_value > :vip_min_value AND active_days > :vip_min_days
                    THEN 'VIP'
                WHEN lifetime_value > :high_value_min_value AND active_days > :high_value_min_days
                    THEN 'High Value'
                WHEN lifetime_value > :regular_min_value AND active_days > :regular_min_days
                    THEN 'Regular'
                WHEN last_transaction_date > as_of_date - :new_within_days * INTERVAL '1 day'
                    THEN 'New'
                ELSE 'Inactive'
            END AS segment
        FROM customer_metrics CROSS JOIN as_of
    """
