"""The SQL warehouse the large-data tier runs in: a DuckDB file locally, PostgreSQL in the stack.

Assets hand it SQL and get back a table name and its statistics; rows never travel through
Dagster except when a DataFrame is deliberately bulk-loaded. Every build is atomic and
idempotent: the new table is built under a staging name and replaces the current one inside the
same transaction (both PostgreSQL and DuckDB have transactional DDL), so a failed build leaves the
previous table as it was and a re-run simply replaces it again.

When the new table has the same columns and types as the current one, its rows are copied into
the current table instead of swapping the tables: views that depend on the table (dbt's staging
models, for instance) keep working, where PostgreSQL would refuse to drop the table under them.

No connection is held between calls: DuckDB allows one writing process per file, and dbt runs as
a separate process on the same file.
"""

import functools
import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.resources.bulk_load import create_from_frame
from dagster_project.resources.table_name import TableName

SUPPORTED_BACKENDS = ("duckdb", "postgresql")


class WarehouseUnavailableError(ConnectionError):
    """The warehouse cannot be reached or opened."""


@dataclass(frozen=True)
class TableStats:
    """What a build produced: the table, its size and how long it took."""

    table: TableName
    row_count: int
    size_bytes: int
    seconds: float = 0.0

    @property
    def size_mb(self) -> float:
        return round(self.size_bytes / 2**20, 3)

    def as_metadata(self, bytes_through_dagster: int = 0) -> dict[str, Any]:
        """The materialization metadata of a warehouse table, the same for every such asset."""
        return {
            "dagster/table_name": str(self.table),
            "dagster/row_count": self.row_count,
            "table_size_mb": self.size_mb,
            "build_seconds": round(self.seconds, 3),
            "rows_per_second": round(self.row_count / self.seconds) if self.seconds else 0,
            "processing_location": "warehouse",
            "bytes_through_dagster": int(bytes_through_dagster),
        }


class WarehouseResource(dg.ConfigurableResource):
    """Runs SQL where the data lives and reports on the tables it builds."""

    url: str = Field(
        description="SQLAlchemy URL: duckdb:///path/to/file.duckdb or "
        "postgresql+psycopg2://user:password@host:port/database (from WAREHOUSE_URL)."
    )
    default_schema: str = Field(default="analytics", description="Schema of unqualified names.")
    timeouts: ClientTimeouts = Field(
        default_factory=ClientTimeouts,
        description="PostgreSQL: connect timeout and attempts, also handed to dbt's profile.",
    )

    @property
    def backend(self) -> str:
        return make_url(self.url).get_backend_name()

    def table(self, qualified: str) -> TableName:
        """Validate ``schema.table`` (or ``table``) before it goes anywhere near SQL."""
        return TableName.parse(qualified, self.default_schema)

    def quote(self, table: TableName | str) -> str:
        """The table name quoted for this warehouse's SQL dialect."""
        table = table if isinstance(table, TableName) else self.table(table)
        return f"{self._quote_identifier(table.schema)}.{self._quote_identifier(table.name)}"

    def build_table(
        self, table: str, select_sql: str, parameters: Mapping[str, Any] | None = None
    ) -> TableStats:
        """Replace ``table`` with the rows of ``select_sql`` (values as bound ``:parameters``)."""
        target = self.table(table)
        started = time.perf_counter()
        with self.transaction() as connection:
            staging = self._fresh_staging(connection, target)
            connection.execute(
                sa.text(f"CREATE TABLE {self.quote(staging)} AS {select_sql}"), parameters or {}
            )
            self._replace_with_staging(connection, target, staging)
        return self.table_stats(str(target), seconds=time.perf_counter() - started)

    def load_dataframe(self, table: str, frame: pd.DataFrame) -> TableStats:
        """Replace ``table`` with ``frame``'s rows through the dialect's bulk path."""
        target = self.table(table)
        started = time.perf_counter()
        with self.transaction() as connection:
            staging = self._fresh_staging(connection, target)
            create_from_frame(connection, self.quote(staging), frame)
            self._replace_with_staging(connection, target, staging)
        return self.table_stats(str(target), seconds=time.perf_counter() - started)

    def table_stats(self, table: str, seconds: float = 0.0) -> TableStats:
        """Row count and size on disk, through each dialect's own function."""
        target = self.table(table)
        with self.transaction() as connection:
            row_count = connection.execute(
                sa.text(f"SELECT count(*) FROM {self.quote(target)}")
            ).scalar_one()
            if connection.dialect.name == "postgresql":
                size_bytes = connection.execute(
                    sa.text("SELECT pg_total_relation_size(CAST(:name AS regclass))"),
                    {"name": self.quote(target)},
                ).scalar_one()
            else:
                size_bytes = self._duckdb_table_bytes(connection, target)
        return TableStats(target, int(row_count), int(size_bytes), seconds)

    def fetch_frame(self, select_sql: str, parameters: Mapping[str, Any] | None = None):
        """Rows of a (small) query as a DataFrame: for checks and tests, not for moving data."""
        with self.transaction() as connection:
            result = connection.execute(sa.text(select_sql), parameters or {})
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def dbt_environment(self) -> dict[str, str]:
        """The variables dbt's profiles.yml reads to reach this same warehouse."""
        url = make_url(self.url)
        if self.backend == "duckdb":
            return {"DBT_TARGET": "local", "DBT_DUCKDB_PATH": str(duckdb_path(url).resolve())}
        return {
            "DBT_TARGET": "stack",
            "DBT_WAREHOUSE_HOST": url.host or "127.0.0.1",
            "DBT_WAREHOUSE_PORT": str(url.port or 5432),
            "DBT_WAREHOUSE_USER": url.username or "",
            "DBT_WAREHOUSE_PASSWORD": url.password or "",
            "DBT_WAREHOUSE_DBNAME": url.database or "",
            "DBT_WAREHOUSE_CONNECT_TIMEOUT": str(self.timeouts.libpq_connect_seconds),
            "DBT_WAREHOUSE_RETRIES": str(self.timeouts.attempts - 1),
        }

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        engine = self._engine()
        try:
            connection = self._connect(engine)
            with connection, connection.begin():
                yield connection
        finally:
            engine.dispose()

    def _connect(self, engine: sa.Engine) -> Connection:
        """A connection; PostgreSQL is tried ``timeouts.attempts`` times, each bounded by libpq's
        connect timeout (which covers a server that accepts and never answers)."""
        attempts = self.timeouts.attempts if self.backend == "postgresql" else 1
        for attempt in range(1, attempts + 1):
            try:
                return engine.connect()
            except (sa.exc.OperationalError, sa.exc.DBAPIError) as error:
                if attempt == attempts:
                    raise self._unavailable(error, attempts) from error
                time.sleep(min(2.0, 0.5 * attempt))
        raise AssertionError("unreachable")

    def _engine(self) -> sa.Engine:
        url = make_url(self.url)
        backend = url.get_backend_name()
        if backend not in SUPPORTED_BACKENDS:
            raise ValueError(
                f"WAREHOUSE_URL uses '{backend}'; supported: {', '.join(SUPPORTED_BACKENDS)}."
            )
        if backend == "duckdb":
            duckdb_path(url).parent.mkdir(parents=True, exist_ok=True)
            return sa.create_engine(url, poolclass=NullPool)
        return sa.create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "connect_timeout": self.timeouts.libpq_connect_seconds,
                # a peer that vanishes during a long statement is noticed, not waited for forever
                "keepalives": 1,
                "keepalives_idle": math.ceil(self.timeouts.read_seconds),
                "keepalives_interval": math.ceil(self.timeouts.read_seconds),
                "keepalives_count": self.timeouts.attempts,
            },
        )

    def _unavailable(self, error: Exception, attempts: int = 1) -> WarehouseUnavailableError:
        url = make_url(self.url)
        where = (
            f"DuckDB file {url.database}"
            if self.backend == "duckdb"
            else f"PostgreSQL at host {url.host} port {url.port or 5432}, database {url.database}"
        )
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        tries = f" in {attempts} attempts" if attempts > 1 else ""
        return WarehouseUnavailableError(
            f"Cannot connect to the warehouse ({where}){tries}: {reason}. Check WAREHOUSE_URL and "
            "that the server is running (for DuckDB: that no other process holds the file open)."
        )

    def _fresh_staging(self, connection: Connection, target: TableName) -> TableName:
        staging = target.staging()
        schema = self._quote_identifier(target.schema)
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {self.quote(staging)}"))
        return staging

    def _replace_with_staging(
        self, connection: Connection, target: TableName, staging: TableName
    ) -> None:
        current = self._columns(connection, target)
        if current and current == self._columns(connection, staging):
            connection.execute(sa.text(f"TRUNCATE TABLE {self.quote(target)}"))
            connection.execute(
                sa.text(f"INSERT INTO {self.quote(target)} SELECT * FROM {self.quote(staging)}")
            )
            connection.execute(sa.text(f"DROP TABLE {self.quote(staging)}"))
            return
        if current:
            connection.execute(sa.text(f"DROP TABLE {self.quote(target)}"))
        connection.execute(
            sa.text(
                f"ALTER TABLE {self.quote(staging)} RENAME TO {self._quote_identifier(target.name)}"
            )
        )

    def _columns(self, connection: Connection, table: TableName) -> list[tuple[str, str]]:
        rows = connection.execute(
            sa.text(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = :schema AND table_name = :name ORDER BY ordinal_position"
            ),
            {"schema": table.schema, "name": table.name},
        )
        return [(str(name), str(data_type)) for name, data_type in rows]

    def _duckdb_table_bytes(self, connection: Connection, table: TableName) -> int:
        connection.execute(sa.text("CHECKPOINT"))
        block_size = connection.execute(
            sa.text("SELECT block_size FROM pragma_database_size()")
        ).scalar_one()
        blocks = connection.execute(
            sa.text(
                "SELECT count(DISTINCT block_id) FROM pragma_storage_info(:name) "
                "WHERE block_id >= 0"
            ),
            {"name": str(table)},
        ).scalar_one()
        return int(blocks) * int(block_size)

    def _quote_identifier(self, identifier: str) -> str:
        return _identifier_preparer(make_url(self.url).drivername).quote_identifier(identifier)


@functools.cache
def duckdb_path(url: sa.URL) -> Path:
    """The file of a ``duckdb:///path/file.duckdb`` URL."""
    if not url.database:
        raise ValueError(
            f"The warehouse URL {url.drivername}://... names no DuckDB file: use "
            "duckdb:///path/file.duckdb."
        )
    return Path(url.database)


def _identifier_preparer(drivername: str):
    """The dialect's quoting rules (they depend on the dialect only, not on a connection)."""
    return sa.engine.URL.create(drivername).get_dialect()().identifier_preparer
