"""The example inventory shipped with the package."""

from pathlib import Path

import pytest

import dagster_project.planning

EXAMPLE_INVENTORY = Path(dagster_project.planning.__file__).parent / "example_inventory.json"


@pytest.fixture
def example_inventory_path() -> Path:
    return EXAMPLE_INVENTORY
