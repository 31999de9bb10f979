"""Where the tier I/O managers keep their files, for jobs that look after the stores."""

import dagster as dg
from pydantic import Field
from upath import UPath


class TierStoresResource(dg.ConfigurableResource):
    """The folder of each tier: ``<base_url>/<tier>`` on a local disk or an S3-compatible store."""

    base_url: str = Field(description="The tiers' common base: a folder or s3://bucket/prefix.")
    endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint for an s3:// base (MinIO, SeaweedFS)."
    )

    def tier_folder(self, tier: str) -> UPath:
        base = self.base_url.rstrip("/")
        if self.endpoint_url and base.startswith("s3://"):
            return UPath(f"{base}/{tier}", endpoint_url=self.endpoint_url)
        return UPath(f"{base}/{tier}")
