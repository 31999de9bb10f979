"""The benchmark command runs end to end on a tiny size and produces every table.

No figure is checked: timings on a shared CI machine mean nothing. What is checked is that the
command works and that BENCHMARKS.md keeps its shape: every section, every row, a ratio column.
"""

import re
import subprocess
import sys
from pathlib import Path

from benchmarks.io_cases import cases_for
from benchmarks.report import mark_separate_sections

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the first table after ``heading``."""
    section = markdown.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows


def test_the_tiny_run_writes_every_table_with_ratios(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--output", str(output)],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    markdown = output.read_text()
    assert completed.stdout.strip() == markdown.strip()

    for heading in (
        "## Machine",
        "## Goals",
        "## 1. I/O tiers",
        "## 2. Orchestration overhead",
        "## 3. Data movement",
        "## 4. Scaling",
        "## 5. Metrics exporter",
        "## 6. The main job",
        "## 7. Loading the code location",
    ):
        assert heading in markdown
    assert re.search(r"\| pyarrow \| \d+\.", markdown)

    io_rows = table_rows(markdown, "Local disk:")
    assert io_rows[0][:3] == ["case", "write s", "read s"]
    assert len(io_rows) == 2 + len(cases_for("local"))
    for row in io_rows[2:]:
        assert "failed" not in row, row
        assert re.fullmatch(r"[\d.]+ \([\d.]+x\)", row[1]), row

    arrow_rows = table_rows(markdown, "### 1MB Arrow strings frame")
    arrow_cases = {row[0] for row in arrow_rows[2:]}
    assert len(arrow_cases) == len(cases_for("local", "arrow"))
    assert any(case.startswith("bound: plain pyarrow") for case in arrow_cases)

    goals = table_rows(markdown, "## Goals")
    verdicts = ("**met**", "**missed**", "measured", "**true**", "**false**")
    assert [row[0] for row in goals[2:]] and all(row[3].startswith(verdicts) for row in goals[2:])
    claims = [row[0] for row in goals[2:] if row[0].startswith("claim: Parquet is 40-50% faster")]
    assert [claim.endswith(("object strings)", "Arrow-backed strings)")) for claim in claims] == [
        True,
        True,
    ]
    assert any("vs plain pyarrow" in row[0] for row in goals[2:])

    orchestration = table_rows(markdown, "## 2. Orchestration overhead")
    in_process = next(row for row in orchestration if row[0] == "in_process")
    assert re.fullmatch(r"[\d.]+ \(1\.00x\)", in_process[3])
    assert {row[0] for row in orchestration[2:]} == {"in_process"}

    movement = table_rows(markdown, "## 3. Data movement")
    groups = {row[0]: row for row in movement[2:]}
    assert {"ecommerce", "logs", "warehouse", "spark"} <= set(groups)
    assert groups["logs"][2] != "not run" and groups["spark"][2] == "not run"

    scaling = table_rows(markdown, "## 4. Scaling")
    assert [row[0].split()[-1] for row in scaling[2:]] == ["(1x)", "(10x)"]

    scrapes = table_rows(markdown, "## 5. Metrics exporter")
    assert [row[0] for row in scrapes[2:]] == ["0", "100"]
    assert all(re.fullmatch(r"[\d.]+ \([\d.]+x\)", row[1]) for row in scrapes[2:]), scrapes

    assert "## 6. The main job" in markdown.split("Not run (--tiny).")[0]
    load = table_rows(markdown, "## 7. Loading the code location")
    assert [row[0] for row in load[2:]] == [
        "import dagster (the floor)",
        "import dagster-dbt (the dbt Component's package)",
        "dg's own start",
        "import the definitions",
        "dg check defs",
        "dagster definitions validate",
    ]
    assert load[2][3] == "1.0x" and all(re.fullmatch(r"[\d.]+x", row[3]) for row in load[2:])
    assert any(row[0].startswith("the code location loads") for row in goals[2:])
    imports = table_rows(markdown, "Where the import goes")
    assert imports[0] == ["package", "first imported by", "seconds", "share"]
    assert "`dagster_dbt`" in [row[0] for row in imports[2:]] or any(
        row[1].startswith("`dagster_dbt") for row in imports[2:]
    ), imports
    assert imports[-1][0] == "the definitions' import in all" and imports[-1][3] == "100%"
    stack = markdown.split("## 8. The stack", 1)[1]
    assert "Not run (--sections)." in stack.split("## ", 1)[0]  # it needs --sections compose


def run_update(tmp_path, *arguments: str) -> tuple[str, str]:
    """``python -m benchmarks --update`` with ``arguments`` on a copy of BENCHMARKS.md: the
    copy before and after."""
    output = tmp_path / "BENCHMARKS.md"
    original = (REPOSITORY_ROOT / "BENCHMARKS.md").read_text()
    output.write_text(original)
    command = [sys.executable, "-m", "benchmarks", *arguments, "--update", "--output", str(output)]
    completed = subprocess.run(
        command, cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return original, output.read_text()


def test_an_update_replaces_section_5_only_and_says_so(tmp_path):
    original, updated = run_update(tmp_path, "--sections", "metrics", "--metrics-runs", "0,10")

    assert updated.count("## 5. Metrics exporter") == 1
    assert updated.count("Measured separately from the sections above") == 1
    assert "(sections 5 to 8 may come from runs of their own, each stamped)" in updated
    assert [row[0] for row in table_rows(updated, "## 5. Metrics exporter")[2:]] == ["0", "10"]
    assert without_section_5(updated) == mark_separate_sections(without_section_5(original))


def without_section_5(markdown: str) -> str:
    before, found, after = markdown.partition("## 5. Metrics exporter")
    return before + after[after.index("\n## ") + 1 :] if found else markdown


def test_an_update_of_section_7_replaces_it_and_its_goal_row_only(tmp_path):
    original, updated = run_update(tmp_path, "--sections", "load", "--load-repeat", "1")

    assert updated.count("## 7. Loading the code location") == 1
    assert section(updated, "## 7. Loading the code location").count("Measured separately") == 1
    goal = [
        row for row in table_rows(updated, "## Goals") if row[0].startswith("the code location")
    ]
    assert len(goal) == 1 and goal[0][2] == "<= 3 s"
    assert re.search(r"dg's own start [\d.]+ s and `import dagster_dbt` [\d.]+ s", goal[0][1])
    for heading in ("## 1. I/O tiers", "## 6. The main job", "## What the profiles showed"):
        assert section(updated, heading) == section(original, heading)


def section(markdown: str, heading: str) -> str:
    after = markdown.split(heading, 1)[1]
    return after.split("\n## ", 1)[0]
