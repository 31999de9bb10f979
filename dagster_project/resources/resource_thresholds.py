"""The machine limits ``resource_monitor_sensor`` watches; set per deployment, never in code."""

import dagster as dg
from pydantic import Field


class ResourceThresholdsResource(dg.ConfigurableResource):
    """Memory and disk usage (percent) above which the stores are cleaned up."""

    max_memory_percent: float = Field(default=85.0, ge=0, le=100)
    max_disk_percent: float = Field(default=90.0, ge=0, le=100)
    disk_path: str = Field(description="A path on the disk that holds the local stores.")
    cleanup_dry_run: bool = Field(
        default=True, description="Whether the cleanup the sensor requests only reports."
    )
