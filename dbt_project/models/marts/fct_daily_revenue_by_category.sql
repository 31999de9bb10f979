-- Revenue, transactions and paying customers per day and product category.
select
    transaction_date,
    product_category,
    cast(transaction_date as varchar) || '/' || product_category as day_category_key,
    sum(amount) as revenue,
    count(*) as transaction_count,
    count(distinct customer_id) as customer_count
from {{ ref('stg_transactions') }}
group by transaction_date, product_category
