"""The measures behind sections 6 and 7 that are computed, not timed: the import-time report's
parsing, the CPU floor of the main job, what the load pays before the project's code and the
class archive's table."""

import pytest

from benchmarks.code_location_load import LoadTime, parse_importtime, profile_import
from benchmarks.main_job import ClassArchiveBuild, MainJob, Step, machine_busy_seconds
from benchmarks.report_speed import (
    before_project_code,
    class_archive_lines,
    cpu_floor,
    import_profile_lines,
    speed_goals,
)

# What `python -X importtime -c "import app.definitions"` prints (self | cumulative | name), a
# module's line after those of the modules it imported, two more spaces per level. `lib` is
# first imported by `app.defs.x` through `libcore`; a report printed by another process
# follows the module's line and is not part of its import.
REPORT = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   _io
import time:      1000 |       1000 |   app
import time:       200 |        200 |         libcore.util
import time:       300 |        500 |       libcore
import time:       400 |        900 |     lib
import time:       600 |       1500 |   app.defs.x
import time:       700 |        700 |   other
import time:      2000 |       5300 | app.definitions
import time: self [us] | cumulative | imported package
import time:      9999 |       9999 | lib.late
"""


def test_the_report_gives_each_package_its_own_time_and_its_importer():
    profile = parse_importtime(REPORT, "app.definitions")

    assert profile.seconds == pytest.approx(0.0053)
    by_package = {imported.package: imported for imported in profile.packages}
    assert by_package["lib"].seconds == pytest.approx(0.0004)  # lib.late came after: not counted
    assert by_package["libcore"].seconds == pytest.approx(0.0005)
    assert by_package["libcore"].imported_by == "lib"
    assert by_package["lib"].imported_by == "app.defs.x"
    assert by_package["app"].seconds == pytest.approx(0.0036)
    assert profile.packages[0].package == "app"  # ranked by seconds


def test_a_report_without_the_module_is_an_error():
    with pytest.raises(ValueError, match=r"no import of app\.definitions"):
        parse_importtime(REPORT.replace("app.definitions", "app.other"), "app.definitions")


def test_the_table_adds_up_to_the_whole_import():
    profile = parse_importtime(REPORT, "app.definitions")
    profile.packages = [
        imported if imported.package != "app" else type(imported)("dagster_project", "", 0.0036)
        for imported in profile.packages
    ]
    text = "\n".join(import_profile_lines(profile))
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[-1] == "| the definitions' import in all |  | 0.01 | 100% |"
    assert table[-2].startswith("| `dagster_project` (its modules")


def test_the_real_import_is_profiled_without_a_child_process_report():
    profile = profile_import()

    packages = {imported.package: imported for imported in profile.packages}
    assert {"dagster", "dagster_dbt", "dagster_project"} <= packages.keys()
    assert sum(imported.seconds for imported in profile.packages) <= profile.seconds * 1.05


def test_the_cpu_floor_is_the_cpu_time_over_the_cores():
    busy = machine_busy_seconds()
    assert busy is not None and busy > 0
    job = MainJob(one_at_a_time=False, seconds=70.0, cpu_seconds=125.0, cores=2)
    assert cpu_floor(job) == "125 CPU s, at least 62.5 s on 2 cores"
    assert cpu_floor(MainJob(one_at_a_time=False, seconds=70.0)) is None


def test_the_load_goal_row_says_what_comes_before_the_projects_code():
    def measured(what: str, median_s: float) -> LoadTime:
        return LoadTime(what, what, median_s, [median_s])

    load = [
        measured("import dagster (the floor)", 0.8),
        measured("import dagster-dbt (the dbt Component's package)", 2.3),
        measured("dg's own start", 0.7),
        measured("dg check defs", 6.0),
    ]

    [row] = speed_goals(None, None, load)

    assert row[1] == (
        "6.00 s (7.5x `import dagster`); dg's own start 0.70 s and `import dagster_dbt` 2.30 s "
        "come before the project's code, 3.00 s together"
    )
    assert row[3] == "**missed**"
    # a run pickled before the two commands were measured still reports its goal row
    assert before_project_code([load[0], load[3]]) is None
    assert speed_goals(None, None, [load[0], load[3]])[0][1] == "6.00 s (7.5x `import dagster`)"


def test_the_class_archive_table_lists_the_runs_in_turn_and_compares_their_means():
    def run(seconds: float, with_archive: bool) -> MainJob:
        step = Step(run="3 assets", key="lake_transactions", started_s=seconds / 4, seconds=1.0)
        return MainJob(False, seconds, [step], seconds * 1.5, 2, class_archive=with_archive)

    runs = [run(30.0, True), run(40.0, False), run(32.0, True), run(38.0, False)]

    main_job = MainJob(False, 80.0, cpu_seconds=150.0, cores=2)

    lines = class_archive_lines(runs, ClassArchiveBuild(seconds=42.0, size_mb=186.0), main_job)

    text = "\n".join(lines)
    assert "took 42.0 s to build and holds 186 MB" in text
    assert "takes 0.79x the time of the mean run without" in text  # 31 / 39
    # CPU: 46.5 s with against 58.5 s without, 12 s saved of the main job's 150
    assert "uses 12.0 CPU s less with it, 8% of the main job's 150 CPU s" in text
    rows = [
        line for line in lines[2].splitlines() if line.startswith("| with") or "without |" in line
    ]
    assert rows == [
        "| with the class archive | 30.0 | 7.5 | 45.0 | 22.5 |",
        "| without | 40.0 | 10.0 | 60.0 | 30.0 |",
        "| with the class archive | 32.0 | 8.0 | 48.0 | 24.0 |",
        "| without | 38.0 | 9.5 | 57.0 | 28.5 |",
    ]
    assert class_archive_lines(runs, None) == []
    without_cpu = class_archive_lines(runs, ClassArchiveBuild(42.0, 186.0), MainJob(False, 80.0))
    assert "beside the others." in without_cpu[0] and "CPU s less" not in without_cpu[0]
