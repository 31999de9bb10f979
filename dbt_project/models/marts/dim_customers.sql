-- One row per customer: type, activity, lifetime value and the segment the warehouse assigned.
with activity as (
    select
        customer_id,
        min(customer_type) as customer_type,
        min(transaction_timestamp) as first_transaction_at,
        max(transaction_timestamp) as last_transaction_at,
        count(*) as transaction_count,
        sum(amount) as lifetime_value
    from {{ ref('stg_transactions') }}
    group by customer_id
)

select
    activity.customer_id,
    activity.customer_type,
    activity.first_transaction_at,
    activity.last_transaction_at,
    activity.transaction_count,
    activity.lifetime_value,
    segments.segment
from activity
inner join {{ source('analytics', 'customer_segments') }} as segments
    on activity.customer_id = segments.customer_id
