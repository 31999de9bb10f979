"""One I/O case (a way of storing the benchmark frame) measured from inside a fresh process.

A case is written in one process and read in another, so neither phase inherits the other's
heap: the write process builds the frame and stores it, the read process starts without it. In
each, the memory high-water mark is reset just before the phase and read just after it:

- write: peak minus the RSS with the frame already built = memory the write needs on top of
  the object;
- read: peak minus the RSS before the read = the object it returns plus what the read needs on
  top; the report subtracts the object's resident size measured in the write process.

Before a read, the stored file's pages are flushed and dropped from the page cache
(``posix_fadvise(DONTNEED)``), so local reads come from the disk, as in a step that runs long
after its upstream. Project tiers and Dagster's stock managers are driven through Dagster's I/O
manager interface (``handle_output`` / ``load_input`` with an asset key), exactly as a run does.
"""

import contextlib
import importlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import numpy as np
import pandas as pd

from benchmarks import memory
from benchmarks.frames import DAY, frame_bytes, mixed_frame

ASSET_KEY = dg.AssetKey(["benchmark", "mixed_frame"])
DAILY = dg.DailyPartitionsDefinition(start_date=DAY)
CODECS = ("zstd", "snappy", "lz4", "gzip", "brotli", "none")
CHUNK_BYTES = 8 * 2**20
# a case whose process switches pyarrow from mimalloc to the C library's malloc, as
# ARROW_DEFAULT_MEMORY_POOL=system does for a whole deployment
SYSTEM_ALLOCATOR = "_system_allocator"


@dataclass(frozen=True)
class CaseSpec:
    """Everything a fresh process needs to run one phase of one case."""

    case: str
    storage: str  # "local" or "s3"
    location: str  # a local folder, or the s3://bucket/prefix of this case
    rows: int
    s3_endpoint_url: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    strings: str = "object"  # the frame's string columns: "object" or "arrow" (frames.py)

    @property
    def bucket(self) -> str:
        return self.location.removeprefix("s3://").split("/", 1)[0]

    @property
    def prefix(self) -> str:
        return self.location.removeprefix("s3://").split("/", 1)[1]


@dataclass
class PhaseResult:
    """What one phase measured, in seconds and bytes.

    ``peak_above_baseline_bytes`` is the high-water mark minus the settled RSS just before the
    measured call. ``resident_object_bytes`` (write only) is how much the settled RSS grew when
    the value was built: the object's true footprint, which ``value_bytes`` (pandas' deep count)
    overstates for strings shared between rows.
    """

    seconds: float
    peak_above_baseline_bytes: int
    value_bytes: int
    resident_object_bytes: int | None = None
    stored_bytes: int | None = None


# ---- Dagster I/O managers -------------------------------------------------------------------


def io_manager(spec: CaseSpec) -> dg.ConfigurableIOManagerFactory | dg.ConfigurableIOManager:
    """The I/O manager of a managed case, configured as the project configures it."""
    from dagster_project.io_managers.medium import ParquetIOManager
    from dagster_project.io_managers.reference import ReferenceIOManager
    from dagster_project.io_managers.size_router import SizeRouterIOManager
    from dagster_project.io_managers.small import PickleIOManager
    from dagster_project.io_managers.time_series import TimeSeriesIOManager

    base = spec.location.rstrip("/")
    endpoint = spec.s3_endpoint_url if spec.storage == "s3" else None
    if spec.case == "stock":
        if spec.storage == "local":
            return dg.FilesystemIOManager(base_dir=base)
        from dagster_aws.s3 import S3PickleIOManager, S3Resource

        return S3PickleIOManager(
            s3_resource=S3Resource(
                endpoint_url=spec.s3_endpoint_url,
                aws_access_key_id=spec.s3_access_key,
                aws_secret_access_key=spec.s3_secret_key,
                region_name="us-east-1",
            ),
            s3_bucket=spec.bucket,
            s3_prefix=spec.prefix,
        )
    if spec.case == "small":
        return PickleIOManager(base_path=base, endpoint_url=endpoint)
    if spec.case.endswith("_unchecked"):
        return _unchecked_tier(spec.case)(base_path=base, endpoint_url=endpoint)
    if spec.case.startswith("medium_"):
        codec = spec.case.removeprefix("medium_").removesuffix(SYSTEM_ALLOCATOR)
        return ParquetIOManager(base_path=base, compression=codec, endpoint_url=endpoint)
    if spec.case == "time_series":
        return TimeSeriesIOManager(base_path=base, endpoint_url=endpoint)
    if spec.case == "size_router":
        return SizeRouterIOManager(
            base_path=f"{base}/size_router",
            endpoint_url=endpoint,
            small=PickleIOManager(base_path=f"{base}/small", endpoint_url=endpoint),
            medium=ParquetIOManager(base_path=f"{base}/medium", endpoint_url=endpoint),
            reference=ReferenceIOManager(base_path=f"{base}/reference", endpoint_url=endpoint),
        )
    raise ValueError(f"unknown managed case {spec.case!r}")


def _unchecked_tier(case: str) -> type:
    """The small or medium tier without its integrity checks, to price those checks."""
    from dagster_project.io_managers.medium import ParquetIOManager
    from dagster_project.io_managers.small import PickleIOManager

    class PickleWithoutDigest(PickleIOManager):
        digest_footer = False

    class ParquetWithoutPageChecksums(ParquetIOManager):
        page_checksums = False

    return {
        "small_unchecked": PickleWithoutDigest,
        "medium_zstd_unchecked": ParquetWithoutPageChecksums,
    }[case]


def _partition(spec: CaseSpec) -> dict[str, Any]:
    if spec.case == "time_series":
        return {"partition_key": DAY, "asset_partitions_def": DAILY}
    return {}


@contextlib.contextmanager
def managed_action(spec: CaseSpec, phase: str, value: Any = None) -> Iterator[Callable[[], Any]]:
    """The manager's ``handle_output`` or ``load_input``, ready to call: resources and contexts
    are built outside the measured call, as a run builds them once per step."""
    with dg.build_resources({"io_manager": io_manager(spec)}) as resources:
        manager = resources.io_manager
        if phase == "write":
            output = dg.build_output_context(asset_key=ASSET_KEY, **_partition(spec))
            yield lambda: manager.handle_output(output, value)
        else:
            load = dg.build_input_context(
                asset_key=ASSET_KEY,
                dagster_type=dg.PythonObjectDagsterType(pd.DataFrame),
                **_partition(spec),
            )
            yield lambda: manager.load_input(load)


# ---- the bounds: Arrow IPC and raw bytes ----------------------------------------------------


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def arrow_ipc_write(spec: CaseSpec, frame: pd.DataFrame) -> None:
    import pyarrow as pa
    import pyarrow.feather as feather

    path = Path(spec.location) / "frame.arrow"
    path.parent.mkdir(parents=True, exist_ok=True)
    feather.write_feather(pa.Table.from_pandas(frame), path, compression="uncompressed")
    _fsync(path)


def arrow_ipc_read(spec: CaseSpec) -> pd.DataFrame:
    import pyarrow.feather as feather

    return feather.read_table(Path(spec.location) / "frame.arrow", memory_map=False).to_pandas()


def plain_pyarrow_write(spec: CaseSpec, frame: pd.DataFrame) -> None:
    """``pq.write_table`` with the medium tier's default codec and pyarrow's own defaults for
    everything else (level, dictionaries, one pass over the whole frame, no fsync)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(spec.location) / "frame.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame), path, compression="zstd")


def plain_pyarrow_read(spec: CaseSpec) -> pd.DataFrame:
    """``pq.read_table(...).to_pandas()`` with strings mapped to ``pd.StringDtype("pyarrow")``,
    as the medium tier loads them by default."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_strings = {
        pa.string(): pd.StringDtype("pyarrow"),
        pa.large_string(): pd.StringDtype("pyarrow"),
    }
    table = pq.read_table(Path(spec.location) / "frame.parquet")
    return table.to_pandas(types_mapper=arrow_strings.get)


def raw_buffer(size: int) -> np.ndarray:
    """Incompressible bytes standing in for the frame in the raw-bandwidth bound."""
    return np.random.default_rng(0).integers(0, 256, size, dtype=np.uint8)


def raw_disk_write(spec: CaseSpec, buffer: np.ndarray) -> None:
    path = Path(spec.location) / "frame.bytes"
    path.parent.mkdir(parents=True, exist_ok=True)
    view = memoryview(buffer)
    with open(path, "wb", buffering=0) as file:
        for start in range(0, len(view), CHUNK_BYTES):
            file.write(view[start : start + CHUNK_BYTES])
        os.fsync(file.fileno())


def raw_disk_read(spec: CaseSpec) -> np.ndarray:
    path = Path(spec.location) / "frame.bytes"
    buffer = np.empty(path.stat().st_size, dtype=np.uint8)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as file:
        position = 0
        while position < len(view):
            read = file.readinto(view[position : position + CHUNK_BYTES])
            if not read:
                raise EOFError(f"{path} ended at byte {position} of {len(view)}")
            position += read
    return buffer


def _s3_client(spec: CaseSpec):
    from deploy.object_store import s3_client

    return s3_client(spec.s3_endpoint_url, spec.s3_access_key, spec.s3_secret_key)


def raw_s3_write(spec: CaseSpec, buffer: np.ndarray) -> None:
    import io

    # boto3's managed upload (multipart, threads): the best a Python client gets from the store
    _s3_client(spec).upload_fileobj(
        io.BytesIO(memoryview(buffer)), spec.bucket, f"{spec.prefix}/frame.bytes"
    )


def raw_s3_read(spec: CaseSpec) -> np.ndarray:
    body = _s3_client(spec).get_object(Bucket=spec.bucket, Key=f"{spec.prefix}/frame.bytes")
    return np.frombuffer(body["Body"].read(), dtype=np.uint8)


# modules the phases import lazily, found by comparing sys.modules before and after each phase
PHASE_MODULES = (
    "numpy.rec",
    "pyarrow.dataset",
    "pyarrow.feather",
    "pyarrow.parquet",
    "pyarrow.vendored.version",
    "upath.implementations.local",
    "dagster_project.io_managers.size_router",
    "dagster_project.io_managers.time_series",
)
S3_MODULES = ("s3fs", "dagster_aws.s3")

# ---- which cases exist where -----------------------------------------------------------------

MANAGED_LOCAL = (
    "stock",
    "small",
    "small_unchecked",
    *(f"medium_{codec}" for codec in CODECS),
    "medium_zstd_unchecked",
    f"medium_zstd{SYSTEM_ALLOCATOR}",
    "time_series",
    "size_router",
)
MANAGED_S3 = ("stock", "small", "medium_zstd", "time_series", "size_router")
# the frame with Arrow-backed strings: each tier at its defaults, the baseline and the bounds
MANAGED_ARROW_STRINGS = ("stock", "small", "medium_zstd", "time_series", "size_router")
RAW_CASES: dict[str, tuple[Callable, Callable]] = {
    "raw_disk": (raw_disk_write, raw_disk_read),
    "raw_s3": (raw_s3_write, raw_s3_read),
}
FRAME_CASES: dict[str, tuple[Callable, Callable]] = {
    "arrow_ipc": (arrow_ipc_write, arrow_ipc_read),
    "plain_pyarrow": (plain_pyarrow_write, plain_pyarrow_read),
}
BOUND_CASES = {"local": ("arrow_ipc", "plain_pyarrow", "raw_disk"), "s3": ("raw_s3",)}


def cases_for(storage: str, strings: str = "object") -> tuple[str, ...]:
    """Every case measured on ``storage`` for a frame of ``strings``, the baseline first."""
    if strings == "arrow":
        return (*MANAGED_ARROW_STRINGS, "arrow_ipc", "plain_pyarrow") if storage == "local" else ()
    managed = MANAGED_LOCAL if storage == "local" else MANAGED_S3
    return (*managed, *BOUND_CASES[storage])


# ---- the phases --------------------------------------------------------------------------------


def stored_bytes(spec: CaseSpec) -> int:
    """Bytes the case left on its storage (every file or object under its location)."""
    if spec.storage == "s3":
        pages = _s3_client(spec).get_paginator("list_objects_v2")
        return sum(
            item["Size"]
            for page in pages.paginate(Bucket=spec.bucket, Prefix=f"{spec.prefix}/")
            for item in page.get("Contents", [])
        )
    return sum(path.stat().st_size for path in Path(spec.location).rglob("*") if path.is_file())


def drop_from_page_cache(spec: CaseSpec) -> None:
    """Flush the case's local files and evict them from the page cache, so a read hits disk."""
    if spec.storage != "local":
        return
    for path in Path(spec.location).rglob("*"):
        if path.is_file():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def _value_bytes(value: Any) -> int:
    return value.nbytes if isinstance(value, np.ndarray) else frame_bytes(value)


@contextlib.contextmanager
def action(spec: CaseSpec, phase: str, value: Any = None) -> Iterator[Callable[[], Any]]:
    """The one call a phase measures, for any case."""
    if spec.case in RAW_CASES:
        write, read = RAW_CASES[spec.case]
        yield (lambda: write(spec, value)) if phase == "write" else (lambda: read(spec))
    elif spec.case in FRAME_CASES:
        write, read = FRAME_CASES[spec.case]
        yield (lambda: write(spec, value)) if phase == "write" else (lambda: read(spec))
    else:
        with managed_action(spec, phase, value) as call:
            yield call


def measure(call: Callable[[], Any]) -> tuple[Any, float, int, int]:
    """Run ``call`` once: its result, seconds, the settled RSS before it and the peak RSS."""
    baseline = memory.settled_resident_bytes()
    memory.reset_high_water_mark()
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    return result, seconds, baseline, memory.high_water_mark_bytes()


def run_write(spec: CaseSpec) -> PhaseResult:
    """Build the frame (or the raw buffer of its size), then store it, measuring only the store."""
    mixed_frame(1_000, strings=spec.strings)  # first-use allocations are not the object's size
    before = memory.settled_resident_bytes()
    value: Any = mixed_frame(spec.rows, strings=spec.strings)
    if spec.case in RAW_CASES:
        value = raw_buffer(frame_bytes(value))
    with action(spec, "write", value) as call:
        _, seconds, baseline, peak = measure(call)
    return PhaseResult(
        seconds=seconds,
        peak_above_baseline_bytes=peak - baseline,
        value_bytes=_value_bytes(value),
        resident_object_bytes=baseline - before,
        stored_bytes=stored_bytes(spec),
    )


def run_read(spec: CaseSpec) -> PhaseResult:
    """Load the stored value into a process that never held it; check it is the frame."""
    drop_from_page_cache(spec)
    with action(spec, "read") as call:
        value, seconds, baseline, peak = measure(call)
    if not isinstance(value, np.ndarray):
        _check_round_trip(spec, value)
    return PhaseResult(
        seconds=seconds, peak_above_baseline_bytes=peak - baseline, value_bytes=_value_bytes(value)
    )


def _check_round_trip(spec: CaseSpec, loaded: pd.DataFrame) -> None:
    expected = mixed_frame(spec.rows, strings=spec.strings)
    if list(loaded.columns) != list(expected.columns) or len(loaded) != len(expected):
        raise AssertionError(f"{spec.case} on {spec.storage} loaded a different frame")
    ends = [0, len(expected) - 1]
    # values, not dtypes: the Parquet tiers load strings Arrow-backed whatever was written
    pd.testing.assert_frame_equal(
        loaded.iloc[ends].reset_index(drop=True),
        expected.iloc[ends].reset_index(drop=True),
        check_dtype=False,
    )


def run_phase(phase: str, spec_fields: dict[str, Any], result_path: str) -> None:
    """Entry point of a fresh process: run one phase and write its result as JSON."""
    spec = CaseSpec(**spec_fields)
    if spec.storage == "s3":  # s3fs (the tiers) reads credentials from the environment
        os.environ["AWS_ACCESS_KEY_ID"] = spec.s3_access_key or ""
        os.environ["AWS_SECRET_ACCESS_KEY"] = spec.s3_secret_key or ""
    _import_everything(spec)
    if spec.case.endswith(SYSTEM_ALLOCATOR):
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    result = run_write(spec) if phase == "write" else run_read(spec)
    Path(result_path).write_text(json.dumps(asdict(result)))


def _import_everything(spec: CaseSpec) -> None:
    """Import what the case uses before measuring, so no phase pays for an import (the code
    pages of a library count in RSS: ``pyarrow.dataset``, which ``pq.read_table`` imports on
    first use, alone added 54 MB to the first Parquet read)."""
    for module in PHASE_MODULES + (S3_MODULES if spec.storage == "s3" else ()):
        importlib.import_module(module)
