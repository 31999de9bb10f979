-- A month and category appear once in fct_monthly_sales_by_category (rows returned = failures).
select sales_month, product_category, count(*) as rows_for_key
from {{ ref('fct_monthly_sales_by_category') }}
group by sales_month, product_category
having count(*) > 1
