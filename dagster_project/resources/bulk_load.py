"""Bulk loading of a DataFrame into a new warehouse table, each dialect through its fast path.

- DuckDB scans the DataFrame in place (Arrow/NumPy buffers): no serialization at all.
- PostgreSQL receives ``COPY ... FROM STDIN`` in CSV, streamed in chunks so only one chunk of text
  is in memory at a time. ``\\N`` marks NULL, so empty strings stay empty strings.

Never row-by-row INSERTs: those are 100x slower and the point of this tier is volume.
"""

import io

import pandas as pd
from sqlalchemy.engine import Connection

COPY_CHUNK_ROWS = 250_000
NULL_MARKER = r"\N"


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


def _create_duckdb(connection: Connection, quoted_table: str, frame: pd.DataFrame) -> None:
    duckdb_connection = connection.connection.driver_connection
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
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"CREATE TABLE {quoted_table} ({definitions})")
        copy = (
            f"COPY {quoted_table} ({', '.join(columns)}) FROM STDIN "
            f"WITH (FORMAT csv, NULL '{NULL_MARKER}')"
        )
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = io.StringIO()
            frame.iloc[start : start + COPY_CHUNK_ROWS].to_csv(
                chunk, header=False, index=False, na_rep=NULL_MARKER
            )
            chunk.seek(0)
            cursor.copy_expert(copy, chunk)
    finally:
        cursor.close()
