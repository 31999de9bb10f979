import pytest


@pytest.fixture(scope="session")
def definitions():
    """The code location's Definitions as they load in this process (the embedded default)."""
    from dagster_project.definitions import defs

    return defs


@pytest.fixture(scope="session")
def asset_graph(definitions):
    return definitions.resolve_asset_graph()
