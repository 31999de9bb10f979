"""Settings read from the environment when the definitions load, each checked with a clear message.

Every variable has one meaning in every environment (shell, compose, the native stack, CI);
docs/configuration.md lists them in one table.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import get_args

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dagster_project.client_timeouts import (
    DEFAULT_ATTEMPTS,
    DEFAULT_CONNECT_SECONDS,
    DEFAULT_READ_SECONDS,
    ClientTimeouts,
)
from dagster_project.io_managers.medium import ParquetCompression
from dagster_project.resources.queue_thresholds import (
    DEFAULT_HELD_SLOT_MINUTES,
    DEFAULT_QUEUED_RUN_MINUTES,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
LOCAL_STATE_DIR = REPOSITORY_ROOT / ".local"

DEPLOYMENTS = ("local", "stack")


class SettingsError(ValueError):
    """An environment variable holds a value the code location cannot use."""


def deployment(environ: Mapping[str, str] = os.environ) -> str:
    """``DAGSTER_DEPLOYMENT``: which resource set to build (default ``local``)."""
    value = environ.get("DAGSTER_DEPLOYMENT", "").strip() or "local"
    if value not in DEPLOYMENTS:
        raise SettingsError(
            f"DAGSTER_DEPLOYMENT='{value}' is not a deployment of this code location. "
            f"Valid values: {', '.join(DEPLOYMENTS)} (unset means 'local')."
        )
    return value


def data_scale(environ: Mapping[str, str] = os.environ) -> float:
    """``DATA_SCALE``: multiplies every synthetic generator's row count (default 1.0)."""
    raw = environ.get("DATA_SCALE", "").strip() or "1"
    try:
        scale = float(raw)
    except ValueError:
        scale = float("nan")
    if not scale > 0 or scale == float("inf"):
        raise SettingsError(
            f"DATA_SCALE='{raw}' must be a positive number: 1 gives the documented sizes, "
            "0.01 a hundredth of them (what the tests use)."
        )
    return scale


def storage_url(environ: Mapping[str, str] = os.environ) -> str:
    """``STORAGE_URL``: base folder or s3:// URL of the tier I/O managers."""
    return environ.get("STORAGE_URL", "").strip() or str(LOCAL_STATE_DIR / "storage")


def parquet_compression(environ: Mapping[str, str] = os.environ) -> ParquetCompression:
    """``PARQUET_COMPRESSION``: codec of the medium and time-series tiers (default ``zstd``)."""
    value = environ.get("PARQUET_COMPRESSION", "").strip() or "zstd"
    codecs = get_args(ParquetCompression)
    if value not in codecs:
        raise SettingsError(
            f"PARQUET_COMPRESSION='{value}' is not a supported Parquet codec. "
            f"Valid values: {', '.join(codecs)}."
        )
    return value  # type: ignore[return-value]


WAREHOUSE_BACKENDS = ("duckdb", "postgresql")


def warehouse_url(environ: Mapping[str, str] = os.environ) -> str:
    """``WAREHOUSE_URL``: SQLAlchemy URL of the warehouse (default: a DuckDB file, local only)."""
    value = environ.get("WAREHOUSE_URL", "").strip()
    if not value:
        if deployment(environ) == "stack":
            raise SettingsError(
                "WAREHOUSE_URL must be set for DAGSTER_DEPLOYMENT=stack, for example "
                "postgresql+psycopg2://USER:PASSWORD@HOST:5432/DATABASE (see .env.example)."
            )
        return f"duckdb:///{LOCAL_STATE_DIR / 'warehouse.duckdb'}"
    shown = value.split("://", 1)[0] + "://..." if "://" in value else "(not a URL)"
    try:
        url = make_url(value)
        backend, port = url.get_backend_name(), url.port
    except (ArgumentError, ValueError):
        raise SettingsError(
            f"WAREHOUSE_URL={shown} is not a supported warehouse URL (a port must be a "
            "number): use duckdb:///path/file.duckdb or "
            "postgresql+psycopg2://USER:PASSWORD@HOST:5432/DATABASE."
        ) from None
    if backend not in WAREHOUSE_BACKENDS:
        raise SettingsError(
            f"WAREHOUSE_URL={shown} is not a supported warehouse: use duckdb:///path/file.duckdb "
            "or postgresql+psycopg2://USER:PASSWORD@HOST:PORT/DATABASE."
        )
    if backend == "duckdb" and not url.database:
        raise SettingsError(
            f"WAREHOUSE_URL={shown} names no DuckDB file: use duckdb:///path/file.duckdb."
        )
    if backend == "postgresql" and (not url.database or not 0 < (port or 5432) < 2**16):
        raise SettingsError(
            f"WAREHOUSE_URL={shown} needs a database and a port from 1 to 65535 (or none, for "
            "5432): postgresql+psycopg2://USER:PASSWORD@HOST:5432/DATABASE."
        )
    return value


# The master URLs Spark accepts here: local, local[N], local[*], local[N,F], local[*,F], and
# spark://HOST:PORT with more masters after commas (standby masters).
LOCAL_MASTER = re.compile(r"local(\[([1-9][0-9]*|\*)(,[0-9]+)?\])?")
STANDALONE_MASTER = re.compile(r"spark://[A-Za-z0-9.-]+:[0-9]{1,5}(,[A-Za-z0-9.-]+:[0-9]{1,5})*")


def spark_master_url(environ: Mapping[str, str] = os.environ) -> str:
    """``SPARK_MASTER_URL``: ``local[*]`` (default) or a standalone master ``spark://HOST:PORT``."""
    value = environ.get("SPARK_MASTER_URL", "").strip() or "local[*]"
    ports = [int(port) for port in re.findall(r":([0-9]+)", value)]
    valid = LOCAL_MASTER.fullmatch(value) or (
        STANDALONE_MASTER.fullmatch(value) and all(0 < port < 2**16 for port in ports)
    )
    if not valid:
        raise SettingsError(
            f"SPARK_MASTER_URL='{value}' is not a Spark master this code location runs on: use "
            "local, local[N], local[*] or local[N,F] (the default is local[*]), or "
            "spark://HOST:PORT of a standalone cluster, for example spark://spark-master:7077."
        )
    return value


LOCAL_LAKE = re.compile(r"file:///[^/\s][^\s]*")
S3A_LAKE = re.compile(r"s3a://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?")


def lake_url(environ: Mapping[str, str] = os.environ) -> str:
    """``LAKE_URL``: where Spark writes its Parquet datasets (default: ``file://`` and the absolute
    path of the checkout's ``.local/lake``)."""
    value = environ.get("LAKE_URL", "").strip() or f"file://{LOCAL_STATE_DIR / 'lake'}"
    if not (LOCAL_LAKE.fullmatch(value) or S3A_LAKE.fullmatch(value)):
        raise SettingsError(
            f"LAKE_URL='{value}' must be file:///absolute/folder (for example "
            "file:///var/lib/lake) or s3a://bucket/prefix with a bucket name of 3 to 63 "
            "lowercase letters, digits, dots and hyphens (for example s3a://dagster/lake; s3a:// "
            "needs the hadoop-aws jars, see docs/spark.md)."
        )
    return value.rstrip("/")


def spark_class_archive_folder(environ: Mapping[str, str] = os.environ) -> str:
    """``SPARK_CLASS_ARCHIVE_DIR``: where the Spark driver's class-data archive is looked for and
    built (default: the checkout's ``.local/spark-class-archive``); without an archive there,
    Spark starts as usual."""
    return environ.get("SPARK_CLASS_ARCHIVE_DIR", "").strip() or str(
        LOCAL_STATE_DIR / "spark-class-archive"
    )


def required(name: str, example: str, environ: Mapping[str, str] = os.environ) -> str:
    """A variable the stack cannot run without."""
    value = environ.get(name, "").strip()
    if not value:
        raise SettingsError(
            f"{name} must be set for DAGSTER_DEPLOYMENT=stack, for example {example} "
            "(see .env.example)."
        )
    return value


def s3_endpoint_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """``S3_ENDPOINT_URL``: an S3-compatible object store (MinIO, SeaweedFS); unset means AWS S3
    itself, in ``AWS_DEFAULT_REGION``. TLS follows the scheme: ``https://`` on, ``http://`` off."""
    value = environ.get("S3_ENDPOINT_URL", "").strip()
    if not value:
        return None
    if not re.fullmatch(r"https?://[^/\s:]+(:[0-9]{1,5})?/?", value):
        raise SettingsError(
            f"S3_ENDPOINT_URL='{value}' must be http://HOST[:PORT] or https://HOST[:PORT], for "
            "example http://minio:9000; leave it unset for AWS S3 itself (with AWS_DEFAULT_REGION)."
        )
    return value.rstrip("/")


def aws_region(environ: Mapping[str, str] = os.environ) -> str | None:
    """``AWS_DEFAULT_REGION``: the region of AWS S3 itself. Every boto3 client reads it on its
    own (as it reads a profile's region); Spark's s3a connector is given it explicitly."""
    value = environ.get("AWS_DEFAULT_REGION", "").strip()
    if value and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]+", value):
        raise SettingsError(
            f"AWS_DEFAULT_REGION='{value}' is not an AWS region, for example eu-west-1."
        )
    return value or None


def s3_bucket(environ: Mapping[str, str] = os.environ) -> str:
    """``S3_BUCKET``: the bucket holding the tier I/O managers' values in the stack."""
    return required("S3_BUCKET", "dagster", environ)


def static_s3_keys(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` are set (both or neither):
    without them every client uses boto3's default chain (profile, IAM role, web identity)."""
    present = [bool(environ.get(name, "").strip()) for name in AWS_KEY_NAMES]
    if any(present) and not all(present):
        missing = [name for name, set_ in zip(AWS_KEY_NAMES, present, strict=True) if not set_]
        raise SettingsError(
            f"{missing[0]} must be set with the other key, or neither for boto3's default "
            "credential chain (profile, IAM role, web identity)."
        )
    return all(present)


AWS_KEY_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def stack_storage_url(environ: Mapping[str, str] = os.environ) -> str:
    """Where the stack's tiers store values: ``STORAGE_URL`` or ``s3://<S3_BUCKET>/storage``."""
    static_s3_keys(environ)
    value = environ.get("STORAGE_URL", "").strip()
    return value or f"s3://{s3_bucket(environ)}/storage"


AUTOMATION_STATES = ("stopped", "running")


def automation_default_status(environ: Mapping[str, str] = os.environ) -> str:
    """``AUTOMATION``: whether schedules and sensors start running (``running``) or wait to be
    switched on in the UI (``stopped``, the default, so a laptop never launches runs unasked)."""
    value = environ.get("AUTOMATION", "").strip().lower() or "stopped"
    if value not in AUTOMATION_STATES:
        raise SettingsError(
            f"AUTOMATION='{value}' is not a valid value. Valid values: "
            f"{', '.join(AUTOMATION_STATES)}."
        )
    return value


MAXIMUM_ATTEMPTS = 10


def client_timeouts(environ: Mapping[str, str] = os.environ) -> ClientTimeouts:
    """The limits of every network client (see :mod:`dagster_project.client_timeouts`):
    ``CLIENT_CONNECT_TIMEOUT_SECONDS`` (whole seconds, as libpq counts them),
    ``CLIENT_READ_TIMEOUT_SECONDS`` and ``CLIENT_ATTEMPTS`` (the first try included)."""
    return ClientTimeouts(
        connect_seconds=_positive(
            environ, "CLIENT_CONNECT_TIMEOUT_SECONDS", DEFAULT_CONNECT_SECONDS, "a whole number"
        ),
        read_seconds=_positive(environ, "CLIENT_READ_TIMEOUT_SECONDS", DEFAULT_READ_SECONDS),
        attempts=int(
            _positive(
                environ, "CLIENT_ATTEMPTS", DEFAULT_ATTEMPTS, "a whole number", MAXIMUM_ATTEMPTS
            )
        ),
    )


def _positive(
    environ: Mapping[str, str],
    name: str,
    default: float,
    kind: str = "a number",
    maximum: float = float("inf"),
) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    whole = kind == "a whole number"
    if not 0 < value <= maximum or value == float("inf") or (whole and not value.is_integer()):
        limit = f" up to {maximum:g}" if maximum < float("inf") else ""
        raise SettingsError(
            f"{name}='{raw}' must be {kind} above 0{limit}, for example {default:g}."
        )
    return value


def alert_queued_run_minutes(environ: Mapping[str, str] = os.environ) -> float:
    """``ALERT_QUEUED_RUN_MINUTES``: minutes a run may wait in the queue before an alert."""
    return _positive(environ, "ALERT_QUEUED_RUN_MINUTES", DEFAULT_QUEUED_RUN_MINUTES)


def alert_held_slot_minutes(environ: Mapping[str, str] = os.environ) -> float:
    """``ALERT_HELD_SLOT_MINUTES``: minutes a pool slot may stay claimed by a run that ended
    before an alert."""
    return _positive(environ, "ALERT_HELD_SLOT_MINUTES", DEFAULT_HELD_SLOT_MINUTES)


EMAIL_ADDRESS = re.compile(r"[^@\s,]+@[^@\s,]+")


def alert_webhook_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """``ALERT_WEBHOOK_URL``: a Slack-compatible incoming webhook for alerts (unset: none). It
    holds a token, so no message ever shows more than its host."""
    value = environ.get("ALERT_WEBHOOK_URL", "").strip()
    if value and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise SettingsError(
            "ALERT_WEBHOOK_URL must be an http:// or https:// URL, for example "
            "https://hooks.slack.com/services/T000/B000/XXXX (the value is not shown: it is a "
            "secret)."
        )
    return value or None


def alert_email_to(environ: Mapping[str, str] = os.environ) -> list[str]:
    """``ALERT_EMAIL_TO``: comma-separated addresses that receive alerts by email (needs
    ``SMTP_HOST``; unset: no email)."""
    raw = environ.get("ALERT_EMAIL_TO", "").strip()
    addresses = [address.strip() for address in raw.split(",") if address.strip()]
    for address in addresses:
        if not EMAIL_ADDRESS.fullmatch(address):
            raise SettingsError(
                f"ALERT_EMAIL_TO holds '{address}', which is not an email address: use "
                "name@example.com, with commas between several."
            )
    if addresses and not environ.get("SMTP_HOST", "").strip():
        raise SettingsError("ALERT_EMAIL_TO needs SMTP_HOST, the mail server to send through.")
    return addresses


def smtp_port(environ: Mapping[str, str] = os.environ) -> int:
    """``SMTP_PORT``: the mail server's port (default 25; 587 with ``SMTP_USER`` for STARTTLS)."""
    raw = environ.get("SMTP_PORT", "").strip() or "25"
    if not raw.isdigit() or not 0 < int(raw) < 2**16:
        raise SettingsError(f"SMTP_PORT='{raw}' must be a port from 1 to 65535, for example 587.")
    return int(raw)


def webserver_url(environ: Mapping[str, str] = os.environ) -> str:
    """``DAGSTER_WEBSERVER_URL``: the UI's address as people open it, for the links in alerts
    (default ``http://127.0.0.1:<DAGSTER_WEBSERVER_PORT or 3000>``)."""
    port = environ.get("DAGSTER_WEBSERVER_PORT", "").strip() or "3000"
    value = environ.get("DAGSTER_WEBSERVER_URL", "").strip() or f"http://127.0.0.1:{port}"
    if not re.fullmatch(r"https?://\S+", value):
        raise SettingsError(
            f"DAGSTER_WEBSERVER_URL='{value}' must be an http:// or https:// URL, for example "
            "https://dagster.example.com."
        )
    return value.rstrip("/")
