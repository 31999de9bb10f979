"""Uniform performance metadata: one decorator marks the computation, the I/O managers report.

Every asset that returns data carries the same keys on its materialization:

| key | what |
| --- | --- |
| ``compute_seconds`` | the asset function's own run time |
| ``serialization_seconds`` | the I/O manager's write of this output |
| ``peak_memory_mb`` | RSS high-water mark from the start of the computation through the write |
| ``memory_size_mb`` | the value's size in memory |
| ``file_size_mb`` | the value's size on storage |
| ``dagster/row_count`` | rows, where the value has rows |

:func:`measured` wraps the asset function with ``functools.wraps``, so Dagster still reads the
original parameters (a wrapper without it hides them, and Dagster then sees no inputs). The I/O
manager that stores the output calls :func:`output_performance_metadata` after writing: only
there are the write time, the stored bytes and the step's true peak known.
"""

import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import dagster as dg
import pandas as pd

from dagster_project.monitoring import peak_memory
from dagster_project.monitoring.frame_size import frame_size_bytes

PERFORMANCE_KEYS = (
    "compute_seconds",
    "serialization_seconds",
    "peak_memory_mb",
    "memory_size_mb",
    "file_size_mb",
)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class StepMeter:
    """The measurement of one step's computation, kept until its outputs are written."""

    run_id: str
    op_name: str
    started: float
    compute_seconds: float | None = None


# Steps of one process run one after another (in-process executor) or alone (multiprocess), so
# the latest meter is the running step's; its run id and op name are checked before use.
_latest: StepMeter | None = None


def measured(compute: Callable[P, R]) -> Callable[P, R]:
    """Measure an asset's computation for :func:`output_performance_metadata`.

    Put it under ``@dg.asset`` / ``@dg.multi_asset``. Called outside a run (a direct call in a
    test), it only calls the function.
    """

    @functools.wraps(compute)
    def measured_compute(*args: P.args, **kwargs: P.kwargs) -> R:
        global _latest
        meter = _start_meter()
        _latest = meter
        result = compute(*args, **kwargs)
        if meter is not None:
            meter.compute_seconds = time.perf_counter() - meter.started
        return result

    return measured_compute


def _start_meter() -> StepMeter | None:
    try:
        context = dg.AssetExecutionContext.get()
    except dg.DagsterInvariantViolationError:
        return None
    peak_memory.reset_peak()
    return StepMeter(
        run_id=context.run.run_id, op_name=context.op_def.name, started=time.perf_counter()
    )


def current_meter(context: dg.OutputContext) -> StepMeter | None:
    """The meter of the step writing this output, if its asset function is :func:`measured`."""
    meter = _latest
    if meter is None:
        return None
    try:
        run_id, op_name = context.run_id, context.op_def.name
    except dg.DagsterInvariantViolationError:  # a context built by hand, outside a run
        return None
    return meter if (meter.run_id, meter.op_name) == (run_id, op_name) else None


def output_performance_metadata(
    context: dg.OutputContext,
    value: Any,
    serialization_seconds: float,
    stored_bytes: int | None,
    memory_size_bytes: int | None = None,
) -> dict[str, Any]:
    """The uniform keys for an output just written; call it right after the write.
    ``memory_size_bytes``: the value's size if the caller measured it already."""
    if memory_size_bytes is None:
        memory_size_bytes = value_size_bytes(value)
    metadata: dict[str, Any] = {
        "serialization_seconds": round(serialization_seconds, 4),
        "memory_size_mb": round(memory_size_bytes / 2**20, 3),
    }
    if stored_bytes is not None:
        metadata["file_size_mb"] = round(stored_bytes / 2**20, 3)
    rows = row_count(value)
    if rows is not None:
        metadata["dagster/row_count"] = rows
    meter = current_meter(context)
    if meter is not None:
        if meter.compute_seconds is not None:
            metadata["compute_seconds"] = round(meter.compute_seconds, 4)
        metadata["peak_memory_mb"] = round(peak_memory.peak_rss_mb(), 1)
        if not peak_memory.peak_is_per_step():
            metadata["peak_memory_scope"] = "process"
    return metadata


def value_size_bytes(value: Any) -> int:
    """Bytes the value holds in memory (deep for DataFrames and Series, shallow for other
    objects)."""
    if isinstance(value, pd.DataFrame):
        return frame_size_bytes(value)
    if isinstance(value, pd.Series):
        return int(value.memory_usage(deep=True))
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    return sys.getsizeof(value)


def row_count(value: Any) -> int | None:
    """Rows of a table-like value; None for anything else (a model, a table name)."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return len(value)
    num_rows = getattr(value, "num_rows", None)
    return num_rows if isinstance(num_rows, int) else None
