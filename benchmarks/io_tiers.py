"""Table 1: every case at every frame size on every storage, each phase in a fresh process.

Fresh processes come from a ``forkserver`` that has already imported Dagster, pandas and pyarrow:
each phase gets a process of its own (its own heap and its own high-water mark) without paying
two seconds of imports each time, which keeps the tiny run in the test suite short.
"""

import json
import multiprocessing
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.frames import STRING_KINDS, rows_for_bytes
from benchmarks.io_cases import CaseSpec, PhaseResult, cases_for, run_phase
from benchmarks.object_store import S3Server

PRELOAD = ["benchmarks.io_warm_up"]
PHASE_TIMEOUT_S = 3600


@dataclass
class IoMeasurement:
    """One row of table 1: a case at one size on one storage."""

    storage: str
    size_label: str
    case: str
    rows: int
    write: PhaseResult | None = None
    read: PhaseResult | None = None
    error: str | None = None


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def run_in_fresh_process(
    context: multiprocessing.context.BaseContext, phase: str, spec: CaseSpec, folder: Path
) -> PhaseResult:
    """One phase of one case in a new process; its exit code and output are checked."""
    result_path = folder / f"{spec.storage}-{spec.case}-{phase}.json"
    process = context.Process(target=run_phase, args=(phase, spec.__dict__, str(result_path)))
    process.start()
    process.join(PHASE_TIMEOUT_S)
    if process.is_alive():
        process.kill()
        process.join()
        raise TimeoutError(f"{phase} of {spec.case} took over {PHASE_TIMEOUT_S} s")
    if process.exitcode != 0 or not result_path.exists():
        raise RuntimeError(f"{phase} of {spec.case} on {spec.storage} exited {process.exitcode}")
    return PhaseResult(**json.loads(result_path.read_text()))


def measure_io(
    sizes: dict[str, int],
    storages: list[str],
    s3: S3Server | None,
    progress=print,
    cases: tuple[str, ...] | None = None,
) -> list[IoMeasurement]:
    """Measure every case (or ``cases``); a failing case becomes a row with its error."""
    context = _context()
    measurements = []
    with tempfile.TemporaryDirectory(prefix="benchmark-io-") as scratch:
        for size, target_bytes in sizes.items():
            rows = rows_for_bytes(target_bytes)
            for strings in STRING_KINDS:
                size_label = frame_label(size, strings)
                for storage in storages:
                    for case in cases or cases_for(storage, strings):
                        if case not in cases_for(storage, strings):
                            continue
                        folder = Path(scratch) / size_label.replace(" ", "_") / storage / case
                        folder.mkdir(parents=True)
                        spec = CaseSpec(
                            case=case,
                            storage=storage,
                            location=str(folder),
                            rows=rows,
                            strings=strings,
                        )
                        if storage == "s3":
                            assert s3 is not None
                            spec = replace(
                                spec,
                                location=f"s3://{s3.bucket}/{size}/{case}",
                                s3_endpoint_url=s3.endpoint_url,
                                s3_access_key=s3.access_key,
                                s3_secret_key=s3.secret_key,
                            )
                        measurement = IoMeasurement(storage, size_label, case, rows)
                        try:
                            measurement.write = run_in_fresh_process(context, "write", spec, folder)
                            measurement.read = run_in_fresh_process(context, "read", spec, folder)
                        except (RuntimeError, TimeoutError) as error:
                            measurement.error = str(error)
                        measurements.append(measurement)
                        progress(_progress_line(measurement))
                        _remove_local_copy(folder)
    return measurements


def frame_label(size: str, strings: str) -> str:
    """The label of a frame in the tables: its size, and its strings when Arrow-backed."""
    return size if strings == "object" else f"{size} Arrow strings"


def read_peak_above_object(write: PhaseResult, read: PhaseResult) -> int:
    """Memory a read needs beyond the object it returns (the object as built by the writer)."""
    return max(0, read.peak_above_baseline_bytes - (write.resident_object_bytes or 0))


def _remove_local_copy(folder: Path) -> None:
    """Free the disk between cases (the 1 GB frame's copies would otherwise add up)."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()


def _progress_line(measurement: IoMeasurement) -> str:
    where = f"  io {measurement.size_label} {measurement.storage:5} {measurement.case:14}"
    if measurement.error:
        return f"{where} FAILED: {measurement.error}"
    write, read = measurement.write, measurement.read
    assert write is not None and read is not None
    return (
        f"{where} write {write.seconds:7.3f} s  read {read.seconds:7.3f} s  "
        f"stored {(write.stored_bytes or 0) / 2**20:8.2f} MB  "
        f"peaks {write.peak_above_baseline_bytes / 2**20:7.1f} / "
        f"{read_peak_above_object(write, read) / 2**20:7.1f} MB"
    )
