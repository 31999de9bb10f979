"""Helpers for the I/O manager tests: store and load through the same entry points a run uses."""

from typing import Any

import dagster as dg
import pandas as pd
from pandas.api.types import is_object_dtype


def output_context(
    asset: str = "victim",
    partition: str | None = None,
    partitions_def: dg.PartitionsDefinition | None = None,
) -> dg.OutputContext:
    return dg.build_output_context(
        asset_key=dg.AssetKey(asset), partition_key=partition, asset_partitions_def=partitions_def
    )


def store(
    manager: dg.IOManager,
    value: Any,
    asset: str = "victim",
    partition: str | None = None,
    partitions_def: dg.PartitionsDefinition | None = None,
) -> dict[str, Any]:
    """Hand ``value`` to ``manager`` as a run would; return the metadata it recorded."""
    with output_context(asset, partition, partitions_def) as context:
        manager.handle_output(context, value)
        metadata = context.get_logged_metadata()
    return {key: getattr(entry, "value", entry) for key, entry in metadata.items()}


def load(
    manager: dg.IOManager,
    asset: str = "victim",
    partition: str | None = None,
    partitions_def: dg.PartitionsDefinition | None = None,
    partition_range: dg.PartitionKeyRange | None = None,
    dagster_type: type | None = None,
    metadata: dict[str, Any] | None = None,
) -> Any:
    """Load ``asset`` (one partition, a range, or unpartitioned) as a downstream step would."""
    with dg.build_input_context(
        asset_key=dg.AssetKey(asset),
        partition_key=partition,
        asset_partition_key_range=partition_range,
        asset_partitions_def=partitions_def,
        dagster_type=dg.PythonObjectDagsterType(dagster_type or object),
        definition_metadata=metadata,
    ) as context:
        return manager.load_input(context)


def run_failure_text(result: dg.ExecuteInProcessResult) -> str:
    """Every error message (with its causes) of the run's failed steps, as the UI shows them."""
    messages = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None:
            messages.append(error.message)
            error = error.cause
    return "\n".join(messages)


def with_arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as the Parquet tiers load it by default: every ``object`` column and index
    level of strings (missing values included) as ``pd.StringDtype("pyarrow")``."""
    arrow = pd.StringDtype("pyarrow")
    columns = [name for name, dtype in frame.dtypes.items() if is_object_dtype(dtype)]
    expected = frame.astype({name: arrow for name in columns})
    if isinstance(expected.index, pd.MultiIndex):
        expected.index = expected.index.set_levels(
            [
                level.astype(arrow) if is_object_dtype(level.dtype) else level
                for level in expected.index.levels
            ]
        )
    elif is_object_dtype(expected.index.dtype):
        expected.index = expected.index.astype(arrow)
    return expected
