"""Where the tier I/O managers keep their files, for jobs that look after the stores."""

import dagster as dg
from pydantic import Field
from upath import UPath

from dagster_project.client_timeouts import OBJECT_STORE_PROTOCOLS, ClientTimeouts


class TierStoresResource(dg.ConfigurableResource):
    """The folder of each tier: ``<base_url>/<tier>`` on a local disk or an S3-compatible store."""

    base_url: str = Field(description="The tiers' common base: a folder or s3://bucket/prefix.")
    endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint for an s3:// base (MinIO, SeaweedFS)."
    )
    timeouts: ClientTimeouts = Field(
        default_factory=ClientTimeouts, description="Limits of the object store's client."
    )

    def tier_folder(self, tier: str) -> UPath:
        base = self.base_url.rstrip("/")
        folder = UPath(f"{base}/{tier}")
        if folder.protocol in OBJECT_STORE_PROTOCOLS:
            return self.timeouts.object_store_path(f"{base}/{tier}", self.endpoint_url)
        return folder
