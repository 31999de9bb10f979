-- One row per catalog sale.
select
    sale_id,
    product_id,
    category as product_category,
    customer_id,
    sale_amount,
    sale_date,
    cast(sale_date as date) as sale_day
from {{ source('raw', 'raw_sales_data') }}
