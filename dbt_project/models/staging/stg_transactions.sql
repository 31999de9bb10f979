-- One row per card transaction, typed and named for the marts.
select
    transaction_id,
    customer_id,
    customer_segment as customer_type,
    product_category,
    amount,
    transaction_timestamp,
    cast(transaction_timestamp as date) as transaction_date
from {{ source('raw', 'raw_transactions') }}
