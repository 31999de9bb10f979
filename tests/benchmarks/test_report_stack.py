"""Section 8 (the stack) and its goal rows, rendered from figures made up here: the shape of
the tables, the ratio against the native stack, failed runs named, goals judged against their
targets. (The measurement itself needs a Docker engine and runs with `--sections compose`.)"""

from benchmarks.compose_stack import ContainerStart, StackFigures
from benchmarks.report_stack import STACK_HEADING, stack_goals, stack_section
from tests.benchmarks.test_benchmarks_run import table_rows


def figures(**overrides) -> StackFigures:
    made_up = StackFigures(
        data_scale=1.0,
        build_cold_s=200.0,
        build_warm_s=2.0,
        up_s=27.0,
        up_again_s=25.0,
        containers=[
            ContainerStart("postgres", 0.5, 2.5),
            ContainerStart("code-location", 8.0, 19.0),
            ContainerStart("alert-receiver", 1.0, None),
        ],
        launch_to_first_step_s=[9.0, 7.0, 8.0],
        queued_to_started_s=[5.0, 4.0, 7.0],
        whole_graph_s=150.0,
        whole_graph_statuses={"group:spark": "SUCCESS", "group:iot": "SUCCESS"},
        peak_memory_mb={"postgres": 80.4, "code-location": 950.0},
        native_up_s=40.0,
        native_whole_graph_s=100.0,
        native_whole_graph_statuses={"group:spark": "SUCCESS", "group:iot": "SUCCESS"},
    )
    for name, value in overrides.items():
        setattr(made_up, name, value)
    return made_up


def test_the_section_has_every_figure_and_the_ratio_to_the_native_stack():
    markdown = "\n".join(stack_section(figures(), None))

    summary = table_rows(markdown, STACK_HEADING)
    assert [row[0] for row in summary[2:]] == [
        "build, no cache",
        "build again, cached",
        "`up -d --wait`",
        "`up -d --wait` after `down -v`",
        "launch to first step, median",
        "queued to started, median",
        "native stack `up`",
    ]
    assert summary[6][1:] == ["8.0", "9.0, 7.0, 8.0"]
    assert summary[7][1:] == ["5.0", "5.0, 4.0, 7.0"]
    graph = table_rows(markdown, "through each stack's GraphQL")
    assert graph[2:] == [["native stack", "100.0", "1.00x"], ["compose stack", "150.0", "1.50x"]]
    assert "Failed runs: none." in markdown
    containers = table_rows(markdown, "peak memory after the whole graph")
    assert containers[2:] == [
        ["postgres", "0.5", "2.5", "80"],
        ["code-location", "8.0", "19.0", "950"],
        ["alert-receiver", "1.0", "no check", "n/a"],
    ]


def test_a_failed_run_is_named_and_a_section_not_measured_says_why():
    failed = figures(native_whole_graph_statuses={"group:spark": "FAILURE"})

    assert "Failed runs: group:spark FAILURE." in "\n".join(stack_section(failed, None))
    assert "Not run (--sections)." in "\n".join(stack_section(None, "--sections"))
    assert stack_goals(None) == []


def test_each_goal_is_judged_against_its_target():
    met = {row[0]: row[3] for row in stack_goals(figures())}
    slow = {
        row[0]: row[3] for row in stack_goals(figures(up_again_s=31.0, queued_to_started_s=[7.0]))
    }

    assert set(met.values()) == {"**met**"}
    assert set(slow.values()) == {"**missed**"}
