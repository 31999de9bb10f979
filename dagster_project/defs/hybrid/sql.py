"""The hybrid group's warehouse SQL, as pure functions of already-quoted table names."""


def monthly_sales_sql(raw_sales: str) -> str:
    """Sales per customer and month since ``:since``: count, total and mean amount."""
    return f"""
        SELECT
            customer_id,
            CAST(DATE_TRUNC('month', sale_date) AS DATE) AS month,
            COUNT(*) AS sales_count,
            SUM(sale_amount) AS total_sales,
            AVG(sale_amount) AS avg_sale_amount
        FROM {raw_sales}
        WHERE sale_date >= :since
        GROUP BY 1, 2
    """
