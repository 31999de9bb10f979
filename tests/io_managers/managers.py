"""The tier I/O managers as the tests build them: one per tier under a base folder."""

import dagster as dg

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.tier_io_manager import TierIOManager
from dagster_project.io_managers.time_series import TimeSeriesIOManager

HOURLY = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00")
FIRST_HOUR = "2024-01-01-00:00"
TIERS = ("small", "medium", "time_series", "reference", "size_router")


def on_endpoint(
    manager: TierIOManager, endpoint_url: str | None, timeouts: ClientTimeouts | None = None
) -> TierIOManager:
    """``manager`` (and a router's tiers) talking to the S3 server at ``endpoint_url``, with
    ``timeouts`` when given."""
    if endpoint_url is None:
        return manager
    endpoint: dict = {"endpoint_url": endpoint_url}
    if timeouts is not None:
        endpoint["timeouts"] = timeouts
    if isinstance(manager, SizeRouterIOManager):
        tiers = ("small", "medium", "reference")
        endpoint.update(
            {name: getattr(manager, name).model_copy(update=endpoint) for name in tiers}
        )
    return manager.model_copy(update=endpoint)


def make_manager(tier: str, base_path: str) -> TierIOManager:
    """The I/O manager of ``tier`` storing under ``base_path``; the router's threshold is 1 MB."""
    if tier == "small":
        return PickleIOManager(base_path=base_path)
    if tier == "medium":
        return ParquetIOManager(base_path=base_path)
    if tier == "time_series":
        return TimeSeriesIOManager(base_path=base_path)
    if tier == "reference":
        return ReferenceIOManager(base_path=base_path)
    if tier == "size_router":
        return SizeRouterIOManager(
            base_path=f"{base_path}/routes",
            small=PickleIOManager(base_path=f"{base_path}/small"),
            medium=ParquetIOManager(base_path=f"{base_path}/medium"),
            reference=ReferenceIOManager(base_path=f"{base_path}/reference"),
            small_threshold_mb=1,
            large_threshold_mb=100,
        )
    raise ValueError(f"unknown tier {tier}; expected one of {TIERS}")
