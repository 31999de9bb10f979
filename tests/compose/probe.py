"""What the compose stack holds, read from inside the code-location container (piped to
``python -`` by ``ComposeStack.probe``), printed as one JSON line: the runs and the latest
materialization of each asset in the PostgreSQL instance (with the uniform performance metadata
it recorded), every object in the bucket with its
ETag, the row count of every warehouse table and view, and the lake's published datasets with
their bytes. The container has the stack's variables and the services' names; the test machine
reaches none of them."""

import json
import os
from pathlib import Path

import boto3
import dagster as dg
import sqlalchemy as sa

WAREHOUSE_SCHEMAS = ("raw", "analytics", "staging", "marts")


UNIFORM_METADATA = ("file_size_mb", "serialization_seconds", "memory_size_mb")


def instance_state() -> tuple[dict[str, str], dict[str, float], dict[str, dict]]:
    with dg.DagsterInstance.get() as instance:
        runs = {run.run_id: run.status.value for run in instance.get_runs()}
        keys = instance.get_asset_keys()
        latest = {
            key.to_user_string(): event
            for key, event in instance.get_latest_materialization_events(keys).items()
            if event is not None
        }
    materialized = {name: event.timestamp for name, event in latest.items()}
    metadata = {
        name: {
            key: getattr(entry, "value", None)
            for key, entry in event.asset_materialization.metadata.items()
            if key in UNIFORM_METADATA
        }
        for name, event in latest.items()
    }
    return runs, materialized, metadata


def bucket_objects() -> dict[str, str]:
    client = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name="us-east-1")
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=os.environ["S3_BUCKET"])
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def warehouse_rows() -> dict[str, int]:
    engine = sa.create_engine(os.environ["WAREHOUSE_URL"])
    try:
        inspector = sa.inspect(engine)
        rows = {}
        with engine.connect() as connection:
            for schema in WAREHOUSE_SCHEMAS:
                for name in inspector.get_table_names(schema) + inspector.get_view_names(schema):
                    count = connection.execute(sa.text(f'SELECT count(*) FROM "{schema}"."{name}"'))
                    rows[f"{schema}.{name}"] = count.scalar_one()
        return rows
    finally:
        engine.dispose()


def lake_datasets() -> dict[str, int]:
    lake = Path(os.environ["LAKE_URL"].removeprefix("file://"))
    return {
        str(marker.parent.relative_to(lake)): sum(
            file.stat().st_size for file in marker.parent.iterdir()
        )
        for marker in lake.rglob("_SUCCESS")
    }


runs, materialized, metadata = instance_state()
print(
    json.dumps(
        {
            "runs": runs,
            "materialized": materialized,
            "metadata": metadata,
            "objects": bucket_objects(),
            "warehouse": warehouse_rows(),
            "lake": lake_datasets(),
        }
    )
)
