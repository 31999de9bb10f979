"""Size router: measures each value and stores it in the small (pickle) or medium (Parquet) tier.

For groups whose outputs range from kilobytes to hundreds of megabytes. A string is a reference
to data kept elsewhere (a warehouse table, a lake URI) and goes to the reference tier. The route
chosen for each asset and partition is written to a small route record (JSON and its SHA-256
line) *after* the value is safely in its tier, and loads always follow the record. So:

- a load returns the latest materialization even when the route changed since the last one;
- a write killed before its record is written leaves the record pointing at the previous value,
  which is still intact in its own tier;
- once the record moved, the copy in the previous tier is deleted, so no stale copy can be read.

Two processes may write the same asset at once, one value routed to each tier. On a local
folder a write (value, record, stale copy) holds an exclusive lock on the record's folder and a
load (record, value) a shared one, so a route change can never delete the file the record names.
Object stores have no such lock: there the stale copy is left in place; loads follow the record,
so it is never read.

Nothing is kept in process memory: every step and every process sees the same records.
"""

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterator
from typing import IO, Any, ClassVar

import dagster as dg
import pandas as pd
from pydantic import Field, model_validator
from upath import UPath

from dagster_project.io_managers.atomic_write import is_local, local_path
from dagster_project.io_managers.digest import verified_payload
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.tier_io_manager import READ_ATTEMPTS, TierIOManager
from dagster_project.monitoring.step_meter import value_size_bytes


class SizeRouterIOManager(TierIOManager):
    """Routes DataFrames by in-memory size, strings to the reference tier, the rest to small."""

    small: PickleIOManager = Field(description="Tier for values under small_threshold_mb.")
    medium: ParquetIOManager = Field(description="Tier for DataFrames at or above it.")
    reference: ReferenceIOManager = Field(description="Tier for table names and dataset URIs.")
    small_threshold_mb: float = Field(
        default=50.0, gt=0, description="DataFrames smaller than this go to the small tier."
    )
    large_threshold_mb: float = Field(
        default=500.0,
        gt=0,
        description="Above this a warning suggests the warehouse or Spark tier.",
    )

    tier: ClassVar[str] = "size router"
    extension: ClassVar[str] = ".route.json"  # type: ignore[misc]  # see TierIOManager.extension
    digest_footer: ClassVar[bool] = True

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> "SizeRouterIOManager":
        if self.small_threshold_mb > self.large_threshold_mb:
            raise ValueError(
                f"small_threshold_mb ({self.small_threshold_mb}) must not exceed "
                f"large_threshold_mb ({self.large_threshold_mb})."
            )
        return self

    def choose_tier(self, obj: Any) -> tuple[str, float | None]:
        """The tier name for ``obj`` and its measured size in MB (None when not a DataFrame)."""
        if isinstance(obj, str):
            return self.reference.tier, None
        if not isinstance(obj, pd.DataFrame):
            return self.small.tier, None
        size_mb = value_size_bytes(obj) / 2**20
        return (self.small.tier if size_mb < self.small_threshold_mb else self.medium.tier), size_mb

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        record_path = self.output_path(context)
        with self.storage_errors_named(self.base_upath), _folder_lock(record_path, exclusive=True):
            self._route_output(context, obj, record_path)

    def _route_output(self, context: dg.OutputContext, obj: Any, record_path: UPath) -> None:
        tier_name, size_mb = self.choose_tier(obj)
        tier = self._tier(tier_name)
        previous = self._read_record_if_any(record_path)

        tier.handle_output(context, obj)
        stored_at = _relative(tier.output_path(context), tier.base_upath)
        self.write_file(context, {"tier": tier_name, "path": stored_at}, record_path)

        route = (tier_name, stored_at)
        moved = previous is not None and (previous["tier"], previous["path"]) != route
        # under the folder lock (see the module docstring)
        if previous is not None and moved and is_local(record_path):
            self._delete_stale_copy(context, previous)

        if size_mb is not None and size_mb > self.large_threshold_mb:
            context.log.warning(
                f"{context.asset_key.to_user_string()} is {size_mb:.0f} MB in memory, above "
                f"large_threshold_mb={self.large_threshold_mb:.0f}: consider the warehouse or "
                "Spark tier, which keep the data out of Dagster's process."
            )
        context.add_output_metadata(
            {
                "storage_tier": tier_name,
                "measured_size_mb": round(size_mb, 3) if size_mb is not None else None,
                "small_threshold_mb": self.small_threshold_mb,
                "large_threshold_mb": self.large_threshold_mb,
                "size_warning": bool(size_mb is not None and size_mb > self.large_threshold_mb),
                "route_record": dg.MetadataValue.path(str(record_path)),
            }
        )

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        with open(path, "w", encoding="utf-8") as file:
            json.dump(obj, file)

    def read_value(self, context: dg.InputContext, file: IO[bytes]) -> dict[str, str]:
        return self._parse_record(file.read())

    def _parse_record(self, raw: bytes | memoryview) -> dict[str, str]:
        record = json.loads(bytes(raw).decode("utf-8"))
        return {"tier": self._tier(record["tier"]).tier, "path": str(record["path"])}

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        with _folder_lock(path, exclusive=False):
            record = super().load_from_path(context, path)
            tier = self._tier(record["tier"])
            return tier.load_from_path(context, tier.base_upath / record["path"])

    def _tier(self, name: str) -> TierIOManager:
        tiers: dict[str, TierIOManager] = {
            tier.tier: tier for tier in (self.small, self.medium, self.reference)
        }
        if name not in tiers:
            raise KeyError(
                f"unknown tier '{name}' in route record; expected one of {sorted(tiers)}"
            )
        return tiers[name]

    def _read_record_if_any(self, record_path: UPath) -> dict[str, str] | None:
        """The current record, or None when there is none, it is damaged, or another writer
        keeps replacing it (then the previous copy is unknown and stays where it is; loads
        follow the new record)."""
        for _ in range(READ_ATTEMPTS):
            try:
                return self._parse_record(verified_payload(record_path.read_bytes()))
            except FileNotFoundError:
                return None
            except (ValueError, KeyError, TypeError):  # damaged (DamagedFileError) or undecodable
                return None
            except OSError as error:
                if error.errno != errno.EBUSY:  # s3fs's FileExpired: replaced while read
                    raise
        return None

    def _delete_stale_copy(self, context: dg.OutputContext, previous: dict[str, str]) -> None:
        stale = self._tier(previous["tier"]).base_upath / previous["path"]
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
        context.log.info(f"Route changed: deleted the stale {previous['tier']} copy at {stale}.")


@contextlib.contextmanager
def _folder_lock(record_path: UPath, exclusive: bool) -> Iterator[None]:
    """``flock`` on the folder of a local record (no lock file to leave behind); nothing on an
    object store. The kernel drops the lock of a killed process."""
    if not is_local(record_path):
        yield
        return
    folder = local_path(record_path).parent
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _relative(path: UPath, base: UPath) -> str:
    """``path`` relative to ``base``, so a record survives moving the base folder."""
    full, prefix = path.path.rstrip("/"), base.path.rstrip("/")
    if not full.startswith(prefix + "/"):
        raise ValueError(f"{path} is not under {base}")
    return full[len(prefix) + 1 :]
