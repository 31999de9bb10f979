-- Revenue, transactions and paying customers per day and product category.
-- Incremental by day: a run builds the days from var start_date (included) to var end_date
-- (excluded), which Dagster passes for the partitions it materializes, and replaces exactly those
-- days' rows (delete+insert on the day and category). Without the variables it builds every day.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['transaction_date', 'product_category'],
        tags=['daily'],
    )
}}

select
    transaction_date,
    product_category,
    cast(transaction_date as varchar) || '/' || product_category as day_category_key,
    sum(amount) as revenue,
    count(*) as transaction_count,
    count(distinct customer_id) as customer_count
from {{ ref('stg_transactions') }}
where transaction_date >= cast('{{ var("start_date", "1900-01-01") }}' as date)
    and transaction_date < cast('{{ var("end_date", "9999-12-31") }}' as date)
group by transaction_date, product_category
