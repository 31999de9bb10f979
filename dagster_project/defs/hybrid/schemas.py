"""What a valid product catalog looks like: the contract ``product_catalog`` is checked against."""

import pandera.pandas as pa

from dagster_project.defs.hybrid.generate import CATEGORIES

PRODUCT_CATALOG = pa.DataFrameSchema(
    {
        "product_id": pa.Column(int, pa.Check.ge(0), unique=True),
        "product_name": pa.Column(str),
        "category": pa.Column(checks=pa.Check.isin(CATEGORIES)),
        "price": pa.Column(float, pa.Check.gt(0)),
    },
    checks=pa.Check(lambda frame: len(frame) > 0, error="empty catalog"),
    description="Unique product ids, known categories, prices above zero, no nulls.",
)
