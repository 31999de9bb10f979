"""No hang on a wedged object store: a server that accepts connections and never answers, or one
that never completes them, fails every tier's store and load within the client timeouts, as the
storage error naming the endpoint; with the default timeouts, in about a minute."""

import time

import pytest

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.errors import StorageUnavailableError
from tests.io_managers.managers import TIERS, make_manager, on_endpoint
from tests.io_managers.test_tier_contract import store_or_load
from tests.silent_server import MODES, silent_server

pytestmark = pytest.mark.usefixtures("fake_aws_credentials")

FAST = ClientTimeouts(connect_seconds=1, read_seconds=1, attempts=2)
# two tries of one second each, botocore's back-off between them, and the process's own overhead
FAST_BOUND_S = 15


@pytest.fixture(scope="module", params=MODES)
def silent_endpoint(request):
    with silent_server(request.param) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("operation", ["store", "load"])
def test_a_silent_store_fails_within_the_timeouts_naming_the_endpoint(
    tier, operation, silent_endpoint, fake_aws_credentials
):
    manager = on_endpoint(make_manager(tier, "s3://wedged/base"), silent_endpoint, FAST)

    started = time.monotonic()
    with pytest.raises(StorageUnavailableError) as raised:
        store_or_load(manager, tier, operation)

    # each attempt waited its full timeout (one second, to connect or to read), then no more
    assert FAST.attempts <= time.monotonic() - started < FAST_BOUND_S
    assert silent_endpoint in str(raised.value)
    assert "wedged/base" in str(raised.value)
    assert fake_aws_credentials not in str(raised.value)


def test_with_the_default_timeouts_a_silent_store_fails_in_about_a_minute():
    with silent_server("accepts") as port:
        endpoint = f"http://127.0.0.1:{port}"
        manager = on_endpoint(make_manager("small", "s3://wedged/base"), endpoint)

        started = time.monotonic()
        with pytest.raises(StorageUnavailableError) as raised:
            store_or_load(manager, "small", "store")
        elapsed = time.monotonic() - started

    defaults = ClientTimeouts()
    # every one of the default attempts waited its full read timeout, and no more were made
    assert defaults.attempts * defaults.read_seconds <= elapsed < 80
    assert endpoint in str(raised.value)
