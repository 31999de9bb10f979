"""The deployment's resource set, and bad configuration failing when the definitions load."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.deployment import DeploymentNotAvailableError, build_resources
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.time_series import TimeSeriesIOManager
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


def test_local_resources_hold_one_manager_per_tier_under_the_storage_url(tmp_path):
    resources = build_resources({"STORAGE_URL": str(tmp_path), "PARQUET_COMPRESSION": "gzip"})

    for tier, manager_class in TIER_CLASSES.items():
        manager = resources[IO_MANAGER_KEYS[tier]]
        assert type(manager) is manager_class
        assert manager.base_path == f"{tmp_path}/{tier.value}"
    assert resources["io_manager"] is resources[IO_MANAGER_KEYS[Tier.SMALL]]
    assert resources[IO_MANAGER_KEYS[Tier.MEDIUM]].compression == "gzip"
    assert resources[IO_MANAGER_KEYS[Tier.TIME_SERIES]].compression == "gzip"


def test_the_router_routes_into_the_small_and_medium_tiers(tmp_path):
    resources = build_resources({"STORAGE_URL": str(tmp_path)})
    router = resources[IO_MANAGER_KEYS[Tier.SIZE_ROUTER]]

    assert router.small.base_path == resources[IO_MANAGER_KEYS[Tier.SMALL]].base_path
    assert router.medium.base_path == resources[IO_MANAGER_KEYS[Tier.MEDIUM]].base_path


def test_the_scale_reaches_the_synthetic_data_resource():
    assert build_resources({"DATA_SCALE": "0.25"})["synthetic_data"].scale == 0.25


def test_the_stack_says_it_is_not_available_yet():
    with pytest.raises(DeploymentNotAvailableError, match="Unset DAGSTER_DEPLOYMENT"):
        build_resources({"DAGSTER_DEPLOYMENT": "stack"})


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DAGSTER_DEPLOYMENT", "prod", "Valid values: local, stack"),
        ("PARQUET_COMPRESSION", "lzo", "Valid values: zstd, snappy, gzip, brotli, lz4, none"),
        ("DATA_SCALE", "0", "DATA_SCALE='0' must be a positive number"),
    ],
)
def test_bad_configuration_fails_when_dagster_loads_the_definitions(variable, value, expected):
    loaded = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", DEFINITIONS_MODULE],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert loaded.returncode != 0
    assert expected in loaded.stdout + loaded.stderr
