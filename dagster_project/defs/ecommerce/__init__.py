"""E-commerce analytics on the small tier: orders, customer lifetime value, products, churn."""
