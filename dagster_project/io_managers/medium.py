"""Medium tier (about 100 MB to 1 GB): pandas DataFrames as Parquet through pyarrow.

Parquet is columnar and compressed: several times smaller than a pickle of the same frame, and
readable by DuckDB, Spark and dbt without Dagster. The codec is a validated config value, so a
typo is a config error when the definitions load rather than a crash in the middle of a run.
"""

from typing import IO, Any, ClassVar, Literal

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from dagster_project.io_managers.errors import UnsupportedValueError
from dagster_project.io_managers.tier_io_manager import TierIOManager

ParquetCompression = Literal["zstd", "snappy", "gzip", "brotli", "lz4", "none"]


def column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    """The frame's columns and dtypes as Dagster's standard column schema."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=str(name), type=str(dtype)) for name, dtype in frame.dtypes.items()
        ]
    )


def frame_size_mb(frame: pd.DataFrame) -> float:
    """In-memory size of a frame, strings included."""
    return float(frame.memory_usage(deep=True).sum()) / 2**20


class ParquetIOManager(TierIOManager):
    """Stores DataFrames as ``<base>/<asset>[/<partition>].parquet``, written atomically."""

    compression: ParquetCompression = Field(
        default="zstd",
        description="Parquet codec: zstd, snappy, gzip, brotli, lz4 or none.",
    )

    tier: ClassVar[str] = "medium"
    extension: ClassVar[str] = ".parquet"
    corrupt_errors: ClassVar[tuple[type[BaseException], ...]] = (pa.ArrowInvalid, OSError)

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise UnsupportedValueError(context.asset_key, self.tier, "a pandas DataFrame", obj)
        table = pa.Table.from_pandas(obj, preserve_index=None)
        pq.write_table(table, path, compression=self.compression)

    def read_value(self, context: dg.InputContext, file: IO[bytes]) -> pd.DataFrame:
        return pq.read_table(file).to_pandas()

    def value_metadata(
        self, context: dg.OutputContext, obj: pd.DataFrame, file_size_bytes: int
    ) -> dict[str, Any]:
        file_size_mb = file_size_bytes / 2**20
        memory_size_mb = frame_size_mb(obj)
        return {
            "file_size_mb": round(file_size_mb, 3),
            "memory_size_mb": round(memory_size_mb, 3),
            "compression_ratio": round(memory_size_mb / file_size_mb, 2)
            if file_size_bytes
            else 0.0,
            "compression": self.compression,
            "dagster/row_count": len(obj),
            "column_count": len(obj.columns),
            "dagster/column_schema": column_schema(obj),
        }
