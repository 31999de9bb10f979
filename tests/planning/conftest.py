"""The seed guide's inventory, shipped as the package's example."""

from pathlib import Path

import pytest

import dagster_project.planning

EXAMPLE_INVENTORY = Path(dagster_project.planning.__file__).parent / "example_inventory.json"


@pytest.fixture
def example_inventory_path() -> Path:
    return EXAMPLE_INVENTORY
