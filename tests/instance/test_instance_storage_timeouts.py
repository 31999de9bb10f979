"""The stack's Dagster instance (deploy/dagster.stack.yaml) with the variables compose and the
native stack give it: a PostgreSQL that never answers fails the instance in bounded time, naming
the server, because libpq's PGCONNECT_TIMEOUT comes from the same client timeouts."""

import secrets
import shutil
import time

import dagster as dg
import pytest

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.settings import REPOSITORY_ROOT
from tests.silent_server import silent_server

# made up per session: the tests check that no error ever shows it
MADE_UP_PASSWORD = secrets.token_hex(12)

# dagster-postgres tries a connection six times, with a short exponential back-off between
DAGSTER_POSTGRES_ATTEMPTS = 6


def test_the_stack_instance_gives_up_on_a_silent_postgres(tmp_path, monkeypatch):
    timeouts = ClientTimeouts(connect_seconds=2)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml", home / "dagster.yaml")
    with silent_server("accepts") as port:
        environ = {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_USER": "dagster",
            "DAGSTER_PG_PASSWORD": MADE_UP_PASSWORD,
            "DAGSTER_PG_DB": "dagster",
            "S3_BUCKET": "dagster",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9",
            **timeouts.environment(),
        }
        for name, value in environ.items():
            monkeypatch.setenv(name, value)

        started = time.monotonic()
        with pytest.raises(Exception) as raised:
            dg.DagsterInstance.from_config(str(home))
        elapsed = time.monotonic() - started

    connecting = DAGSTER_POSTGRES_ATTEMPTS * timeouts.libpq_connect_seconds
    # without PGCONNECT_TIMEOUT libpq would wait for good
    assert connecting <= elapsed < connecting + 40
    chain, error = [], raised.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert any(f"port {port}" in message and "timeout" in message for message in chain), chain
    assert not any(MADE_UP_PASSWORD in message for message in chain)
