"""The warehouse resource on a real DuckDB file and a real PostgreSQL database: atomic,
idempotent builds, bulk loads, statistics, safe names and clear connection errors."""

import secrets
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.resources.table_name import InvalidTableNameError
from dagster_project.resources.warehouse import WarehouseResource, WarehouseUnavailableError
from tests.processes import free_port
from tests.silent_server import MODES, silent_server

# made up per session: the tests check that no error ever shows it
MADE_UP_PASSWORD = secrets.token_hex(12)


@pytest.fixture
def warehouse(warehouse_url: str) -> WarehouseResource:
    return WarehouseResource(url=warehouse_url)


def numbers(warehouse: WarehouseResource, rows: int = 1_000) -> None:
    warehouse.load_dataframe("raw.numbers", pd.DataFrame({"n": np.arange(rows, dtype="int64")}))


def table_names(warehouse: WarehouseResource, schema: str) -> list[str]:
    return sorted(
        warehouse.fetch_frame(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema",
            {"schema": schema},
        )["table_name"]
    )


def test_build_table_creates_the_table_with_bound_parameters(warehouse):
    numbers(warehouse)
    stats = warehouse.build_table(
        "analytics.large_numbers",
        f"SELECT n FROM {warehouse.quote('raw.numbers')} WHERE n >= :minimum",
        {"minimum": 900},
    )

    assert str(stats.table) == "analytics.large_numbers"
    assert stats.row_count == 100
    assert stats.size_bytes > 0
    assert table_names(warehouse, "analytics") == ["large_numbers"]


def test_a_rerun_succeeds_and_gives_the_same_result(warehouse):
    numbers(warehouse)
    select = (
        f"SELECT n % 7 AS bucket, COUNT(*) AS hits FROM {warehouse.quote('raw.numbers')} GROUP BY 1"
    )
    warehouse.build_table("analytics.buckets", select)
    first = warehouse.fetch_frame(
        f"SELECT * FROM {warehouse.quote('analytics.buckets')} ORDER BY 1"
    )
    warehouse.build_table("analytics.buckets", select)
    second = warehouse.fetch_frame(
        f"SELECT * FROM {warehouse.quote('analytics.buckets')} ORDER BY 1"
    )

    pd.testing.assert_frame_equal(first, second)
    assert table_names(warehouse, "analytics") == ["buckets"]


def test_a_failing_build_leaves_the_previous_table_with_its_old_rows(warehouse):
    numbers(warehouse)
    warehouse.build_table("analytics.copy", f"SELECT n FROM {warehouse.quote('raw.numbers')}")

    failing_select = "SELECT CAST('not a number ' || n AS INTEGER) AS n FROM raw.numbers"
    with pytest.raises(sa.exc.DBAPIError):
        warehouse.build_table("analytics.copy", failing_select)

    assert warehouse.table_stats("analytics.copy").row_count == 1_000
    assert table_names(warehouse, "analytics") == ["copy"]  # no staging table left behind


def test_a_hostile_table_name_is_refused_and_nothing_is_dropped(warehouse):
    numbers(warehouse)

    with pytest.raises(InvalidTableNameError):
        warehouse.build_table("x; DROP TABLE raw.numbers", "SELECT 1 AS one")
    with pytest.raises(InvalidTableNameError):
        warehouse.quote("raw.numbers; DROP TABLE raw.numbers")

    assert warehouse.table_stats("raw.numbers").row_count == 1_000


def test_a_dataframe_round_trips_through_the_bulk_load(warehouse):
    frame = pd.DataFrame(
        {
            "id": np.arange(4, dtype="int64"),
            "amount": [1.5, np.nan, -2.25, 1e12],
            "label": ["plain", None, "", 'quote " and comma ,'],
            "flag": [True, False, True, False],
            "channel": pd.Categorical(["web", None, "app", "web"]),
            "maybe_count": pd.array([7, None, 0, -3], dtype="Int64"),
            "at_utc": pd.to_datetime(["2024-01-01 00:00:00"] * 4).tz_localize("UTC"),
            "at": pd.to_datetime(
                ["2024-01-01 00:00:01", "2024-02-29 12:30:00", None, "2024-12-31 00:00:00"]
            ),
        }
    )
    stats = warehouse.load_dataframe("raw.mixed", frame)
    loaded = warehouse.fetch_frame(f"SELECT * FROM {warehouse.quote('raw.mixed')} ORDER BY id")

    assert stats.row_count == 4
    assert loaded["id"].tolist() == [0, 1, 2, 3]
    assert loaded["amount"].tolist()[0::2] == [1.5, -2.25]
    assert pd.isna(loaded["amount"][1])
    assert loaded["label"].tolist() == ["plain", None, "", 'quote " and comma ,']
    assert loaded["flag"].tolist() == [True, False, True, False]
    assert pd.to_datetime(loaded["at"]).tolist()[:2] == list(frame["at"][:2])
    assert pd.isna(loaded["at"][2])
    assert loaded["channel"].tolist() == ["web", None, "app", "web"]
    assert [None if pd.isna(v) else int(v) for v in loaded["maybe_count"]] == [7, None, 0, -3]
    assert pd.to_datetime(loaded["at_utc"], utc=True).tolist() == list(frame["at_utc"])


def test_reloading_the_same_columns_keeps_dependent_views_working(warehouse):
    numbers(warehouse, rows=10)
    with warehouse.transaction() as connection:
        connection.execute(
            sa.text("CREATE VIEW raw.even_numbers AS SELECT n FROM raw.numbers WHERE n % 2 = 0")
        )

    numbers(warehouse, rows=20)

    evens = warehouse.fetch_frame("SELECT COUNT(*) AS evens FROM raw.even_numbers")
    assert evens["evens"].tolist() == [10]


def test_a_changed_schema_replaces_the_table(warehouse):
    numbers(warehouse)
    warehouse.load_dataframe("raw.numbers", pd.DataFrame({"n": ["a"], "extra": [1.0]}))

    columns = warehouse.fetch_frame(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'numbers' ORDER BY ordinal_position"
    )
    assert columns["column_name"].tolist() == ["n", "extra"]
    assert warehouse.table_stats("raw.numbers").row_count == 1


def test_stats_report_rows_and_a_size_that_grows_with_the_table(warehouse):
    def random_values(rows: int) -> pd.DataFrame:  # incompressible, unlike a sequence
        return pd.DataFrame({"value": np.random.default_rng(0).random(rows)})

    warehouse.load_dataframe("raw.values", random_values(1_000))
    small = warehouse.table_stats("raw.values")
    warehouse.load_dataframe("raw.values", random_values(1_000_000))
    large = warehouse.table_stats("raw.values")

    assert (small.row_count, large.row_count) == (1_000, 1_000_000)
    assert large.size_bytes >= 4_000_000  # a million random doubles barely compress
    assert large.size_bytes > 10 * small.size_bytes


@pytest.mark.timeout(10)  # two attempts of 3 s at most, well within
def test_an_unreachable_postgres_names_host_and_port_not_the_password():
    port = free_port()  # nothing listens there
    warehouse = WarehouseResource(
        url=f"postgresql+psycopg2://analyst:{MADE_UP_PASSWORD}@127.0.0.1:{port}/warehouse",
        timeouts=ClientTimeouts(connect_seconds=3, attempts=2),
    )

    with pytest.raises(WarehouseUnavailableError) as raised:
        warehouse.table_stats("raw.numbers")

    message = str(raised.value)
    assert f"host 127.0.0.1 port {port}" in message
    assert "in 2 attempts" in message
    assert MADE_UP_PASSWORD not in message
    assert "WAREHOUSE_URL" in message


@pytest.mark.timeout(15)  # two attempts of libpq's 2 s connect timeout, bounded
@pytest.mark.parametrize("mode", MODES)
def test_a_postgres_that_never_answers_times_out_after_every_attempt(mode):
    timeouts = ClientTimeouts(connect_seconds=2, attempts=2)
    with silent_server(mode) as port:
        warehouse = WarehouseResource(
            url=f"postgresql+psycopg2://analyst:{MADE_UP_PASSWORD}@127.0.0.1:{port}/warehouse",
            timeouts=timeouts,
        )

        with pytest.raises(WarehouseUnavailableError) as raised:
            warehouse.table_stats("raw.numbers")

    # libpq's connect timeout covers the start-up exchange a silent server never answers
    assert f"host 127.0.0.1 port {port}" in str(raised.value)
    assert "in 2 attempts" in str(raised.value)
    assert "timeout expired" in str(raised.value)
    assert MADE_UP_PASSWORD not in str(raised.value)


def test_a_duckdb_file_held_by_another_process_is_reported_clearly(tmp_path):
    database = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseUnavailableError, match=str(database)):
            WarehouseResource(url=f"duckdb:///{database}").table_stats("raw.numbers")
    finally:
        holder.kill()
        holder.wait()


def test_a_users_table_named_like_a_staging_table_survives_builds(warehouse):
    """The build's staging table has a name no user table can have ('-staging')."""
    numbers(warehouse, rows=10)
    warehouse.load_dataframe("analytics.totals__staging", pd.DataFrame({"mine": [1, 2, 3]}))

    warehouse.build_table("analytics.totals", f"SELECT n FROM {warehouse.quote('raw.numbers')}")
    warehouse.build_table("analytics.totals", f"SELECT n FROM {warehouse.quote('raw.numbers')}")

    assert table_names(warehouse, "analytics") == ["totals", "totals__staging"]
    mine = warehouse.fetch_frame(f"SELECT * FROM {warehouse.quote('analytics.totals__staging')}")
    assert mine["mine"].tolist() == [1, 2, 3]
