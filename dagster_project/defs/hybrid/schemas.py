"""What a valid product catalog looks like: the contract ``product_catalog`` is checked against."""

from typing import TYPE_CHECKING

from dagster_project.defs.hybrid.generate import CATEGORIES

if TYPE_CHECKING:
    import pandera.pandas as pa

PRODUCT_CATALOG_DESCRIPTION = "Unique product ids, known categories, prices above zero, no nulls."


def product_catalog_schema() -> "pa.DataFrameSchema":
    """The contract as a pandera schema, built in the step (see quality/schema_check.py)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "product_id": pa.Column(int, pa.Check.ge(0), unique=True),
            "product_name": pa.Column(str),
            "category": pa.Column(checks=pa.Check.isin(CATEGORIES)),
            "price": pa.Column(float, pa.Check.gt(0)),
        },
        checks=pa.Check(lambda frame: len(frame) > 0, error="empty catalog"),
        description=PRODUCT_CATALOG_DESCRIPTION,
    )
