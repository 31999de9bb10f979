"""The resource set of each deployment, chosen by ``DAGSTER_DEPLOYMENT``: the code that differs.

- ``local`` (default): no server. Tier values under ``.local/storage`` (or ``STORAGE_URL``), the
  warehouse in the DuckDB file ``.local/warehouse.duckdb`` (or ``WAREHOUSE_URL``).
- ``stack``: every tier on the S3-compatible store at ``S3_ENDPOINT_URL``, or on AWS S3 itself
  when it is unset (bucket ``S3_BUCKET``; static keys or boto3's default credential chain; the
  small tier is dagster-aws's S3 pickle layout), the PostgreSQL warehouse at
  ``WAREHOUSE_URL``, the Spark cluster at ``SPARK_MASTER_URL``. ``docker compose`` and
  ``deploy/native-stack.sh`` set all of them.

Assets never know which deployment they run in: they ask for resource keys, and this module
decides what stands behind each key. Everything is read from the process environment when the
definitions load, so a bad value fails there, with a message naming the variable.
"""

import os
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project import settings
from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.medium import ParquetCompression, ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.s3_small import StackS3PickleIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.time_series import TimeSeriesIOManager
from dagster_project.resources.alert_channels import AlertChannelsResource
from dagster_project.resources.queue_thresholds import QueueThresholdsResource
from dagster_project.resources.resource_thresholds import ResourceThresholdsResource
from dagster_project.resources.s3_client import S3ClientResource
from dagster_project.resources.spark import SparkResource
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.resources.tier_stores import TierStoresResource
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.tiers import IO_MANAGER_KEYS, Tier


def build_resources() -> dict[str, Any]:
    """Every resource the definitions need, for the deployment the environment selects; every
    network client among them with the limits of ``settings.client_timeouts()``."""
    timeouts = settings.client_timeouts()
    if settings.deployment() == "stack":
        tiers = stack_tier_io_managers(timeouts)
        stores = TierStoresResource(
            base_url=settings.stack_storage_url(),
            endpoint_url=settings.s3_endpoint_url(),
            timeouts=timeouts,
        )
    else:
        tiers = tier_io_managers(
            settings.storage_url(), settings.parquet_compression(), timeouts=timeouts
        )
        stores = TierStoresResource(base_url=settings.storage_url(), timeouts=timeouts)
    return {
        **tiers,
        "tier_stores": stores,
        "resource_thresholds": ResourceThresholdsResource(disk_path=disk_path(stores.base_url)),
        "queue_thresholds": QueueThresholdsResource(
            max_queued_minutes=settings.alert_queued_run_minutes(),
            max_held_slot_minutes=settings.alert_held_slot_minutes(),
        ),
        "synthetic_data": SyntheticDataResource(scale=settings.data_scale()),
        "warehouse": warehouse_resource(timeouts),
        "spark": spark_resource(timeouts),
        "alert_channels": alert_channels(),
    }


def alert_channels() -> AlertChannelsResource:
    """The alert channels the ``ALERT_*`` and ``SMTP_*`` variables switch on (none by default);
    the webhook URL and the SMTP password are read through ``dg.EnvVar``, never shown."""
    settings.alert_webhook_url()
    environ = os.environ
    return AlertChannelsResource(
        webhook_url=dg.EnvVar("ALERT_WEBHOOK_URL") if environ.get("ALERT_WEBHOOK_URL") else None,
        email_to=settings.alert_email_to(),
        email_from=environ.get("ALERT_EMAIL_FROM", "").strip() or "dagster-alerts@localhost",
        smtp_host=environ.get("SMTP_HOST", "").strip() or None,
        smtp_port=settings.smtp_port(),
        smtp_user=environ.get("SMTP_USER", "").strip() or None,
        smtp_password=dg.EnvVar("SMTP_PASSWORD") if environ.get("SMTP_PASSWORD") else None,
        webserver_url=settings.webserver_url(),
    )


def disk_path(base_url: str) -> str:
    """A local path on the disk the resource monitor watches: the stores' own disk when local."""
    if "://" in base_url:
        return str(settings.REPOSITORY_ROOT)
    folder = Path(base_url)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return str(folder)


def spark_resource(timeouts: ClientTimeouts | None = None) -> SparkResource:
    """Spark on ``SPARK_MASTER_URL`` (``local[*]`` by default), writing under ``LAKE_URL``."""
    return SparkResource(
        timeouts=timeouts or ClientTimeouts(),
        master=settings.spark_master_url(),
        lake_url=settings.lake_url(),
        driver_host=os.environ.get("SPARK_DRIVER_HOST", "").strip() or "127.0.0.1",
        ui_url=os.environ.get("SPARK_MASTER_UI_URL", "").strip() or None,
        s3_endpoint_url=settings.s3_endpoint_url(),
        s3_region=settings.aws_region(),
        extra_jars=os.environ.get("SPARK_EXTRA_JARS", "").strip() or None,
        class_archive_folder=settings.spark_class_archive_folder(),
    )


def warehouse_resource(timeouts: ClientTimeouts | None = None) -> WarehouseResource:
    """The warehouse at ``WAREHOUSE_URL``, read through ``dg.EnvVar`` so its password is never
    part of the resource's visible config; the local DuckDB file when unset."""
    url = settings.warehouse_url()
    timeouts = timeouts or ClientTimeouts()
    if os.environ.get("WAREHOUSE_URL", "").strip():
        return WarehouseResource(url=dg.EnvVar("WAREHOUSE_URL"), timeouts=timeouts)
    return WarehouseResource(url=url, timeouts=timeouts)


def stack_tier_io_managers(timeouts: ClientTimeouts | None = None) -> dict[str, Any]:
    """The tiers on the object store; the small tier is dagster-aws's S3 pickle manager."""
    endpoint_url = settings.s3_endpoint_url()
    timeouts = timeouts or ClientTimeouts()
    tiers = tier_io_managers(
        settings.stack_storage_url(),
        settings.parquet_compression(),
        endpoint_url=endpoint_url,
        timeouts=timeouts,
    )
    # Static keys through dg.EnvVar (never shown in the UI); without them boto3's default chain.
    static_keys = settings.static_s3_keys()
    s3_small = StackS3PickleIOManager(
        s3_resource=S3ClientResource(
            timeouts=timeouts,
            endpoint_url=endpoint_url,
            use_ssl=not (endpoint_url or "").startswith("http://"),
            aws_access_key_id=dg.EnvVar("AWS_ACCESS_KEY_ID") if static_keys else None,
            aws_secret_access_key=dg.EnvVar("AWS_SECRET_ACCESS_KEY") if static_keys else None,
        ),
        s3_bucket=settings.s3_bucket(),
        s3_prefix="storage/small",
    )
    return tiers | {"io_manager": s3_small, IO_MANAGER_KEYS[Tier.SMALL]: s3_small}


def tier_io_managers(
    base_url: str,
    compression: ParquetCompression = "zstd",
    endpoint_url: str | None = None,
    timeouts: ClientTimeouts | None = None,
) -> dict[str, Any]:
    """One I/O manager per tier under ``base_url``; the default ``io_manager`` is the small tier."""
    base_url = base_url.rstrip("/")
    timeouts = timeouts or ClientTimeouts()
    small = PickleIOManager(
        base_path=f"{base_url}/small", endpoint_url=endpoint_url, timeouts=timeouts
    )
    medium = ParquetIOManager(
        base_path=f"{base_url}/medium",
        compression=compression,
        endpoint_url=endpoint_url,
        timeouts=timeouts,
    )
    reference = ReferenceIOManager(
        base_path=f"{base_url}/reference", endpoint_url=endpoint_url, timeouts=timeouts
    )
    return {
        "io_manager": small,
        IO_MANAGER_KEYS[Tier.SMALL]: small,
        IO_MANAGER_KEYS[Tier.MEDIUM]: medium,
        IO_MANAGER_KEYS[Tier.TIME_SERIES]: TimeSeriesIOManager(
            base_path=f"{base_url}/time_series",
            compression=compression,
            endpoint_url=endpoint_url,
            timeouts=timeouts,
        ),
        IO_MANAGER_KEYS[Tier.REFERENCE]: reference,
        IO_MANAGER_KEYS[Tier.SIZE_ROUTER]: SizeRouterIOManager(
            base_path=f"{base_url}/size_router",
            endpoint_url=endpoint_url,
            timeouts=timeouts,
            small=small,
            medium=medium,
            reference=reference,
        ),
    }
