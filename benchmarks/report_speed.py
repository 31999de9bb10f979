"""Sections 6 and 7 of BENCHMARKS.md (the main job; loading the code location), their goal
rows, and the replacement of a section in an existing file (``--update``)."""

from statistics import mean

from benchmarks.code_location_load import (
    DBT_IMPORT,
    DG_CHECK,
    DG_START,
    FLOOR,
    ImportProfile,
    LoadTime,
)
from benchmarks.main_job import ClassArchiveBuild, MainJob

MAIN_JOB_HEADING = "## 6. The main job"
LOAD_HEADING = "## 7. Loading the code location"
MAIN_JOB_GOAL_S = 40
LOAD_GOAL_S = 3
MAIN_JOB_GOAL = "the main job (`scripts/materialize_all.py`, every group) at DATA_SCALE=1"
LOAD_GOAL = "the code location loads (`dg check defs`, median)"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def measured_cpu(job: MainJob) -> tuple[float, int] | None:
    """The job's CPU seconds and the cores, when measured (a run pickled before they were
    recorded has neither)."""
    cpu, cores = getattr(job, "cpu_seconds", None), getattr(job, "cores", None)
    return None if cpu is None or not cores else (cpu, cores)


def cpu_floor(job: MainJob) -> str | None:
    """The job's CPU time and the wall time it bounds, e.g. ``125 CPU s, at least 62.6 s on 2
    cores``; None when the CPU time was not measured."""
    if (measured := measured_cpu(job)) is None:
        return None
    cpu, cores = measured
    return f"{cpu:.0f} CPU s, at least {cpu / cores:.1f} s on {cores} cores"


def speed_goals(
    main_job: MainJob | None, baseline: MainJob | None, load: list[LoadTime]
) -> list[list[str]]:
    rows = []
    if main_job is not None:
        measured = f"{main_job.seconds:.1f} s"
        if baseline is not None:
            measured += f" ({main_job.seconds / baseline.seconds:.2f}x of one at a time)"
        if (floor := cpu_floor(main_job)) is not None:
            measured += f"; {floor}"
        rows.append(
            [
                MAIN_JOB_GOAL,
                measured,
                f"<= {MAIN_JOB_GOAL_S} s",
                verdict(main_job.seconds <= MAIN_JOB_GOAL_S),
            ]
        )
    check, floor = load_time(load, DG_CHECK), load_time(load, FLOOR)
    if check is not None and floor is not None:
        measured = (
            f"{check.median_s:.2f} s ({check.median_s / floor.median_s:.1f}x `import dagster`)"
        )
        if (before := before_project_code(load)) is not None:
            measured += f"; {before}"
        rows.append(
            [LOAD_GOAL, measured, f"<= {LOAD_GOAL_S} s", verdict(check.median_s <= LOAD_GOAL_S)]
        )
    return rows


def load_time(load: list[LoadTime], what: str) -> LoadTime | None:
    """The measured command named ``what``, if this run measured it."""
    return next((time for time in load if time.what == what), None)


def before_project_code(load: list[LoadTime]) -> str | None:
    """What ``dg check defs`` pays before the project's code: dg's own start and the import of
    dagster-dbt, each a median of section 7; None for a run that did not measure them."""
    start, dbt = load_time(load, DG_START), load_time(load, DBT_IMPORT)
    if start is None or dbt is None:
        return None
    return (
        f"dg's own start {start.median_s:.2f} s and `import dagster_dbt` {dbt.median_s:.2f} s "
        f"come before the project's code, {start.median_s + dbt.median_s:.2f} s together"
    )


def main_job_section(
    main_job: MainJob | None,
    baseline: MainJob | None,
    data_scale: float,
    skipped: str | None,
    spark_group_runs: list[MainJob] | None = None,
    archive: ClassArchiveBuild | None = None,
) -> list[str]:
    lines = [
        MAIN_JOB_HEADING,
        "",
        f"`scripts/materialize_all.py` at DATA_SCALE={data_scale:g}, every group, over empty "
        "temporary storage and a fresh instance, from the script's start to its end (process "
        "start-up and definitions loading included): as it runs (the Spark group's `dg launch` "
        "in a process of its own, beside the other runs in the script's process), and with "
        "`--one-at-a-time` (every run in the script's process, one after another) as the "
        "baseline, measured one after the other. The steps are `instance.get_run_step_stats` of "
        "each run, their start counted from the script's. CPU is the machine's busy time during "
        "the job, every process included (`/proc/stat`): divided by the cores, it is the least "
        "wall time any order of the same work could take. The Spark driver maps a class-data "
        "archive (`./scripts/build-spark-class-archive.sh`) built first, in a folder of its own. "
        "Reproduce: `./scripts/benchmark.sh --sections main_job`.",
        "",
    ]
    if main_job is None or baseline is None:
        return [*lines, f"Not run ({skipped or 'not requested'}).", ""]
    rows = [
        ["one at a time", f"{baseline.seconds:.1f}", "1.00x", *cpu_cells(baseline)],
        [
            "Spark beside",
            f"{main_job.seconds:.1f}",
            f"{main_job.seconds / baseline.seconds:.2f}x",
            *cpu_cells(main_job),
        ],
    ]
    lines += [
        markdown_table(["", "seconds", "vs one at a time", "CPU s", "CPU s / cores"], rows),
        "",
        *class_archive_lines(spark_group_runs or [], archive, main_job),
    ]
    for job, title in ((baseline, "One at a time"), (main_job, "Spark beside")):
        rows = [
            [step.key, step.run, f"{step.started_s:.1f}", f"{step.seconds:.1f}"]
            for step in job.steps
        ]
        summed = sum(step.seconds for step in job.steps)
        lines += [
            f"{title}: {len(job.steps)} steps, {summed:.1f} s of steps in {job.seconds:.1f} s.",
            "",
            markdown_table(["step", "run", "started at (s)", "seconds"], rows),
            "",
        ]
    return lines


def class_archive_lines(
    runs: list[MainJob], archive: ClassArchiveBuild | None, main_job: MainJob | None = None
) -> list[str]:
    """The Spark group run alone, with and without the class archive, in the order they ran,
    and what the archive saves against the main job's CPU time."""
    if archive is None or not runs:
        return []
    with_archive = [run for run in runs if run.class_archive]
    without = [run for run in runs if not run.class_archive]
    rows = [
        [
            "with the class archive" if run.class_archive else "without",
            f"{run.seconds:.1f}",
            f"{run.steps[0].started_s:.1f}" if run.steps else "n/a",
            *cpu_cells(run),
        ]
        for run in runs
    ]
    compared = ""
    if with_archive and without:
        ratio = mean(run.seconds for run in with_archive) / mean(run.seconds for run in without)
        compared = f"; the mean run with it takes {ratio:.2f}x the time of the mean run without"
    return [
        f"The class archive took {archive.seconds:.1f} s to build and holds "
        f"{archive.size_mb:.0f} MB. What it saves shows on the Spark group run alone "
        f"(`dg launch --assets group:spark`, a process and a JVM of its own), over empty storage, "
        f"with and without it in turn{compared}. The main job above starts that JVM once, in the "
        f"Spark group's process beside the others{cpu_saved(with_archive, without, main_job)}.",
        "",
        markdown_table(
            ["Spark group alone", "seconds", "first step at (s)", "CPU s", "CPU s / cores"], rows
        ),
        "",
    ]


def cpu_saved(with_archive: list[MainJob], without: list[MainJob], main_job: MainJob | None) -> str:
    """The CPU time the archive saves on the Spark group alone (mean without minus mean with),
    as a share of the main job's; empty when a CPU time was not measured."""
    cpu_with = [measured[0] for run in with_archive if (measured := measured_cpu(run))]
    cpu_without = [measured[0] for run in without if (measured := measured_cpu(run))]
    job = measured_cpu(main_job) if main_job is not None else None
    if not cpu_with or not cpu_without or job is None:
        return ""
    saved = mean(cpu_without) - mean(cpu_with)
    return (
        f": the mean Spark group run alone uses {saved:.1f} CPU s less with it, "
        f"{saved / job[0]:.0%} of the main job's {job[0]:.0f} CPU s"
    )


def cpu_cells(job: MainJob) -> list[str]:
    if (measured := measured_cpu(job)) is None:
        return ["n/a", "n/a"]
    cpu, cores = measured
    return [f"{cpu:.1f}", f"{cpu / cores:.1f}"]


IMPORT_ROWS = 10


def import_profile_lines(profile: ImportProfile) -> list[str]:
    """The import of the definitions, package by package: the time in each package's own
    modules, and the module of another package that first imported it."""
    own = "dagster_project"
    shown = [imported for imported in profile.packages if imported.package != own][:IMPORT_ROWS]
    rest = [
        imported
        for imported in profile.packages
        if imported.package != own and imported not in shown
    ]
    rows = [
        [
            f"`{imported.package}`",
            f"`{imported.imported_by}`",
            f"{imported.seconds:.2f}",
            f"{imported.seconds / profile.seconds:.0%}",
        ]
        for imported in shown
    ]
    rest_s = sum(imported.seconds for imported in rest)
    rows.append(
        [f"{len(rest)} other packages", "", f"{rest_s:.2f}", f"{rest_s / profile.seconds:.0%}"]
    )
    own_s = sum(imported.seconds for imported in profile.packages if imported.package == own)
    rows.append(
        [
            f"`{own}` (its modules, building the definitions included)",
            "",
            f"{own_s:.2f}",
            f"{own_s / profile.seconds:.0%}",
        ]
    )
    rows.append(["the definitions' import in all", "", f"{profile.seconds:.2f}", "100%"])
    return [
        "Where the import goes: `import dagster_project.definitions` once more, with Python's "
        "import-time report (`PYTHONPROFILEIMPORTTIME`, which slows it a little). Each "
        "package's seconds are the time spent running its own modules (their self times), "
        "not what it imported; first imported by is the module of another package whose "
        "import pulled it in.",
        "",
        markdown_table(["package", "first imported by", "seconds", "share"], rows),
        "",
    ]


def load_section(
    load: list[LoadTime], skipped: str | None, profile: ImportProfile | None = None
) -> list[str]:
    lines = [
        LOAD_HEADING,
        "",
        "Each command in a fresh process from the repository's root, with a throwaway "
        "`DAGSTER_HOME`, five times one after another; the median, and each run. `import "
        "dagster` is the floor no code location goes below. `dg check defs` of this code "
        "location pays two costs before any of the project's code: dg's own start (`dg check "
        "--help` registers dg's commands and imports no Dagster) and `import dagster_dbt`, the "
        "package of the dbt Component (dagster-dbt imports dbt-core with it). Reproduce: "
        "`./scripts/benchmark.sh --sections load`.",
        "",
    ]
    if not load:
        return [*lines, f"Not run ({skipped or 'not requested'}).", ""]
    floor = load[0].median_s
    rows = [
        [
            time.what,
            f"`{time.command}`",
            f"{time.median_s:.2f}",
            f"{time.median_s / floor:.1f}x",
            ", ".join(f"{run:.2f}" for run in time.runs_s),
        ]
        for time in load
    ]
    header = ["what", "command", "median s", "vs floor", "runs (s)"]
    lines += [markdown_table(header, rows), ""]
    return lines + (import_profile_lines(profile) if profile is not None else [])


def replace_section(markdown: str, heading: str, lines: list[str]) -> str:
    """``markdown`` with the section under ``heading`` (up to the next ``## ``) replaced by
    ``lines``, or ``lines`` added before the findings when it has no such section."""
    section = "\n".join(lines)
    before, found, after = markdown.partition(heading + "\n")
    if found:
        rest = after.split("\n## ", 1)
        after = "\n## " + rest[1] if len(rest) == 2 else ""
    else:
        before, heading_found, after = markdown.partition("## What the profiles showed")
        after = heading_found + after
    return (before + section + "\n" + after).replace("\n\n\n", "\n\n")


def replace_goal_rows(markdown: str, rows: list[list[str]]) -> str:
    """``markdown`` with each goal row of ``rows`` replacing the row of the same goal in the
    Goals table, or appended to it."""
    lines = markdown.split("\n")
    for row in rows:
        text = "| " + " | ".join(row) + " |"
        found = [i for i, line in enumerate(lines) if line.startswith(f"| {row[0]} |")]
        if found:
            lines[found[0]] = text
            continue
        goals = lines.index("## Goals")
        end = next(i for i in range(goals + 3, len(lines)) if not lines[i].startswith("|"))
        lines.insert(end, text)
    return "\n".join(lines)
