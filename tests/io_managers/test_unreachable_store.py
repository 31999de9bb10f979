"""One error for one cause: whichever tier, store or load, an object store nobody answers on
(a closed port) raises StorageUnavailableError naming the endpoint and the path, never the
secret, never botocore's raw exception."""

import pytest

from dagster_project.io_managers.errors import StorageUnavailableError
from tests.io_managers.managers import TIERS, make_manager, on_endpoint
from tests.io_managers.test_tier_contract import store_or_load
from tests.processes import free_port

pytestmark = pytest.mark.usefixtures("fake_aws_credentials")


def on_closed_port(tier: str):
    """The tier's manager on s3://, its endpoint a free port of 127.0.0.1 that nothing serves."""
    endpoint = f"http://127.0.0.1:{free_port()}"
    return on_endpoint(make_manager(tier, "s3://unreachable/base"), endpoint), endpoint


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("operation", ["store", "load"])
def test_a_closed_port_is_the_storage_error_naming_the_endpoint(
    tier, operation, fake_aws_credentials
):
    manager, endpoint = on_closed_port(tier)

    with pytest.raises(StorageUnavailableError) as raised:
        store_or_load(manager, tier, operation)

    assert endpoint in str(raised.value)
    assert "unreachable/base" in str(raised.value)
    assert fake_aws_credentials not in str(raised.value)
