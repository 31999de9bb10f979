"""Synthetic product catalog (small) and a year of sales against it (medium)."""

import numpy as np
import pandas as pd

CATEGORIES = ("Electronics", "Clothing", "Books")
SALES_START = pd.Timestamp("2024-01-01")
SALES_END = pd.Timestamp("2025-01-01")


def generate_product_catalog(rng: np.random.Generator, n_products: int) -> pd.DataFrame:
    """One row per product: id, name, category and list price."""
    product_id = np.arange(n_products)
    return pd.DataFrame(
        {
            "product_id": product_id,
            "product_name": "Product " + pd.Series(product_id).astype(str),
            "category": pd.Categorical(rng.choice(CATEGORIES, n_products), categories=CATEGORIES),
            "price": rng.uniform(10, 1_000, n_products).round(2),
        }
    )


def generate_sales(
    rng: np.random.Generator, n_sales: int, catalog: pd.DataFrame, n_customers: int
) -> pd.DataFrame:
    """Sales of catalog products over 2024, at list price less a discount of up to 30%."""
    product_row = rng.integers(0, len(catalog), n_sales)
    offset_seconds = np.sort(
        rng.integers(0, int((SALES_END - SALES_START).total_seconds()), n_sales)
    )
    discount = rng.uniform(0.0, 0.3, n_sales)
    return pd.DataFrame(
        {
            "sale_id": np.arange(n_sales),
            "product_id": catalog["product_id"].to_numpy()[product_row],
            "category": catalog["category"].take(product_row).array,
            "customer_id": rng.integers(1, n_customers + 1, n_sales),
            "sale_amount": (catalog["price"].to_numpy()[product_row] * (1 - discount)).round(2),
            "sale_date": SALES_START + pd.to_timedelta(offset_seconds, unit="s"),
        }
    )
