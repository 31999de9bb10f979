"""Every command of the docs' shell blocks resolves (see commands.py); the cheap offline ones run.

Run here: the capacity planner on the example inventory, `dg list defs`, and the `--help` of every
command whose flags are checked. Run by test_newcomer.py: `source scripts/activate.sh`, then
`dagster asset materialize` and `dg launch` of one asset into a DAGSTER_HOME that did not exist.
Resolved only: the commands that start servers or Docker (`docker compose`, the native stack,
`scripts/dev.sh`, a Spark cluster), run the whole graph or the whole suite
(`scripts/materialize-all.sh`, `scripts/test.sh`, `scripts/benchmark.sh`, `pre-commit run`), need
a stack or a recorded instance (`plan_from_instance`, the CLI against a stack), or that other
tests run already (`dg check defs` in the test command, `dg scaffold defs` in
tests/test_starter_template.py).
"""

import os
import subprocess
import sys

import pytest

from tests.docs.commands import resolve
from tests.docs.pages import REPOSITORY_ROOT, all_commands
from tests.docs.test_configuration import documented

UNIQUE_COMMANDS = sorted(
    {(command.words, command.folder): command for command in all_commands()}.values(), key=str
)
RUN_ELSEWHERE = {
    ("dg", "check", "defs"): "scripts/test.sh",
    ("dg", "scaffold", "defs"): "tests/test_starter_template.py",
}
PLANNER = (
    "python",
    "-m",
    "dagster_project.planning",
    "--inventory",
    "dagster_project/planning/example_inventory.json",
    "--memory-budget-mb",
    "4096",
    "--cores",
    "2",
)


@pytest.mark.parametrize("command", UNIQUE_COMMANDS, ids=str)
def test_every_command_of_the_docs_resolves(command, definitions):
    assert resolve(command, definitions, documented()) == []


@pytest.mark.parametrize("words", RUN_ELSEWHERE, ids=" ".join)
def test_the_commands_other_tests_run_are_run_there(words):
    runner = (REPOSITORY_ROOT / RUN_ELSEWHERE[words]).read_text()
    assert " ".join(words) in runner or ", ".join(f'"{word}"' for word in words[1:]) in runner


def run(*words: str) -> subprocess.CompletedProcess:
    environ = {
        **os.environ,
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        words, cwd=REPOSITORY_ROOT, env=environ, capture_output=True, text=True, timeout=300
    )


def test_the_capacity_planner_runs_on_the_example_inventory():
    assert any(command.words == PLANNER for command in all_commands())
    completed = run(*PLANNER)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.startswith("#")


def test_dg_list_defs_lists_the_code_location(definitions):
    assert any(command.words == ("dg", "list", "defs") for command in all_commands())
    completed = run("dg", "list", "defs", "--json")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert '"asset_key": "orders_raw"' in completed.stdout
