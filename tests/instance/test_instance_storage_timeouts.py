"""The stack's Dagster instance (deploy/dagster.stack.yaml) with the variables compose and the
native stack give it: a PostgreSQL that never answers fails the instance in bounded time, naming
the server, because libpq's PGCONNECT_TIMEOUT comes from the same client timeouts. The bound is
the test's own timeout; without PGCONNECT_TIMEOUT libpq would wait for good, and its message
"timeout expired" is the one of its own connect timeout."""

import secrets
import shutil

import dagster as dg
import pytest

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.settings import REPOSITORY_ROOT
from tests.silent_server import silent_server

# made up per session: the tests check that no error ever shows it
MADE_UP_PASSWORD = secrets.token_hex(12)

# dagster-postgres tries a connection six times, with a short exponential back-off between
DAGSTER_POSTGRES_ATTEMPTS = 6


@pytest.mark.timeout(DAGSTER_POSTGRES_ATTEMPTS * 2 + 60)
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

        with pytest.raises(Exception) as raised:
            dg.DagsterInstance.from_config(str(home))

    chain, error = [], raised.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    named = [message for message in chain if f"port {port}" in message]
    assert any("timeout expired" in message for message in named), chain
    assert not any(MADE_UP_PASSWORD in message for message in chain)
