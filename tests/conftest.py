"""Fixtures shared by the suite: small-scale settings over temporary storage, a test instance."""

from pathlib import Path

import dagster as dg
import pytest

from dagster_project.deployment import build_resources

SMALL_SCALE = "0.01"


@pytest.fixture
def storage_dir(tmp_path: Path) -> Path:
    """An empty folder standing in for STORAGE_URL."""
    return tmp_path / "storage"


@pytest.fixture
def small_scale_environ(storage_dir: Path) -> dict[str, str]:
    """The environment of the embedded default, at a hundredth of the documented data sizes."""
    return {"DATA_SCALE": SMALL_SCALE, "STORAGE_URL": str(storage_dir)}


@pytest.fixture
def small_scale_resources(small_scale_environ: dict[str, str]) -> dict:
    return build_resources(small_scale_environ)


@pytest.fixture
def instance():
    """A temporary Dagster instance (SQLite in a temporary folder)."""
    with dg.instance_for_test() as test_instance:
        yield test_instance
