"""Time-series tier: one Parquet file per time partition, rows sorted by timestamp.

Sorting by time makes Parquet's row-group statistics useful (a reader filtering on a time range
skips whole row groups) and makes consecutive readings compress well. Each partition's rows
must lie inside its time window: a generator that spills into the next hour is refused at write
time instead of silently double-counting in a downstream range query.

A downstream asset that maps to several partitions (an unpartitioned asset, or a daily asset
reading hourly data) gets one DataFrame sorted by time, unless its input is annotated as
``dict``, in which case it gets ``{partition_key: DataFrame}``.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, get_origin

import dagster as dg
import pandas as pd
from pydantic import Field

from dagster_project.io_managers.errors import (
    RefusedValueError,
    UnsupportedValueError,
    describe_asset,
)
from dagster_project.io_managers.medium import ParquetIOManager


class PartitionWindowError(RefusedValueError, ValueError):
    """A time partition holds rows outside its own time window."""


class MissingTimestampColumnError(RefusedValueError, ValueError):
    """A frame for the time-series tier lacks the column it is sorted by."""


class TimeSeriesIOManager(ParquetIOManager):
    """Stores time-partitioned DataFrames as ``<base>/<asset>/<partition>.parquet``."""

    timestamp_column: str = Field(default="timestamp", description="Column holding event time.")
    entity_column: str = Field(
        default="sensor_id", description="Column identifying the series (counted in metadata)."
    )

    tier: ClassVar[str] = "time series"

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise UnsupportedValueError(context.asset_key, self.tier, "a pandas DataFrame", obj)
        if self.timestamp_column not in obj.columns:
            raise MissingTimestampColumnError(
                f"The time-series tier sorts by '{self.timestamp_column}', but "
                f"{describe_asset(context.asset_key, None)} returned columns {list(obj.columns)}. "
                "Return that column (an empty frame needs it too) or set timestamp_column."
            )
        self._check_inside_window(context, obj[self.timestamp_column])
        if not obj[self.timestamp_column].is_monotonic_increasing:
            obj = obj.sort_values(self.timestamp_column, kind="stable", ignore_index=True)
        super().write_value(context, obj, path)

    def value_metadata(
        self,
        context: dg.OutputContext,
        obj: pd.DataFrame,
        file_size_bytes: int,
        memory_size_bytes: int,
    ) -> dict[str, Any]:
        metadata = super().value_metadata(context, obj, file_size_bytes, memory_size_bytes)
        timestamps = obj[self.timestamp_column]
        if len(obj):
            first, last = timestamps.min(), timestamps.max()
            metadata["first_timestamp"] = str(first)
            metadata["last_timestamp"] = str(last)
            metadata["time_span_hours"] = round((last - first).total_seconds() / 3600, 4)
        else:
            metadata["time_span_hours"] = 0.0
        if self.entity_column in obj.columns:
            metadata["entity_column"] = self.entity_column
            metadata["distinct_entities"] = int(obj[self.entity_column].nunique())
        return metadata

    def load_partitions(self, context: dg.InputContext) -> Any:
        loaded = super().load_partitions(context)
        if len(context.asset_partition_keys) == 1 or _is_dict_type(
            context.dagster_type.typing_type
        ):
            return loaded
        frames = sorted(
            (frame for frame in loaded.values() if len(frame)),
            key=lambda frame: frame[self.timestamp_column].iloc[0],
        )
        if not frames:  # every partition empty (or skipped): keep a stored schema if there is one
            return next(iter(loaded.values())) if loaded else pd.DataFrame()
        # Partitions are disjoint windows and each file is sorted: ordering the frames by their
        # first timestamp yields a sorted result without sorting the rows again.
        return pd.concat(frames, ignore_index=True)

    def _check_inside_window(self, context: dg.OutputContext, timestamps: pd.Series) -> None:
        if not context.has_asset_partitions or timestamps.empty:
            return
        if not isinstance(context.asset_partitions_def, dg.TimeWindowPartitionsDefinition):
            return
        window = context.asset_partitions_time_window
        start, end = _comparable(window.start, timestamps), _comparable(window.end, timestamps)
        first, last = timestamps.min(), timestamps.max()
        if first < start or last >= end:
            raise PartitionWindowError(
                f"{describe_asset(context.asset_key, context.asset_partition_key)} holds rows "
                f"from {first} to {last}, outside its window [{start}, {end}). Every row of a "
                "time partition must lie inside that partition's window; fix the asset so it "
                "only emits rows for its own partition."
            )


def _comparable(moment: datetime, timestamps: pd.Series) -> pd.Timestamp:
    """The window bound in the timestamps' own convention: naive columns are taken as UTC."""
    bound = pd.Timestamp(moment)
    if getattr(timestamps.dt, "tz", None) is None:
        return bound.tz_convert(UTC).tz_localize(None)
    return bound.tz_convert(timestamps.dt.tz)


def _is_dict_type(annotation: Any) -> bool:
    """Whether an input is annotated as a mapping of partitions (``dict[str, DataFrame]``), for
    which ``UPathIOManager`` hands over each partition's frame on its own."""
    return annotation is dict or get_origin(annotation) in (dict, Mapping)
