"""Reference tier (over about 1 GB): Dagster stores where the data lives, never the data.

Warehouse and Spark assets return a table name or a dataset URI; this manager writes it as a
small JSON document (followed by its SHA-256 line, ``digest.py``) and hands the same string to
downstream assets, which run their own SQL or Spark job against it. The bytes passing through
Dagster stay constant whatever the data size.
"""

import json
from typing import IO, Any, ClassVar

import dagster as dg

from dagster_project.io_managers.errors import UnsupportedValueError
from dagster_project.io_managers.tier_io_manager import TierIOManager


def reference_kind(reference: str) -> str:
    """'uri' for a dataset location such as s3://... or file://..., else 'table'."""
    return "uri" if "://" in reference else "table"


class ReferenceIOManager(TierIOManager):
    """Stores a table name or URI as ``<base>/<asset>[/<partition>].json``."""

    tier: ClassVar[str] = "reference"
    extension: ClassVar[str] = ".json"  # type: ignore[misc]  # see TierIOManager.extension
    digest_footer: ClassVar[bool] = True

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        if not isinstance(obj, str) or not obj.strip():
            raise UnsupportedValueError(
                context.asset_key, self.tier, "a non-empty table name or URI string", obj
            )
        document = {"reference": obj, "kind": reference_kind(obj)}
        with open(path, "w", encoding="utf-8") as file:
            json.dump(document, file)

    def read_value(self, context: dg.InputContext, file: IO[bytes]) -> str:
        reference = json.loads(file.read().decode("utf-8"))["reference"]
        if not isinstance(reference, str):
            raise TypeError(f"'reference' is {type(reference).__name__}, not a string")
        return reference

    def value_metadata(
        self, context: dg.OutputContext, obj: str, file_size_bytes: int, memory_size_bytes: int
    ) -> dict[str, Any]:
        kind = reference_kind(obj)
        return {
            "reference": obj,
            "reference_kind": kind,
            "data_location": dg.MetadataValue.url(obj) if kind == "uri" else obj,
            "storage_type": "reference_only",
            "dagster_bytes_stored": file_size_bytes,
        }
