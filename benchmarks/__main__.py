"""Run the benchmarks, print the tables and write them to BENCHMARKS.md.

    python -m benchmarks                 # 10 MB and 100 MB frames, S3, every executor, Spark
    python -m benchmarks --with-1gb      # adds the 1 GB frame (about 6 GB of RAM at peak)
    python -m benchmarks --tiny --output /tmp/b.md   # a 1 MB smoke run (what the tests run)
    python -m benchmarks --render-last   # re-render the last run, e.g. after editing findings.md
    python -m benchmarks --sections compose --update   # the stack (section 8; a Docker engine)

Progress goes to stderr, the Markdown to stdout and to ``--output``. The measured figures are
also kept in ``.local/benchmarks/last-run.pickle`` (git-ignored), so that the hand-written
``benchmarks/findings.md`` can be revised without measuring everything again.
"""

import argparse
import contextlib
import os
import pickle
import shlex
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import machine, object_store
from benchmarks.code_location_load import measure_load, profile_import
from benchmarks.compose_stack import LAUNCHES, measure_stacks
from benchmarks.io_tiers import IoMeasurement, measure_io
from benchmarks.main_job import build_class_archive, time_main_job, time_spark_group
from benchmarks.metrics_scrape import measure_scrapes
from benchmarks.orchestration import REPOSITORY_ROOT, run_graph
from benchmarks.report import Results, mark_separate_sections, render, update_metrics_section
from benchmarks.report_speed import (
    LOAD_HEADING,
    MAIN_JOB_HEADING,
    load_section,
    main_job_section,
    replace_goal_rows,
    replace_section,
    speed_goals,
)
from benchmarks.report_stack import STACK_HEADING, stack_goals, stack_section

SPARK_GROUP_ROUNDS = 2  # the Spark group alone, with and without the class archive, in turn
SECTIONS = ("io", "orchestration", "main_job", "scaling", "metrics", "load", "compose")
DEFAULT_SECTIONS = SECTIONS[:-1]  # the stack needs a Docker engine: asked for by name
UPDATABLE = {"metrics", "main_job", "load", "compose"}
METRICS_RUN_COUNTS = "0,1000,10000"
EXECUTORS = ("in_process", "forkserver", "spawn")
FINDINGS = Path(__file__).with_name("findings.md")
TINY_GROUPS = "ecommerce,logs"
LAST_RUN = REPOSITORY_ROOT / ".local" / "benchmarks" / "last-run.pickle"


def parse_size(text: str) -> tuple[str, int]:
    """'10MB' -> ('10MB', 10 * 2**20); also KB and GB."""
    units = {"KB": 2**10, "MB": 2**20, "GB": 2**30}
    label = text.strip().upper()
    for unit, factor in units.items():
        if label.endswith(unit):
            return label, round(float(label.removesuffix(unit)) * factor)
    raise argparse.ArgumentTypeError(f"size {text!r} must end in KB, MB or GB, e.g. 100MB")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--output", default=str(REPOSITORY_ROOT / "BENCHMARKS.md"))
    parser.add_argument(
        "--sections",
        default=",".join(DEFAULT_SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)} (default: all but compose, which "
        "needs a Docker engine)",
    )
    parser.add_argument("--sizes", default="10MB,100MB", help="frame sizes of section 1")
    parser.add_argument("--with-1gb", action="store_true", help="add the 1 GB frame")
    parser.add_argument("--no-s3", action="store_true", help="skip the S3 rows")
    parser.add_argument(
        "--executors",
        default=",".join(EXECUTORS),
        help=f"comma-separated subset of {','.join(EXECUTORS)}",
    )
    parser.add_argument("--data-scale", type=float, default=1.0, help="DATA_SCALE of section 2")
    parser.add_argument("--groups", help="limit section 2 to these groups (default: all)")
    parser.add_argument(
        "--spark-scales",
        default="0.1,1",
        help="the DATA_SCALEs of the Spark scaling points (1x, 10x)",
    )
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark scaling points")
    parser.add_argument(
        "--metrics-runs",
        default=METRICS_RUN_COUNTS,
        help="the finished-run counts of the instance section 5 scrapes",
    )
    parser.add_argument(
        "--load-repeat", type=int, default=5, help="runs of each command of section 7"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --sections among metrics, main_job, load, compose: replace only their "
        "sections (5 to 8) and goal rows in --output, stamped as measured apart from the rest",
    )
    parser.add_argument(
        "--render-last",
        action="store_true",
        help=f"measure nothing: render the figures kept from the last run ({LAST_RUN})",
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="smoke run: 1 MB frame, no S3, in-process only at DATA_SCALE=0.01 "
        f"over {TINY_GROUPS}, no Spark",
    )
    parsed = parser.parse_args(argv)
    if parsed.tiny:
        parsed.sizes, parsed.no_s3, parsed.executors = "1MB", True, "in_process"
        parsed.data_scale, parsed.no_spark = 0.01, True
        parsed.metrics_runs = "0,100"
        parsed.load_repeat = 1
        parsed.groups = parsed.groups or TINY_GROUPS
    return parsed


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def medium_points(results: Results) -> list[IoMeasurement]:
    """The medium tier at 1x and 10x rows: reused from section 1 where it measured them."""
    base = min(results.sizes.values())
    points = []
    for size in (base, base * 10):
        found = next(
            (
                m
                for m in results.io
                if (m.storage, m.case) == ("local", "medium_zstd")
                and results.sizes.get(m.size_label) == size
                and not m.error
            ),
            None,
        )
        if found is None:
            label = f"{size / 2**20:g}MB"
            found = measure_io({label: size}, ["local"], None, progress, cases=("medium_zstd",))[0]
        points.append(found)
    return points


def write(results: Results, output: str) -> None:
    """Render with the current findings; print the Markdown and write it to ``output``."""
    results.findings = FINDINGS.read_text() if FINDINGS.exists() else ""
    markdown = render(results)
    Path(output).write_text(markdown)
    print(markdown)
    progress(f"wrote {output}")


def update_sections(markdown: str, results: Results, sections: set[str]) -> str:
    """``markdown`` with the measured sections and their goal rows replaced, each stamped as
    measured apart from the rest of the file."""
    if "metrics" in sections:
        markdown = update_metrics_section(markdown, results)
    stamp = (
        f"Measured separately from sections 1 to 4, by `{results.command}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC (load average at its start "
        f"{', '.join(f'{a:.2f}' for a in results.load_averages[0][1])})."
    )
    if "main_job" in sections:
        lines = main_job_section(
            results.main_job,
            results.main_job_baseline,
            results.data_scale,
            results.main_job_skipped,
            results.spark_group_runs,
            results.class_archive,
        )
        markdown = replace_section(markdown, MAIN_JOB_HEADING, [*lines[:2], stamp, "", *lines[2:]])
    if "load" in sections:
        lines = load_section(results.load, results.load_skipped, results.import_profile)
        markdown = replace_section(markdown, LOAD_HEADING, [*lines[:2], stamp, "", *lines[2:]])
    if "compose" in sections:
        lines = stack_section(results.stacks, results.stacks_skipped)
        markdown = replace_section(markdown, STACK_HEADING, [*lines[:2], stamp, "", *lines[2:]])
    markdown = mark_separate_sections(markdown)
    return replace_goal_rows(
        markdown,
        speed_goals(results.main_job, results.main_job_baseline, results.load)
        + stack_goals(results.stacks),
    )


def main(argv: list[str]) -> int:
    options = arguments(argv)
    # a stopped run still stops its S3 server and removes its temporary folders
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if options.render_last:
        write(pickle.loads(LAST_RUN.read_bytes()), options.output)
        return 0
    sections = set(options.sections.split(","))
    unknown = sections - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    if options.update and not sections <= UPDATABLE:
        raise SystemExit(f"--update replaces only the sections {', '.join(sorted(UPDATABLE))}")
    sizes = dict(parse_size(size) for size in options.sizes.split(","))
    if options.with_1gb:
        sizes["1GB"] = 2**30
    results = Results(
        command=" ".join(["python -m benchmarks", shlex.join(argv)]).strip(),
        machine=machine.describe(),
        sizes=sizes,
        executors=options.executors.split(","),
        data_scale=options.data_scale,
        groups=options.groups.split(",") if options.groups else None,
    )

    if "io" in sections:
        results.load_averages.append(("I/O tiers", os.getloadavg()))
        storages = ["local"] if options.no_s3 else ["local", "s3"]
        results.s3_skipped = "--no-s3" if options.no_s3 else None
        with object_store.seaweedfs() if not options.no_s3 else contextlib.nullcontext() as s3:
            results.io = measure_io(sizes, storages, s3, progress)

    if "orchestration" in sections:
        results.load_averages.append(("orchestration", os.getloadavg()))
        for executor in results.executors:
            progress(f"  graph on {executor} at DATA_SCALE={options.data_scale:g} ...")
            try:
                run = run_graph(executor, options.data_scale, results.groups)
            except RuntimeError as error:
                results.graph_skipped[executor] = "failed"
                progress(f"  graph on {executor} FAILED: {error}")
                continue
            results.graph_runs[executor] = run
            progress(
                f"  graph on {executor}: wall {run.wall_seconds:.1f} s, steps "
                f"{run.step_seconds:.1f} s, {run.steps} steps"
            )
    else:
        results.graph_skipped = dict.fromkeys(results.executors, "not run (--sections)")

    if "main_job" in sections and not options.tiny:
        results.load_averages.append(("main job", os.getloadavg()))
        progress(
            f"  main job at DATA_SCALE={options.data_scale:g}: the Spark class archive, one at a "
            "time, as run, and the Spark group alone with and without it ..."
        )
        try:
            with tempfile.TemporaryDirectory(prefix="benchmark-class-archive-") as archive:
                results.class_archive = build_class_archive(Path(archive))
                results.main_job_baseline = time_main_job(
                    options.data_scale, one_at_a_time=True, class_archive_folder=Path(archive)
                )
                results.main_job = time_main_job(
                    options.data_scale, class_archive_folder=Path(archive)
                )
                for _ in range(SPARK_GROUP_ROUNDS):
                    for folder in (Path(archive), None):
                        results.spark_group_runs.append(
                            time_spark_group(options.data_scale, folder)
                        )
            progress(
                f"  main job: {results.main_job.seconds:.1f} s (one at a time "
                f"{results.main_job_baseline.seconds:.1f} s; archive built in "
                f"{results.class_archive.seconds:.1f} s; Spark group alone "
                + ", ".join(
                    f"{run.seconds:.1f} s" + ("" if run.class_archive else " without")
                    for run in results.spark_group_runs
                )
                + ")"
            )
        except RuntimeError as error:
            results.main_job_skipped = "failed"
            progress(f"  main job FAILED: {error}")
    else:
        results.main_job_skipped = "--tiny" if options.tiny else "--sections"

    if "load" in sections:
        results.load_averages.append(("load", os.getloadavg()))
        progress("  loading the code location ...")
        results.load = measure_load(repeat=options.load_repeat)
        progress("  profiling the definitions' import ...")
        results.import_profile = profile_import()
    else:
        results.load_skipped = "--sections"

    if "scaling" in sections:
        results.load_averages.append(("scaling", os.getloadavg()))
        results.medium_points = medium_points(results)
        if options.no_spark:
            results.spark_skipped = "--no-spark" + (" (--tiny)" if options.tiny else "")
        else:
            for scale in (float(value) for value in options.spark_scales.split(",")):
                progress(f"  spark group at DATA_SCALE={scale:g} ...")
                results.spark_runs[scale] = run_graph("in_process", scale, ["spark"])
    else:
        results.spark_skipped = "--sections"

    if "compose" in sections:
        results.load_averages.append(("stack", os.getloadavg()))
        results.stacks = measure_stacks(options.data_scale, LAUNCHES, progress)
    else:
        results.stacks_skipped = "--sections"

    if "metrics" in sections:
        results.load_averages.append(("metrics", os.getloadavg()))
        counts = [int(count) for count in options.metrics_runs.split(",")]
        results.scrapes = measure_scrapes(counts, progress)
    else:
        results.scrapes_skipped = "--sections"

    results.load_averages.append(("end", os.getloadavg()))
    if options.update:
        output = Path(options.output)
        output.write_text(update_sections(output.read_text(), results, sections))
        progress(f"updated {', '.join(sorted(sections))} in {output}")
        return 0
    if not options.tiny:
        LAST_RUN.parent.mkdir(parents=True, exist_ok=True)
        LAST_RUN.write_bytes(pickle.dumps(results))
    write(results, options.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
