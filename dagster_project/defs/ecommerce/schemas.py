"""What a valid order export looks like: the contract ``orders_raw`` is checked against."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandera.pandas as pa

ORDERS_RAW_DESCRIPTION = (
    "Order ids unique, ids and quantities positive, prices above zero, no nulls."
)


def orders_raw_schema() -> "pa.DataFrameSchema":
    """The contract as a pandera schema, built in the step (see quality/schema_check.py)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "order_id": pa.Column("int64", pa.Check.ge(1), unique=True),
            "customer_id": pa.Column("int64", pa.Check.ge(1)),
            "product_id": pa.Column("int64", pa.Check.ge(1)),
            "quantity": pa.Column("int64", pa.Check.in_range(1, 100)),
            "price": pa.Column("float64", pa.Check.gt(0)),
            "order_date": pa.Column("datetime64[ns]"),
        },
        checks=pa.Check(lambda frame: len(frame) > 0, error="no orders"),
        strict=True,
        description=ORDERS_RAW_DESCRIPTION,
    )
