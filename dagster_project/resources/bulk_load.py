"""Bulk loading of a DataFrame into a new warehouse table, each dialect through its fast path.

- DuckDB scans the DataFrame in place (Arrow/NumPy buffers): no serialization at all.
- PostgreSQL receives ``COPY ... FROM STDIN`` in CSV, one chunk of rows at a time so only one chunk
  of text is in memory. Arrow renders the CSV (8x faster than ``DataFrame.to_csv`` here: 0.95 s
  against 7.5 s for a million transactions), and its quoting is exactly what ``COPY`` expects:
  strings are always quoted, so ``""`` stays an empty string and a bare empty field is NULL.

Never row-by-row INSERTs: those are 100x slower and the point of this tier is volume.
"""

import io
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as arrow_csv
from sqlalchemy.engine import Connection

COPY_CHUNK_ROWS = 250_000


def postgres_column_type(dtype) -> str:
    """The PostgreSQL column type that holds a pandas dtype without loss."""
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE PRECISION"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "TIMESTAMPTZ"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "TIMESTAMP"
    return "TEXT"


def create_from_frame(connection: Connection, quoted_table: str, frame: pd.DataFrame) -> None:
    """Create ``quoted_table`` holding ``frame``'s rows, inside the connection's transaction."""
    if connection.dialect.name == "duckdb":
        _create_duckdb(connection, quoted_table, frame)
    elif connection.dialect.name == "postgresql":
        _create_postgres(connection, quoted_table, frame)
    else:
        raise NotImplementedError(f"no bulk load for the {connection.dialect.name} dialect")


def _driver_connection(connection: Connection) -> Any:
    """The DB-API connection under SQLAlchemy's, which is gone once the connection is closed."""
    driver_connection = connection.connection.driver_connection
    if driver_connection is None:
        raise RuntimeError("the warehouse connection is closed: bulk-load inside an open one")
    return driver_connection


def _create_duckdb(connection: Connection, quoted_table: str, frame: pd.DataFrame) -> None:
    duckdb_connection = _driver_connection(connection)
    duckdb_connection.register("incoming_frame", frame)
    try:
        duckdb_connection.execute(f"CREATE TABLE {quoted_table} AS SELECT * FROM incoming_frame")
    finally:
        duckdb_connection.unregister("incoming_frame")


def _create_postgres(connection: Connection, quoted_table: str, frame: pd.DataFrame) -> None:
    quote = connection.dialect.identifier_preparer.quote
    columns = [quote(str(column)) for column in frame.columns]
    definitions = ", ".join(
        f"{column} {postgres_column_type(dtype)}"
        for column, dtype in zip(columns, frame.dtypes, strict=True)
    )
    cursor = _driver_connection(connection).cursor()
    try:
        cursor.execute(f"CREATE TABLE {quoted_table} ({definitions})")
        copy = f"COPY {quoted_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = pa.Table.from_pandas(
                frame.iloc[start : start + COPY_CHUNK_ROWS], preserve_index=False
            )
            rendered = pa.BufferOutputStream()
            arrow_csv.write_csv(chunk, rendered, arrow_csv.WriteOptions(include_header=False))
            cursor.copy_expert(copy, io.BytesIO(rendered.getvalue().to_pybytes()))
    finally:
        cursor.close()
