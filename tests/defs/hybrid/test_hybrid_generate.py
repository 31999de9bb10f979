"""Synthetic product catalog and sales: reproducible and consistent with each other."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.hybrid.generate import (
    CATEGORIES,
    SALES_END,
    SALES_START,
    generate_product_catalog,
    generate_sales,
)
from tests.defs.seeded import assert_the_seed_draws_exactly

N_PRODUCTS = 50
N_SALES = 2_000
N_CUSTOMERS = 100


def catalog_for(seed: int) -> pd.DataFrame:
    return generate_product_catalog(np.random.default_rng(seed), n_products=N_PRODUCTS)


def sales_for(seed: int, catalog: pd.DataFrame) -> pd.DataFrame:
    return generate_sales(
        np.random.default_rng(seed), n_sales=N_SALES, catalog=catalog, n_customers=N_CUSTOMERS
    )


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return catalog_for(seed=42)


@pytest.fixture(scope="module")
def sales(catalog) -> pd.DataFrame:
    return sales_for(seed=43, catalog=catalog)


def test_generate_product_catalog_is_deterministic_for_a_seed():
    pd.testing.assert_frame_equal(catalog_for(seed=5), catalog_for(seed=5))


def test_generate_product_catalog_draws_category_and_price_from_the_seed():
    assert_the_seed_draws_exactly(catalog_for, ["category", "price"])


def test_generate_product_catalog_has_one_row_per_product(catalog):
    assert catalog["product_id"].tolist() == list(range(N_PRODUCTS))


def test_generate_product_catalog_names_products_by_id(catalog):
    assert catalog["product_name"].iloc[:3].tolist() == ["Product 0", "Product 1", "Product 2"]
    assert (catalog["product_name"] == "Product " + catalog["product_id"].astype(str)).all()


def test_generate_product_catalog_category_is_a_categorical_of_categories(catalog):
    assert isinstance(catalog["category"].dtype, pd.CategoricalDtype)
    assert tuple(catalog["category"].cat.categories) == CATEGORIES
    assert catalog["category"].notna().all()


def test_generate_product_catalog_prices_are_between_10_and_1000(catalog):
    assert catalog["price"].between(10, 1_000).all()


def test_generate_sales_is_deterministic_for_a_seed(catalog):
    pd.testing.assert_frame_equal(sales_for(5, catalog), sales_for(5, catalog))


def test_generate_sales_draws_every_value_but_the_id_from_the_seed(catalog):
    assert_the_seed_draws_exactly(
        lambda seed: sales_for(seed, catalog),
        ["product_id", "category", "customer_id", "sale_amount", "sale_date"],
    )


def test_generate_sales_has_the_requested_rows(sales):
    assert sales["sale_id"].tolist() == list(range(N_SALES))


def test_generate_sales_product_and_category_match_the_catalog(sales, catalog):
    matched = sales.merge(catalog, on="product_id", how="left", suffixes=("", "_catalog"))

    assert matched["product_name"].notna().all()
    assert (matched["category"].astype(str) == matched["category_catalog"].astype(str)).all()


def test_generate_sales_category_is_a_categorical_of_categories(sales):
    assert isinstance(sales["category"].dtype, pd.CategoricalDtype)
    assert tuple(sales["category"].cat.categories) == CATEGORIES


def test_generate_sales_amount_is_list_price_less_at_most_30_percent(sales, catalog):
    list_price = sales["product_id"].map(catalog.set_index("product_id")["price"])

    # rounding to cents may move an amount by up to half a cent
    assert (sales["sale_amount"] <= list_price + 0.005).all()
    assert (sales["sale_amount"] >= 0.7 * list_price - 0.005).all()


def test_generate_sales_dates_lie_inside_2024_in_order(sales):
    assert sales["sale_date"].min() >= SALES_START
    assert sales["sale_date"].max() < SALES_END
    assert sales["sale_date"].is_monotonic_increasing


def test_generate_sales_customer_ids_are_in_range(sales):
    assert sales["customer_id"].between(1, N_CUSTOMERS).all()
