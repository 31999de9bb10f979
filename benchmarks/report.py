"""The Markdown of BENCHMARKS.md: one table per section, each figure with its ratio to a baseline
measured in the same run, and each performance goal marked met or missed."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from benchmarks.code_location_load import ImportProfile, LoadTime
from benchmarks.compose_stack import StackFigures
from benchmarks.io_cases import CODECS, SYSTEM_ALLOCATOR
from benchmarks.io_tiers import IoMeasurement, read_peak_above_object
from benchmarks.main_job import ClassArchiveBuild, MainJob
from benchmarks.metrics_scrape import ScrapeMeasurement
from benchmarks.orchestration import GraphRun
from benchmarks.report_speed import (
    load_section,
    main_job_section,
    markdown_table,
    replace_section,
    speed_goals,
    verdict,
)
from benchmarks.report_stack import stack_goals, stack_section
from dagster_project.tiers import GROUP_TIERS, WAREHOUSE_NATIVE_GROUPS

MB = 2**20
DEFAULT_CODEC = "zstd"

CASE_LABELS = {
    "stock": "Dagster stock manager (baseline)",
    "small": "small tier: `PickleIOManager`",
    "small_unchecked": "small tier without its SHA-256 digest (prices the check)",
    **{f"medium_{codec}": f"medium tier: `ParquetIOManager`, {codec}" for codec in CODECS},
    f"medium_zstd{SYSTEM_ALLOCATOR}": "medium tier, zstd, with `ARROW_DEFAULT_MEMORY_POOL=system`",
    "medium_zstd_unchecked": "medium tier, zstd, without page checksums (prices the check)",
    "time_series": "time-series tier: `TimeSeriesIOManager` (zstd)",
    "size_router": "size router: `SizeRouterIOManager`",
    "arrow_ipc": "bound: Arrow IPC (Feather), uncompressed",
    "plain_pyarrow": "bound: plain pyarrow, `pq.write_table` zstd; read with Arrow strings",
    "raw_disk": "bound: raw sequential disk write/read, fsynced",
    "raw_s3": "bound: raw S3 PUT/GET (boto3 managed transfer)",
}
STOCK_LABELS = {
    "local": "`dg.FilesystemIOManager` (pickle)",
    "s3": "dagster-aws `S3PickleIOManager` (the stack's small tier)",
}
TIER_CASES = (
    "small",
    *(f"medium_{codec}" for codec in CODECS),
    f"medium_zstd{SYSTEM_ALLOCATOR}",
    "time_series",
    "size_router",
)


@dataclass
class Results:
    """Everything one benchmark run measured, and what it skipped (and why)."""

    command: str
    machine: list[tuple[str, str]]
    sizes: dict[str, int]
    load_averages: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)
    io: list[IoMeasurement] = field(default_factory=list)
    s3_skipped: str | None = None
    executors: list[str] = field(default_factory=list)
    graph_runs: dict[str, GraphRun] = field(default_factory=dict)
    graph_skipped: dict[str, str] = field(default_factory=dict)
    data_scale: float = 1.0
    groups: list[str] | None = None
    medium_points: list[IoMeasurement] = field(default_factory=list)
    spark_runs: dict[float, GraphRun] = field(default_factory=dict)
    spark_skipped: str | None = None
    main_job: MainJob | None = None
    main_job_baseline: MainJob | None = None
    spark_group_runs: list[MainJob] = field(default_factory=list)
    class_archive: ClassArchiveBuild | None = None
    main_job_skipped: str | None = None
    load: list[LoadTime] = field(default_factory=list)
    load_skipped: str | None = None
    import_profile: ImportProfile | None = None
    scrapes: list[ScrapeMeasurement] = field(default_factory=list)
    scrapes_skipped: str | None = None
    stacks: StackFigures | None = None
    stacks_skipped: str | None = None
    findings: str = ""


def seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def megabytes(value: float) -> str:
    return f"{value / MB:.2f}" if abs(value) < 10 * MB else f"{value / MB:.1f}"


def ratio(value: float, baseline: float) -> str:
    if baseline <= 0:
        return "n/a"
    times = value / baseline
    return f"{times:.2f}x" if times == 0 or times >= 0.01 else f"{times:.1g}x"


def with_ratio(text: str, value: float, baseline: float) -> str:
    return f"{text} ({ratio(value, baseline)})"


# ---- goals -------------------------------------------------------------------------------------


def _find(results: Results, storage: str, size: str, case: str) -> IoMeasurement | None:
    for measurement in results.io:
        if (measurement.storage, measurement.size_label, measurement.case) == (storage, size, case):
            return measurement if measurement.error is None else None
    return None


def _total(measurement: IoMeasurement) -> float:
    assert measurement.write and measurement.read
    return measurement.write.seconds + measurement.read.seconds


ARROW_LABEL = " Arrow strings"  # the label suffix of a frame of Arrow-backed strings

MEDIUM_GOALS = (
    ("medium tier (zstd) bytes on storage vs stock", lambda m: m.write.stored_bytes or 0, 0.5),
    (
        "medium tier (zstd) peak memory while writing vs stock",
        lambda m: m.write.peak_above_baseline_bytes,
        0.5,
    ),
    ("medium tier (zstd) write+read time vs stock", lambda m: _total(m), 1.5),
)


def goals(results: Results) -> list[list[str]]:
    """One row per goal: goal, measured, target, met or missed."""
    rows = []
    local_sizes = [s for s in results.sizes if _find(results, "local", s, "stock")]
    if local_sizes:
        size = "100MB" if "100MB" in local_sizes else local_sizes[-1]
        note = "" if size == "100MB" else f" (on the {size} frame: 100 MB was not run)"
        for goal, measure, limit in MEDIUM_GOALS:
            ratios = {}
            for other in local_sizes:
                stock = _find(results, "local", other, "stock")
                medium = _find(results, "local", other, f"medium_{DEFAULT_CODEC}")
                if stock and medium:
                    value, base = measure(medium), measure(stock)
                    ratios[other] = value / base if base > 0 else float("inf")
            if size not in ratios:
                continue
            elsewhere = ", ".join(
                f"{other}: {r:.2f}x" for other, r in ratios.items() if other != size
            )
            rows.append(
                [
                    f"{goal}, {size} frame{note}",
                    f"{ratios[size]:.2f}x" + (f" (other frames: {elsewhere})" if elsewhere else ""),
                    f"<= {limit}x",
                    verdict(ratios[size] <= limit),
                ]
            )
    # both frames of each size: object strings, then Arrow-backed strings
    for size in [*local_sizes, *(size + ARROW_LABEL for size in local_sizes)]:
        arrow = _find(results, "local", size, "arrow_ipc")
        if arrow is None:
            continue
        over = []
        worst = ("", 0.0)
        for case in TIER_CASES:
            measured = _find(results, "local", size, case)
            if measured is None:
                continue
            times = _total(measured) / _total(arrow)
            worst = max(worst, (case, times), key=lambda item: item[1])
            if times > 3:
                over.append(f"{case} {times:.1f}x")
        rows.append(
            [
                f"every tier's write+read within 3x of Arrow IPC ({size} frame)",
                f"worst: {worst[0]} {worst[1]:.2f}x"
                + (f"; over: {', '.join(over)}" if over else ""),
                "<= 3x",
                verdict(not over),
            ]
        )
    for size in local_sizes:
        costs = []
        for checked, label in (("small", "small, SHA-256"), ("medium_zstd", "medium, page CRCs")):
            with_check = _find(results, "local", size, checked)
            without = _find(results, "local", size, f"{checked}_unchecked")
            if with_check and without and _total(without) > 0:
                costs.append(f"{label} {_total(with_check) / _total(without):.2f}x")
        if costs:
            rows.append(
                [
                    f"cost of the integrity checks, write+read with / without ({size} frame)",
                    "; ".join(costs),
                    "none",
                    "measured",
                ]
            )
    rows += arrow_string_goals(results)
    rows += speed_goals(results.main_job, results.main_job_baseline, results.load)
    rows += stack_goals(results.stacks)
    in_process = results.graph_runs.get("in_process")
    if in_process is not None:
        share = in_process.overhead_seconds / in_process.wall_seconds
        without_resources = share - in_process.resource_init_seconds / in_process.wall_seconds
        scale = results.data_scale
        judged = verdict(share < 0.10)
        if scale != 1 or results.groups:
            judged += " (not the default scale and whole graph: indicative only)"
        rows.append(
            [
                "orchestration overhead of the embedded default (in-process) vs wall time",
                f"{share:.1%} ({without_resources:.1%} without resource set-up)",
                "< 10%",
                judged,
            ]
        )
    return rows


def _ratio_row(goal: str, value: float, base: float, limit: float) -> list[str]:
    ratio_value = value / base if base > 0 else float("inf")
    return [goal, f"{ratio_value:.2f}x", f"<= {limit:g}x", verdict(ratio_value <= limit)]


def arrow_string_goals(results: Results) -> list[list[str]]:
    """The goals measured on both frames: the medium tier against the stock manager with
    Arrow-backed strings, each phase against plain pyarrow, and the claim that Parquet is
    40-50% faster than pickle."""
    rows = []
    sizes = [s for s in results.sizes if _find(results, "local", s, "stock")]
    size = "100MB" if "100MB" in sizes else (sizes[-1] if sizes else None)
    if size is None:
        return rows
    frames = [(size, "object strings"), (size + ARROW_LABEL, "Arrow-backed strings")]
    stock = _find(results, "local", frames[1][0], "stock")
    medium = _find(results, "local", frames[1][0], f"medium_{DEFAULT_CODEC}")
    if stock and medium:
        rows.append(
            _ratio_row(
                f"medium tier (zstd) write+read time vs stock, {size} frame of Arrow strings",
                _total(medium),
                _total(stock),
                1.0,
            )
        )
    for label, kind in frames:
        medium = _find(results, "local", label, f"medium_{DEFAULT_CODEC}")
        plain = _find(results, "local", label, "plain_pyarrow")
        if not (medium and plain and medium.write and medium.read and plain.write and plain.read):
            continue
        rows.append(
            _ratio_row(
                f"medium tier (zstd) write vs plain pyarrow, {size} frame of {kind}",
                medium.write.seconds,
                plain.write.seconds,
                1.3,
            )
        )
        rows.append(
            _ratio_row(
                f"medium tier (zstd) read vs plain pyarrow, {size} frame of {kind}",
                medium.read.seconds,
                plain.read.seconds,
                1.3,
            )
        )
    for label, kind in frames:
        stock = _find(results, "local", label, "stock")
        medium = _find(results, "local", label, f"medium_{DEFAULT_CODEC}")
        if not (stock and medium):
            continue
        faster = 1 - _total(medium) / _total(stock)
        rows.append(
            [
                f"claim: Parquet is 40-50% faster than pickle (medium tier vs stock, write+read, "
                f"{size} frame of {kind})",
                f"{faster:.0%} faster" if faster >= 0 else f"{-faster:.0%} slower",
                "40-50% faster",
                "**true**" if faster >= 0.4 else "**false**",
            ]
        )
    return rows


# ---- section tables ----------------------------------------------------------------------------


def io_table(results: Results, size: str, storage: str) -> str:
    measurements = [m for m in results.io if (m.size_label, m.storage) == (size, storage)]
    baseline = next((m for m in measurements if m.case == "stock" and not m.error), None)
    rows = []
    for m in measurements:
        label = CASE_LABELS[m.case]
        if m.case == "stock":
            label = f"{STOCK_LABELS[storage]}, baseline"
        if m.error or not (m.write and m.read):
            rows.append([label, *(["failed"] * 6), m.error or ""])
            continue
        if baseline is None or not (baseline.write and baseline.read):
            rows.append([label, *(["no baseline"] * 6), ""])
            continue
        base_write, base_read = baseline.write, baseline.read
        read_peak = read_peak_above_object(m.write, m.read)
        rows.append(
            [
                label,
                with_ratio(seconds(m.write.seconds), m.write.seconds, base_write.seconds),
                with_ratio(seconds(m.read.seconds), m.read.seconds, base_read.seconds),
                with_ratio(seconds(_total(m)), _total(m), _total(baseline)),
                with_ratio(
                    megabytes(m.write.stored_bytes or 0),
                    m.write.stored_bytes or 0,
                    base_write.stored_bytes or 0,
                ),
                with_ratio(
                    megabytes(m.write.peak_above_baseline_bytes),
                    m.write.peak_above_baseline_bytes,
                    base_write.peak_above_baseline_bytes,
                ),
                with_ratio(
                    megabytes(read_peak), read_peak, read_peak_above_object(base_write, base_read)
                ),
                "",
            ]
        )
    header = [
        "case",
        "write s",
        "read s",
        "write+read s",
        "stored MB",
        "write peak above object MB",
        "read peak above object MB",
        "error",
    ]
    return markdown_table(header, rows)


def frame_line(results: Results, size: str) -> str:
    sample = next((m for m in results.io if m.size_label == size and m.write), None)
    if sample is None or sample.write is None:
        return f"Frame {size}: no case completed."
    return (
        f"Frame {size}: {sample.rows:,} rows, {megabytes(sample.write.value_bytes)} MB in memory "
        f"as pandas counts it (`memory_usage(deep=True)`), "
        f"{megabytes(sample.write.resident_object_bytes or 0)} MB resident (strings shared "
        "between rows are counted once)."
    )


def orchestration_table(results: Results) -> str:
    baseline = results.graph_runs.get("in_process")
    rows = []
    for executor in results.executors:
        run = results.graph_runs.get(executor)
        if run is None:
            rows.append([executor, results.graph_skipped.get(executor, "not run"), *["-"] * 8])
            continue
        base_wall = baseline.wall_seconds if baseline else 0
        base_overhead = baseline.overhead_seconds / baseline.steps if baseline else 0
        per_step = run.overhead_seconds / run.steps if run.steps else 0.0
        rows.append(
            [
                executor,
                str(len(run.runs)),
                str(run.steps),
                with_ratio(seconds(run.wall_seconds), run.wall_seconds, base_wall),
                seconds(run.step_seconds),
                seconds(run.resource_init_seconds) + _slowest_resources(run),
                seconds(run.overhead_seconds),
                with_ratio(seconds(per_step), per_step, base_overhead),
                f"{run.overhead_seconds / run.wall_seconds:.1%}",
                f"{(run.overhead_seconds - run.resource_init_seconds) / run.wall_seconds:.1%}",
            ]
        )
    header = [
        "executor",
        "runs",
        "steps",
        "run wall s (x in-process)",
        "sum of step durations s",
        "resource set-up s (inside wall)",
        "overhead s = wall - steps",
        "overhead per step s (x in-process)",
        "overhead % of wall",
        "overhead without resource set-up % of wall",
    ]
    return markdown_table(header, rows)


def _slowest_resources(run: GraphRun) -> str:
    slowest = sorted(run.resource_seconds.items(), key=lambda item: -item[1])[:2]
    named = ", ".join(f"{name} {seconds(value)}" for name, value in slowest if value >= 0.05)
    return f" ({named})" if named else ""


def stored_by(group: str) -> str:
    """The tier a group is bound to (``dagster_project/tiers.py``)."""
    if group in WAREHOUSE_NATIVE_GROUPS:
        return "none: dbt writes the warehouse"
    tier = GROUP_TIERS.get(group)
    return tier.value if tier else "default I/O manager (small)"


def movement_table(results: Results) -> str:
    run = results.graph_runs.get("in_process") or next(iter(results.graph_runs.values()), None)
    if run is None:
        return "Not run: no graph run completed."
    groups = run.report["asset_groups"]
    stored: dict[str, int] = {}
    for relative, size in run.storage_files:
        asset = _asset_of(relative, groups)
        if asset is not None:
            stored[groups[asset]] = stored.get(groups[asset], 0) + size
    per_group: dict[str, dict[str, float]] = {}
    for item in run.report["materializations"]:
        group = groups.get(item["asset"])
        if group is None:
            continue
        entry = per_group.setdefault(group, {"assets": 0, "rows": 0, "data": 0})
        metadata = item["metadata"]
        entry["assets"] += 1
        entry["rows"] += int(metadata.get("dagster/row_count", 0) or 0)
        entry["data"] += (
            float(metadata.get("table_size_mb", 0) or metadata.get("memory_size_mb", 0) or 0) * MB
        )
    if "spark" in per_group:
        per_group["spark"]["data"] = run.lake_bytes
    total = sum(stored.values())
    rows = []
    for group in sorted(set(groups.values())):
        entry = per_group.get(group)
        if entry is None:
            rows.append([group, stored_by(group), *(["not run"] * 6)])
            continue
        dagster_bytes = stored.get(group, 0)
        rows.append(
            [
                group,
                stored_by(group),
                str(int(entry["assets"])),
                f"{int(entry['rows']):,}",
                megabytes(entry["data"]) if entry["data"] else "n/a",
                f"{dagster_bytes:,}",
                f"{dagster_bytes / total:.1%}" if total else "n/a",
                ratio(dagster_bytes, entry["data"]) if entry["data"] else "n/a",
            ]
        )
    header = [
        "group",
        "stored by",
        "materializations",
        "rows (dagster/row_count)",
        "data MB (in memory, or table / lake size)",
        "bytes in Dagster's storage",
        "share of all stored bytes",
        "stored / data",
    ]
    return markdown_table(header, rows)


def _asset_of(relative: str, groups: dict[str, str]) -> str | None:
    """The asset a stored file belongs to: ``<tier>/<asset key path>[/<partition>].<ext>``."""
    parts = relative.split("/")[1:]
    if not parts or parts[-1].startswith("."):
        return None
    parts[-1] = parts[-1].split(".", 1)[0]
    for end in range(len(parts), 0, -1):
        candidate = "/".join(parts[:end])
        if candidate in groups:
            return candidate
    return None


def medium_scaling_table(results: Results) -> str:
    points = [m for m in results.medium_points if m.write and m.read]
    if not points:
        return "Not run."
    first = points[0]
    assert first.write and first.read
    rows = []
    for m in points:
        assert m.write and m.read
        read_peak = read_peak_above_object(m.write, m.read)
        rows.append(
            [
                f"{m.rows:,} ({m.rows / first.rows:.0f}x)",
                with_ratio(seconds(m.write.seconds), m.write.seconds, first.write.seconds),
                with_ratio(seconds(m.read.seconds), m.read.seconds, first.read.seconds),
                with_ratio(
                    megabytes(m.write.stored_bytes or 0),
                    m.write.stored_bytes or 0,
                    first.write.stored_bytes or 0,
                ),
                with_ratio(
                    megabytes(m.write.peak_above_baseline_bytes),
                    m.write.peak_above_baseline_bytes,
                    first.write.peak_above_baseline_bytes,
                ),
                with_ratio(
                    megabytes(read_peak), read_peak, read_peak_above_object(first.write, first.read)
                ),
            ]
        )
    header = [
        "rows",
        "write s",
        "read s",
        "stored MB",
        "write peak above object MB",
        "read peak above object MB",
    ]
    return markdown_table(header, rows)


def spark_scaling_table(results: Results) -> str:
    if results.spark_skipped:
        return f"Not run: {results.spark_skipped}."
    runs = list(results.spark_runs.items())
    if not runs:
        return "Not run."
    first = runs[0][1]
    first_rows = _lake_rows(first)
    rows = []
    for scale, run in runs:
        generated = _lake_rows(run)
        python_peak = run.report["process_peak_above_start_bytes"]
        jvm_peak = run.report["jvm_peak_bytes"]
        rows.append(
            [
                f"{scale:g}",
                f"{generated:,} ({generated / first_rows:.0f}x)" if first_rows else str(generated),
                with_ratio(seconds(run.wall_seconds), run.wall_seconds, first.wall_seconds),
                with_ratio(seconds(run.step_seconds), run.step_seconds, first.step_seconds),
                with_ratio(
                    megabytes(python_peak),
                    python_peak,
                    first.report["process_peak_above_start_bytes"],
                ),
                with_ratio(megabytes(jvm_peak), jvm_peak, first.report["jvm_peak_bytes"]),
                megabytes(run.lake_bytes),
            ]
        )
    header = [
        "DATA_SCALE",
        "rows generated in Spark",
        "run wall s",
        "sum of step durations s",
        "Python process peak above start MB",
        "JVM peak RSS MB",
        "lake MB",
    ]
    return markdown_table(header, rows)


def _lake_rows(run: GraphRun) -> int:
    for item in run.report["materializations"]:
        if item["asset"] == "lake_transactions":
            return int(item["metadata"].get("dagster/row_count", 0))
    return 0


# ---- the document ------------------------------------------------------------------------------


def scrape_table(results: Results) -> str:
    if not results.scrapes:
        return f"Not run ({results.scrapes_skipped or 'no measurement'})."
    base = results.scrapes[0]
    rows = [
        [
            f"{m.runs:,}",
            with_ratio(seconds(m.first_scrape_s), m.first_scrape_s, base.first_scrape_s),
            with_ratio(seconds(m.later_scrape_s), m.later_scrape_s, base.later_scrape_s),
            str(m.samples),
        ]
        for m in results.scrapes
    ]
    header = [
        "finished runs in the instance",
        f"first scrape after a start s (x {base.runs:,} runs)",
        f"later scrape s (x {base.runs:,} runs)",
        "samples",
    ]
    return markdown_table(header, rows)


METRICS_HEADING = "## 5. Metrics exporter"


def metrics_section(results: Results, measured_separately: str | None = None) -> list[str]:
    """Section 5's lines; ``measured_separately`` names when and how, for a section measured
    apart from the rest of the file (``--update``)."""
    return [
        METRICS_HEADING,
        "",
        *([measured_separately, ""] if measured_separately else []),
        "One read of the instance by the metrics exporter (`InstanceCollector.read`, what a "
        "Prometheus scrape waits for, without the deadline's thread) on a throwaway PostgreSQL "
        "instance of `deploy/dagster.stack.yaml`, with the project's definitions, holding "
        "finished runs of four jobs, one in ten failed. At each count a new collector, as after "
        "an exporter restart, is read twice: the first read counts the whole history, the "
        "second only what changed since; the best of three collectors. The exporter answers "
        "`dagster_up 0` to a scrape whose read takes longer than 8 s; the read goes on in the "
        "background, and the next read starts from the counts it reached. Reproduce: "
        "`./scripts/benchmark.sh --sections metrics --update`.",
        "",
        scrape_table(results),
        "",
    ]


def update_metrics_section(markdown: str, results: Results) -> str:
    """``markdown`` (a BENCHMARKS.md) with section 5 replaced by this run's, stamped as measured
    separately; the header says which section that is."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    stamp = (
        f"Measured separately from the sections above, by `{results.command}` on {now} (load "
        f"average {', '.join(f'{a:.2f}' for a in results.load_averages[0][1])})."
    )
    return mark_separate_sections(
        replace_section(markdown, METRICS_HEADING, metrics_section(results, stamp))
    )


SEPARATE_SECTIONS = "sections 5 to 8 may come from runs of their own, each stamped"


def mark_separate_sections(markdown: str) -> str:
    """The header of ``markdown`` saying that some sections were measured apart (``--update``)."""
    return re.sub(
        r"every figure below comes from that one run( \([^)]*\))?, and",
        f"every figure below comes from that one run ({SEPARATE_SECTIONS}), and",
        markdown,
        count=1,
    )


def render(results: Results) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmarks",
        "",
        f"Generated by `{results.command}` on {now}; every figure below comes from that one "
        "run, and every ratio compares two figures of it. Regenerate rather than edit: "
        "`./scripts/benchmark.sh` (see `python -m benchmarks --help` for the flags).",
        "",
        "## Machine",
        "",
        markdown_table(["what", "value"], [[what, value] for what, value in results.machine]),
        "",
        "Load average (1, 5, 15 min) when each part started; other work on the machine "
        "shows here and in the timings: "
        + "; ".join(
            f"{what}: {a:.2f}, {b:.2f}, {c:.2f}" for what, (a, b, c) in results.load_averages
        )
        + ".",
        "",
        "## Goals",
        "",
        markdown_table(["goal", "measured", "target", "result"], goals(results))
        if goals(results)
        else "No goal could be evaluated: the sections it needs were not run.",
        "",
        "## 1. I/O tiers",
        "",
        "Each case writes the benchmark frame (`benchmarks/frames.py`: int64, int32, float64 "
        "cents, float32 with missing values, a sorted timestamp, low-, medium- and "
        "high-cardinality strings) through Dagster's I/O manager interface "
        "(`handle_output` / `load_input` with an asset key; the time-series tier with a daily "
        "partition) and reads it back. Write and read each run in a fresh process. Peak memory "
        "is the kernel's high-water mark (`VmHWM`, reset through `/proc/self/clear_refs` just "
        "before the call): above the RSS with the frame built while writing; above the RSS "
        "before the read minus the frame's resident size while reading. Before each read the "
        "stored files are dropped from the page cache. The project's tiers write to a temporary "
        "file, fsync and rename; the stock manager writes in place without fsync. Ratios are to "
        "the stock manager of the same storage. Reproduce: "
        "`./scripts/benchmark.sh --sections io` (add `--with-1gb` for 1 GB, `--no-s3` to skip "
        "the object store).",
        "",
    ]
    labels = list(dict.fromkeys([*results.sizes, *(m.size_label for m in results.io)]))
    for size in sorted(labels, key=lambda label: (results.sizes.get(label.split()[0], 0), label)):
        parts += [f"### {size} frame", "", frame_line(results, size), ""]
        for storage in ("local", "s3"):
            if not any(m.size_label == size and m.storage == storage for m in results.io):
                if storage == "s3" and results.s3_skipped:
                    parts += [f"S3: not run ({results.s3_skipped}).", ""]
                elif storage == "s3" and size.endswith(ARROW_LABEL):
                    parts += ["S3: not measured for this frame (local disk only).", ""]
                continue
            title = "Local disk" if storage == "local" else "S3 (SeaweedFS on 127.0.0.1)"
            parts += [f"{title}:", "", io_table(results, size, storage), ""]
    parts += [
        "## 2. Orchestration overhead",
        "",
        f"The graph at DATA_SCALE={results.data_scale:g}"
        + (f", groups {', '.join(results.groups)}" if results.groups else ", every group")
        + ", following the launch plan (one run per partitions definition), once per executor, "
        "each in a fresh process over empty temporary storage and a fresh instance. Wall time "
        "is each run's start to end as the instance records it, summed over the runs; step "
        "durations are `instance.get_run_step_stats`. Overhead = wall - sum of steps: process "
        "start-up, imports, resource set-up (Spark session, dbt) and Dagster's own events. The "
        "multiprocess executor runs one step at a time (`max_concurrent: 1`). Reproduce: "
        "`./scripts/benchmark.sh --sections orchestration "
        "--executors in_process,forkserver,spawn`.",
        "",
        orchestration_table(results),
        "",
        "## 3. Data movement",
        "",
        "Bytes each group left in Dagster's storage (the tier folders under `STORAGE_URL`) after "
        "the in-process run of section 2, against the size of the data it produced: in memory "
        "for the pandas tiers (`memory_size_mb`), the warehouse tables' size "
        "(`table_size_mb`), or the Spark lake folder. Reproduce: as section 2.",
        "",
        movement_table(results),
        "",
        "## 4. Scaling",
        "",
        "Medium tier (zstd), from the local rows of section 1 at 1x and 10x rows:",
        "",
        medium_scaling_table(results),
        "",
        "Spark group (in process, one Spark session per run), at two DATA_SCALEs; the JVM's "
        "peak is its `VmHWM`, polled every 0.25 s. Reproduce: "
        "`./scripts/benchmark.sh --sections scaling`.",
        "",
        spark_scaling_table(results),
        "",
        *metrics_section(results),
        *main_job_section(
            results.main_job,
            results.main_job_baseline,
            results.data_scale,
            results.main_job_skipped,
            getattr(results, "spark_group_runs", []),
            getattr(results, "class_archive", None),
        ),
        *load_section(results.load, results.load_skipped, getattr(results, "import_profile", None)),
        *stack_section(results.stacks, results.stacks_skipped),
    ]
    if results.findings:
        parts += [results.findings.strip(), ""]
    return "\n".join(parts)
