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
"""

import dagster as dg
import pandas as pd
import pandera.pandas as pa

CHECK_NAME = "schema"
MAX_LISTED_FAILURES = 10


def schema_check_spec(asset: str, schema: pa.DataFrameSchema) -> dg.AssetCheckSpec:
    """The check's declaration for ``@dg.asset(check_specs=[...])``."""
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=asset,
        description=schema.description or f"{asset} matches its pandera schema.",
        blocking=True,
    )


def schema_check_result(
    asset: str, schema: pa.DataFrameSchema, frame: pd.DataFrame
) -> dg.AssetCheckResult:
    """Validate ``frame`` lazily (every failing check, not just the first) into a result."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
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
