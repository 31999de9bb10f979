"""Section 8 of BENCHMARKS.md (the stack: compose against the native stack) and its goal rows."""

from benchmarks.compose_stack import StackFigures
from benchmarks.report_speed import markdown_table, verdict

STACK_HEADING = "## 8. The stack"
UP_GOAL_S = 30
QUEUED_GOAL_S = 6
UP_GOAL = "`docker compose up -d --wait` on warm images"
QUEUED_GOAL = "the compose stack, queued to started (median)"


def stack_goals(figures: StackFigures | None) -> list[list[str]]:
    if figures is None or not figures.queued_to_started_s:
        return []
    up = max(figures.up_s, figures.up_again_s)
    return [
        [
            UP_GOAL,
            f"{figures.up_s:.1f} s, again after `down -v` {figures.up_again_s:.1f} s",
            f"<= {UP_GOAL_S} s",
            verdict(up <= UP_GOAL_S),
        ],
        [
            QUEUED_GOAL,
            f"{figures.queued_to_started_median_s:.1f} s over {len(figures.queued_to_started_s)}"
            f" runs (launch to first step {figures.launch_to_first_step_median_s:.1f} s)",
            f"<= {QUEUED_GOAL_S} s",
            verdict(figures.queued_to_started_median_s <= QUEUED_GOAL_S),
        ],
    ]


def stack_section(figures: StackFigures | None, skipped: str | None) -> list[str]:
    lines = [
        STACK_HEADING,
        "",
        "`docker compose` on the machine's Docker engine, with the test suite's override "
        "(`tests/compose/compose.test.yml`: the images a registry would provide are stand-ins"
        " built from Debian's packages): the project's images built with `--no-cache`, then "
        "again (every layer cached); `up -d --wait` on those images, each container's start "
        "and first passing health check counted from the call (the engine's events); one "
        "small asset (`orders_raw`) launched through the webserver's GraphQL API, one run "
        "after another, from the launch to the run's first step and from queued to started; "
        "the whole graph launched through GraphQL in the order of "
        "`scripts/materialize_all.py`; each container's peak memory after it, as its cgroup "
        "counts it (`memory.peak`, or `memory.max_usage_in_bytes` under cgroup v1, page cache"
        " included); `down -v` and `up -d --wait` again. Then the native stack "
        "(`deploy/native-stack.sh up`) and the same whole graph, as the baseline. Reproduce: "
        "`./scripts/benchmark.sh --sections compose --update` (needs a Docker engine, or root"
        " to start one).",
        "",
    ]
    if figures is None:
        return [*lines, f"Not run ({skipped or 'not requested'}).", ""]
    failed = {
        selection: status
        for statuses in (figures.whole_graph_statuses, figures.native_whole_graph_statuses)
        for selection, status in statuses.items()
        if status != "SUCCESS"
    }
    summary = [
        ["build, no cache", f"{figures.build_cold_s:.1f}", ""],
        ["build again, cached", f"{figures.build_warm_s:.1f}", ""],
        ["`up -d --wait`", f"{figures.up_s:.1f}", ""],
        ["`up -d --wait` after `down -v`", f"{figures.up_again_s:.1f}", ""],
        [
            "launch to first step, median",
            f"{figures.launch_to_first_step_median_s:.1f}",
            ", ".join(f"{value:.1f}" for value in figures.launch_to_first_step_s),
        ],
        [
            "queued to started, median",
            f"{figures.queued_to_started_median_s:.1f}",
            ", ".join(f"{value:.1f}" for value in figures.queued_to_started_s),
        ],
        ["native stack `up`", f"{figures.native_up_s:.1f}", ""],
    ]
    graph = [
        ["native stack", f"{figures.native_whole_graph_s:.1f}", "1.00x"],
        [
            "compose stack",
            f"{figures.whole_graph_s:.1f}",
            f"{figures.whole_graph_s / figures.native_whole_graph_s:.2f}x",
        ],
    ]
    containers = [
        [
            start.service,
            f"{start.started_s:.1f}",
            "no check" if start.healthy_s is None else f"{start.healthy_s:.1f}",
            _megabytes(figures.peak_memory_mb.get(start.service)),
        ]
        for start in figures.containers
    ]
    lines += [
        markdown_table(["what", "seconds", "each run (s)"], summary),
        "",
        f"The whole graph at DATA_SCALE={figures.data_scale:g}, through each stack's GraphQL API:",
        "",
        markdown_table(["stack", "seconds", "vs native"], graph),
        "",
        "Failed runs: "
        + (", ".join(f"{name} {status}" for name, status in failed.items()) or "none")
        + ".",
        "",
        "Each container during the first `up -d --wait` (seconds after the call) and its peak "
        "memory after the whole graph:",
        "",
        markdown_table(["service", "started", "healthy", "peak memory MB"], containers),
        "",
    ]
    return lines


def _megabytes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"
