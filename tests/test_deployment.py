"""The deployment's resource set, and bad configuration failing when the definitions load."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.deployment import build_resources
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.time_series import TimeSeriesIOManager
from dagster_project.settings import SettingsError
from dagster_project.tiers import IO_MANAGER_KEYS, Tier

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS_MODULE = "dagster_project.definitions"
TIER_CLASSES = {
    Tier.SMALL: PickleIOManager,
    Tier.MEDIUM: ParquetIOManager,
    Tier.TIME_SERIES: TimeSeriesIOManager,
    Tier.REFERENCE: ReferenceIOManager,
    Tier.SIZE_ROUTER: SizeRouterIOManager,
}


def test_local_resources_hold_one_manager_per_tier_under_the_storage_url(
    small_scale_environ, monkeypatch
):
    monkeypatch.setenv("PARQUET_COMPRESSION", "gzip")
    resources = build_resources()

    for tier, manager_class in TIER_CLASSES.items():
        manager = resources[IO_MANAGER_KEYS[tier]]
        assert type(manager) is manager_class
        assert manager.base_path == f"{small_scale_environ['STORAGE_URL']}/{tier.value}"
    assert resources["io_manager"] is resources[IO_MANAGER_KEYS[Tier.SMALL]]
    assert resources[IO_MANAGER_KEYS[Tier.MEDIUM]].compression == "gzip"
    assert resources[IO_MANAGER_KEYS[Tier.TIME_SERIES]].compression == "gzip"


def test_the_router_routes_into_the_other_tiers(small_scale_environ):
    resources = build_resources()
    router = resources[IO_MANAGER_KEYS[Tier.SIZE_ROUTER]]

    assert router.small is resources[IO_MANAGER_KEYS[Tier.SMALL]]
    assert router.medium is resources[IO_MANAGER_KEYS[Tier.MEDIUM]]
    assert router.reference is resources[IO_MANAGER_KEYS[Tier.REFERENCE]]


def test_the_scale_reaches_the_synthetic_data_resource(small_scale_environ, monkeypatch):
    monkeypatch.setenv("DATA_SCALE", "0.25")

    assert build_resources()["synthetic_data"].scale == 0.25


@pytest.fixture
def stack_environ(small_scale_environ, monkeypatch):
    """The variables the stack needs besides the warehouse (values never contacted here)."""
    monkeypatch.setenv("DAGSTER_DEPLOYMENT", "stack")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("S3_BUCKET", "dagster")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local-only")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local-only")
    monkeypatch.delenv("STORAGE_URL")


def test_the_warehouse_url_is_read_through_an_env_var_so_its_password_stays_hidden(
    stack_environ, monkeypatch
):
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg2://u:hidden-pw@127.0.0.1:5432/w")
    warehouse = build_resources()["warehouse"]

    assert "hidden-pw" not in repr(warehouse)  # what the UI shows as the resource's config
    assert warehouse.process_config_and_initialize().url.endswith("u:hidden-pw@127.0.0.1:5432/w")


@pytest.mark.parametrize("deployment", ["local", "stack"])
def test_every_network_client_gets_the_client_timeouts_of_the_environment(
    deployment, stack_environ, monkeypatch
):
    monkeypatch.setenv("DAGSTER_DEPLOYMENT", deployment)
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg2://u:pw@127.0.0.1:5432/w")
    monkeypatch.setenv("CLIENT_CONNECT_TIMEOUT_SECONDS", "3")
    monkeypatch.setenv("CLIENT_READ_TIMEOUT_SECONDS", "4.5")
    monkeypatch.setenv("CLIENT_ATTEMPTS", "5")
    expected = ClientTimeouts(connect_seconds=3, read_seconds=4.5, attempts=5)
    resources = build_resources()

    clients = [resources[IO_MANAGER_KEYS[tier]] for tier in Tier if tier is not Tier.SMALL]
    router = resources[IO_MANAGER_KEYS[Tier.SIZE_ROUTER]]
    clients += [router.small, router.medium, router.reference]
    clients += [resources[name] for name in ("tier_stores", "warehouse", "spark")]
    small = resources[IO_MANAGER_KEYS[Tier.SMALL]]
    clients.append(small.s3_resource if deployment == "stack" else small)
    assert [client.timeouts for client in clients] == [expected] * len(clients)


def test_alert_channels_are_off_by_default_and_the_webhook_stays_hidden(
    small_scale_environ, monkeypatch
):
    assert not build_resources()["alert_channels"].enabled

    monkeypatch.setenv("ALERT_WEBHOOK_URL", "https://hooks.example.com/services/secret-token")
    monkeypatch.setenv("ALERT_EMAIL_TO", "oncall@example.com")
    monkeypatch.setenv("SMTP_HOST", "mail.example.com")
    channels = build_resources()["alert_channels"]

    assert "secret-token" not in repr(channels)  # what the UI shows as the resource's config
    initialized = channels.process_config_and_initialize()
    assert initialized.enabled and initialized.email_to == ["oncall@example.com"]


def test_the_stack_without_a_warehouse_url_fails(stack_environ, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_URL")

    with pytest.raises(SettingsError, match="WAREHOUSE_URL must be set"):
        build_resources()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DAGSTER_DEPLOYMENT", "prod", "Valid values: local, stack"),
        ("PARQUET_COMPRESSION", "lzo", "Valid values: zstd, snappy, gzip, brotli, lz4, none"),
        ("DATA_SCALE", "0", "DATA_SCALE='0' must be a positive number"),
        ("WAREHOUSE_URL", "mysql://db/w", "WAREHOUSE_URL=mysql://... is not a supported warehouse"),
        ("CLIENT_ATTEMPTS", "many", "CLIENT_ATTEMPTS='many' must be a whole number"),
    ],
)
def test_bad_configuration_fails_when_dagster_loads_the_definitions(variable, value, expected):
    loaded = validate_definitions_from_the_root({variable: value})

    assert loaded.returncode != 0
    assert expected in loaded.stdout + loaded.stderr


def test_the_cli_works_from_the_root_without_dagster_home():
    """Without DAGSTER_HOME the CLI reads ./dagster.yaml: it must not need the stack's servers."""
    loaded = validate_definitions_from_the_root({})

    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def validate_definitions_from_the_root(overrides: dict[str, str]) -> subprocess.CompletedProcess:
    """``dagster definitions validate`` as a user runs it from a fresh checkout."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name != "DAGSTER_HOME" and name != "DAGSTER_DEPLOYMENT"
    }
    return subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", DEFINITIONS_MODULE],
        cwd=REPOSITORY_ROOT,
        env={**environ, **overrides},
        capture_output=True,
        text=True,
        timeout=120,
    )
