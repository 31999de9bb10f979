"""Sizes and seeds of the synthetic data generators, one setting for every group.

The examples generate their sources instead of calling real APIs. Each generator draws from a
random generator seeded by the asset key and partition key, so re-running a partition (or a
backfill) reproduces exactly the same rows, and ``scale`` shrinks every generator at once.
"""

import hashlib
from collections.abc import Sequence

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field


def seeded_rng(*parts: str) -> np.random.Generator:
    """A generator whose stream depends only on ``parts`` (stable across processes and runs)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


class SyntheticDataResource(dg.ConfigurableResource):
    """Row-count scale and deterministic seeds for the example generators."""

    scale: float = Field(
        default=1.0, gt=0, description="Multiplies every generator's row count; 0.01 for tests."
    )

    def rows(self, documented_rows: int, minimum: int = 1) -> int:
        """``documented_rows`` scaled, never below ``minimum``."""
        return max(minimum, round(documented_rows * self.scale))

    def rng(self, context: dg.AssetExecutionContext) -> np.random.Generator:
        """The generator for this asset and partition."""
        partition = context.partition_key if context.has_partition_key else ""
        return seeded_rng(context.asset_key.to_user_string(), partition)


def strings_at(values: Sequence[str], positions: np.ndarray) -> pd.Series:
    """``values[positions]`` as an Arrow-backed string column (``pd.StringDtype("pyarrow")``),
    built in Arrow without creating one Python string per row."""
    strings = pa.array(values, type=pa.large_string()).take(pa.array(positions))
    return pd.Series(pd.arrays.ArrowStringArray(strings))
