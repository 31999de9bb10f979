"""The resource set of each deployment, chosen by ``DAGSTER_DEPLOYMENT``: the code that differs.

- ``local`` (default): no server. Tier values under ``.local/storage`` (or ``STORAGE_URL``).
- ``stack``: PostgreSQL, an S3-compatible object store and a Spark cluster, as ``docker compose``
  or ``deploy/`` bring them up. Its resources arrive with the stack; until then selecting it fails
  at load time with a message saying so.

Assets never know which deployment they run in: they ask for resource keys, and this module
decides what stands behind each key.
"""

import os
from collections.abc import Mapping
from typing import Any

from dagster_project import settings
from dagster_project.io_managers.medium import ParquetCompression, ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.time_series import TimeSeriesIOManager
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.tiers import IO_MANAGER_KEYS, Tier


class DeploymentNotAvailableError(settings.SettingsError):
    """The selected deployment needs resources this version of the code location does not have."""


def build_resources(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Every resource the definitions need, for the deployment the environment selects."""
    name = settings.deployment(environ)
    scale = settings.data_scale(environ)
    if name == "stack":
        raise DeploymentNotAvailableError(
            "DAGSTER_DEPLOYMENT=stack needs the stack's resources (S3 object store, PostgreSQL, "
            "Spark cluster), which this version does not define yet. Unset DAGSTER_DEPLOYMENT "
            "to run the embedded default."
        )
    return {
        **tier_io_managers(
            settings.storage_url(environ), compression=settings.parquet_compression(environ)
        ),
        "synthetic_data": SyntheticDataResource(scale=scale),
    }


def tier_io_managers(
    base_url: str, compression: ParquetCompression = "zstd", endpoint_url: str | None = None
) -> dict[str, Any]:
    """One I/O manager per tier under ``base_url``; the default ``io_manager`` is the small tier."""
    base_url = base_url.rstrip("/")
    small = PickleIOManager(base_path=f"{base_url}/small", endpoint_url=endpoint_url)
    medium = ParquetIOManager(
        base_path=f"{base_url}/medium", compression=compression, endpoint_url=endpoint_url
    )
    return {
        "io_manager": small,
        IO_MANAGER_KEYS[Tier.SMALL]: small,
        IO_MANAGER_KEYS[Tier.MEDIUM]: medium,
        IO_MANAGER_KEYS[Tier.TIME_SERIES]: TimeSeriesIOManager(
            base_path=f"{base_url}/time_series", compression=compression, endpoint_url=endpoint_url
        ),
        IO_MANAGER_KEYS[Tier.REFERENCE]: ReferenceIOManager(
            base_path=f"{base_url}/reference", endpoint_url=endpoint_url
        ),
        IO_MANAGER_KEYS[Tier.SIZE_ROUTER]: SizeRouterIOManager(
            base_path=f"{base_url}/size_router",
            endpoint_url=endpoint_url,
            small=small,
            medium=medium,
        ),
    }
