"""Medium tier (about 100 MB to 1 GB): pandas DataFrames as Parquet through pyarrow.

Parquet is columnar and compressed: several times smaller than a pickle of the same frame, and
readable by DuckDB, Spark and dbt without Dagster. The codec is a validated config value, so a
typo is a config error when the definitions load rather than a crash in the middle of a run.

How a frame is written, and why. The figures are in BENCHMARKS.md (section 1: each tier's write
and read time and its write and read peak above the frame, against the stock manager and plain
pyarrow; ``benchmarks/`` measures them):

- **One row group at a time.** Converting the whole frame to Arrow before writing holds a full
  Arrow copy next to the frame; converting and writing 131,072 rows at a time (about DuckDB's
  own row-group size) bounds that copy to one row group.
- **Dictionary encoding only where values repeat.** A column is dictionary-encoded when its
  first 10,000 values hold at most half as many distinct ones (and categoricals always); a
  column of nearly unique values (ids, amounts, times, session ids) is written plain, instead
  of filling a dictionary the writer gives up at the page limit. Dictionary pages are capped
  at 64 KiB, so a column that repeats less than its sample suggested gives up early; its plain
  pages compress better.
- **Compression levels chosen for this tier** (``COMPRESSION_LEVELS``): zstd at its own
  default level 3 instead of Arrow's 1 (smaller files), gzip and brotli at fast levels instead
  of Arrow's slowest (much faster writes for slightly larger files).
- **Strings read back Arrow-backed** (``string_storage="pyarrow"``, the default):
  ``pd.StringDtype("pyarrow")`` columns keep Arrow's buffers instead of creating one Python
  object per value. The whole table is read and converted column by column, each Arrow column
  freed once converted.
- **Python strings read one row group at a time** (``string_storage="python"``). Converting
  a whole table to Python strings de-duplicates every string column through one hash table of
  all its distinct values, next to the whole decoded table; reading, converting and releasing
  one row group at a time, then concatenating, bounds both to one row group. (With categorical
  columns the whole table is read, so that every row group shares one dictionary, and converted
  in slices.)
- **Page checksums** (CRC32 of every page) are written and verified on read: a few bytes
  overwritten inside a data page raise an error instead of loading as other values.
- **Arrow's allocator gives its free memory back** after each write and read; otherwise the step
  keeps memory that no Python object can use (mimalloc, pyarrow's default allocator, keeps freed
  pages for reuse by Arrow only).
"""

import json
from typing import IO, Any, ClassVar, Literal

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import Field

from dagster_project.io_managers.errors import UnsupportedValueError
from dagster_project.io_managers.tier_io_manager import TierIOManager

ParquetCompression = Literal["zstd", "snappy", "gzip", "brotli", "lz4", "none"]
StringStorage = Literal["pyarrow", "python"]


def column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    """The frame's columns and dtypes as Dagster's standard column schema."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=str(name), type=str(dtype)) for name, dtype in frame.dtypes.items()
        ]
    )


ROW_GROUP_ROWS = 131_072
DICTIONARY_PAGE_LIMIT_BYTES = 64 * 2**10
# Arrow's own levels are zstd 1 and the slowest gzip and brotli settings (see the module docstring).
COMPRESSION_LEVELS = {"zstd": 3, "gzip": 1, "brotli": 3}
DICTIONARY_SAMPLE_ROWS = 10_000
DICTIONARY_MAX_DISTINCT_SHARE = 0.5
ARROW_STRINGS = pd.StringDtype("pyarrow")


def write_parquet(
    frame: pd.DataFrame, path: str, compression: str, page_checksums: bool = True
) -> None:
    """Write ``frame`` to ``path`` one row group at a time (see the module docstring).

    The schema and the dictionary-encoded columns come from the first row group. A later row
    group whose values do not fit that schema (an object column that is all None at first,
    mixed types) falls back to converting the whole frame at once, as ``pq.write_table`` does.
    """
    options = {
        "compression": compression,
        "compression_level": COMPRESSION_LEVELS.get(compression),
        "dictionary_pagesize_limit": DICTIONARY_PAGE_LIMIT_BYTES,
        "write_page_checksum": page_checksums,
    }
    first = pa.Table.from_pandas(frame.iloc[:ROW_GROUP_ROWS], preserve_index=None, nthreads=1)
    schema = _whole_frame_index(first.schema, frame)
    try:
        with pq.ParquetWriter(
            path, schema, use_dictionary=dictionary_columns(first), **options
        ) as writer:
            writer.write_table(first.replace_schema_metadata(schema.metadata))
            del first
            for start in range(ROW_GROUP_ROWS, len(frame), ROW_GROUP_ROWS):
                rows = frame.iloc[start : start + ROW_GROUP_ROWS]
                writer.write_table(
                    pa.Table.from_pandas(rows, schema=schema, preserve_index=None, nthreads=1)
                )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        table = pa.Table.from_pandas(frame, preserve_index=None)
        pq.write_table(
            table,
            path,
            row_group_size=ROW_GROUP_ROWS,
            use_dictionary=dictionary_columns(table),
            **options,
        )


def dictionary_columns(table: pa.Table) -> list[str]:
    """The columns worth dictionary encoding: categoricals, and columns whose first
    ``DICTIONARY_SAMPLE_ROWS`` values hold at most ``DICTIONARY_MAX_DISTINCT_SHARE`` distinct
    ones. Building a dictionary for a column of nearly unique values (ids, amounts, times)
    costs time and is given up at the page limit anyway."""
    sample = table.slice(0, DICTIONARY_SAMPLE_ROWS)
    chosen = []
    for field, column in zip(sample.schema, sample.columns, strict=True):
        if pa.types.is_dictionary(field.type):
            chosen.append(field.name)
            continue
        if pa.types.is_nested(field.type):
            continue
        try:
            distinct = pc.count_distinct(column, mode="all").as_py()
        except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
            continue
        if distinct <= DICTIONARY_MAX_DISTINCT_SHARE * max(len(sample), 1):
            chosen.append(field.name)
    return chosen


def read_parquet(
    file: IO[bytes] | str, page_checksums: bool = True, string_storage: StringStorage = "pyarrow"
) -> pd.DataFrame:
    """Read a Parquet file into pandas, verifying each page's checksum unless
    ``page_checksums`` is false. Strings come back Arrow-backed (``string_storage="pyarrow"``)
    or as Python objects (``"python"``); see the module docstring for how each is read."""
    parquet = pq.ParquetFile(file, page_checksum_verification=page_checksums)
    if string_storage == "pyarrow":
        table = parquet.read()
        if any(pa.types.is_dictionary(field.type) for field in table.schema):
            table = table.unify_dictionaries()
        # self_destruct frees each Arrow column once converted: no whole second copy.
        return table.to_pandas(types_mapper=_arrow_strings, self_destruct=True, split_blocks=True)
    if parquet.num_row_groups <= 1:
        return _python_strings(parquet.read().to_pandas())
    schema = parquet.schema_arrow
    if any(pa.types.is_dictionary(field.type) for field in schema):
        # Categoricals: each row group has its own dictionary, so convert slices of the whole
        # table with unified dictionaries, or pd.concat would turn them into strings.
        table = parquet.read().unify_dictionaries()
        pieces = (
            table.slice(start, ROW_GROUP_ROWS) for start in range(0, len(table), ROW_GROUP_ROWS)
        )
    else:
        pieces = (parquet.read_row_group(group) for group in range(parquet.num_row_groups))
    parts = []
    for piece in pieces:
        parts.append(piece.to_pandas())
        del piece
        pa.default_memory_pool().release_unused()
    range_index = _stored_range_index(schema)
    # A piece cannot carry the whole frame's RangeIndex (pyarrow gives it 0..n); it is set
    # once on the result. Any other index is stored as columns and survives the split.
    frame = pd.concat(parts, ignore_index=range_index is not None)
    if range_index is not None and len(range_index) == len(frame):
        frame.index = range_index
    return _python_strings(frame)


def _arrow_strings(arrow_type: pa.DataType) -> pd.StringDtype | None:
    """pandas' Arrow-backed string dtype for Arrow's string types (a ``types_mapper``)."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return ARROW_STRINGS
    return None


def _python_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with any pandas string-dtype column (restored from a frame written with one)
    turned into an ``object`` column of Python strings."""
    strings = [name for name, dtype in frame.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    if not strings:
        return frame
    return frame.astype({name: object for name in strings})


def _stored_range_index(schema: pa.Schema) -> pd.RangeIndex | None:
    """The RangeIndex recorded in the pandas metadata, if the frame had one."""
    indexes = (schema.pandas_metadata or {}).get("index_columns", [])
    if len(indexes) == 1 and isinstance(indexes[0], dict) and indexes[0].get("kind") == "range":
        index = indexes[0]
        return pd.RangeIndex(index["start"], index["stop"], index["step"], name=index["name"])
    return None


def _whole_frame_index(schema: pa.Schema, frame: pd.DataFrame) -> pa.Schema:
    """``schema`` with the pandas metadata of the whole frame's RangeIndex, not the first
    row group's (a RangeIndex is stored as metadata only: start, stop and step)."""
    if not isinstance(frame.index, pd.RangeIndex) or not schema.metadata:
        return schema
    metadata = json.loads(schema.metadata[b"pandas"])
    for index in metadata["index_columns"]:
        if isinstance(index, dict) and index.get("kind") == "range":
            index.update(start=frame.index.start, stop=frame.index.stop, step=frame.index.step)
    return schema.with_metadata({**schema.metadata, b"pandas": json.dumps(metadata).encode()})


class ParquetIOManager(TierIOManager):
    """Stores DataFrames as ``<base>/<asset>[/<partition>].parquet``, written atomically."""

    compression: ParquetCompression = Field(
        default="zstd",
        description="Parquet codec: zstd, snappy, gzip, brotli, lz4 or none.",
    )
    string_storage: StringStorage = Field(
        default="pyarrow",
        description="How strings are loaded: 'pyarrow' gives Arrow-backed "
        "pd.StringDtype('pyarrow') columns, read without one Python object per value; "
        "'python' gives object columns of Python str, pandas 2's default.",
    )

    tier: ClassVar[str] = "medium"
    extension: ClassVar[str] = ".parquet"  # type: ignore[misc]  # see TierIOManager.extension
    # Write and verify a checksum per page (the benchmarks price it by turning it off).
    page_checksums: ClassVar[bool] = True
    unwritable_hint: ClassVar[str] = (
        "Give every column one type Parquet can hold: convert a column that mixes types "
        "(numbers and strings, say) with .astype(str), and objects to strings or numbers; or "
        "bind the asset's group to the small tier, which stores any picklable value "
        "(dagster_project/tiers.py)."
    )

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise UnsupportedValueError(context.asset_key, self.tier, "a pandas DataFrame", obj)
        write_parquet(obj, path, self.compression, self.page_checksums)
        pa.default_memory_pool().release_unused()

    def read_value(self, context: dg.InputContext, file: IO[bytes]) -> pd.DataFrame:
        frame = read_parquet(file, self.page_checksums, self.string_storage)
        pa.default_memory_pool().release_unused()
        return frame

    def value_metadata(
        self,
        context: dg.OutputContext,
        obj: pd.DataFrame,
        file_size_bytes: int,
        memory_size_bytes: int,
    ) -> dict[str, Any]:
        file_size_mb = file_size_bytes / 2**20
        memory_size_mb = memory_size_bytes / 2**20
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
