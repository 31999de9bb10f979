"""A pandera schema as a Dagster asset check, evaluated on the frame the asset just computed.

The check runs inside the asset's step (declared with ``check_specs``, reported with the
``MaterializeResult``), so it costs no second load of the value and works the same for
partitioned assets. A failure is an ERROR-severity result with the failing checks counted and
the first cases listed. The check is blocking: the value is still stored (it can be inspected),
but the step then fails, so no asset downstream of a source that broke its contract runs on it
in that run.

An asset that declares ``check_specs`` and returns ``dg.MaterializeResult(value=...)`` gets the
output type ``Nothing`` from dagster 1.13 (without check specs it is ``Any``), and the type check
then fails on a DataFrame; such assets set ``dagster_type=pd.DataFrame`` explicitly.

A group's ``schemas.py`` declares a contract as its description, which the check's declaration
shows, and a function that builds the pandera schema, which the step calls: pandera is slow to
import (it imports pyspark too, when installed), so it loads in the steps that validate, not when
the definitions load. On import, pandera sets two process variables when they are unset:
``PYARROW_IGNORE_TIMEZONE``, which pyarrow reads in its conversions, and ``SPARK_LOCAL_IP``.
:func:`set_pandera_environment` sets them when the definitions load, so that a step sees the same
environment whether or not a step before it in the process validated a frame.
"""

import os
from typing import TYPE_CHECKING

import dagster as dg
import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas as pa

CHECK_NAME = "schema"
MAX_LISTED_FAILURES = 10
# What pandera's import sets where unset (pandera.external_config).
PANDERA_ENVIRONMENT = {"SPARK_LOCAL_IP": "127.0.0.1", "PYARROW_IGNORE_TIMEZONE": "1"}


def set_pandera_environment() -> None:
    """Set the process variables pandera's import sets, where unset."""
    for name, value in PANDERA_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def schema_check_spec(asset: str, description: str) -> dg.AssetCheckSpec:
    """The check's declaration for ``@dg.asset(check_specs=[...])``, showing the contract's
    description."""
    return dg.AssetCheckSpec(name=CHECK_NAME, asset=asset, description=description, blocking=True)


def schema_check_result(
    asset: str, schema: "pa.DataFrameSchema", frame: pd.DataFrame
) -> dg.AssetCheckResult:
    """Validate ``frame`` lazily (every failing check, not just the first) into a result."""
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        listed = [
            f"{row.column}: {row.check} (value {row.failure_case!r})"
            for row in cases.head(MAX_LISTED_FAILURES).itertuples()
        ]
        return dg.AssetCheckResult(
            asset_key=asset,
            check_name=CHECK_NAME,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"failure_cases": len(cases), "first_failures": "\n".join(listed)},
        )
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=CHECK_NAME,
        passed=True,
        metadata={"dagster/row_count": len(frame), "columns_checked": len(schema.columns)},
    )
