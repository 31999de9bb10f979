-- Catalog sales per month and product category.
select
    cast(date_trunc('month', sale_day) as date) as sales_month,
    product_category,
    count(*) as sales_count,
    sum(sale_amount) as revenue,
    count(distinct customer_id) as customer_count
from {{ ref('stg_sales') }}
group by 1, 2
