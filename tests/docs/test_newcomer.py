"""The shell path of the README on a fresh clone: `source scripts/activate.sh`, then the documented
`dagster asset materialize` and `dg launch` of one asset, with a DAGSTER_HOME that does not exist
yet (a fresh clone has no .local/dagster_home). `dagster asset materialize` refuses a
DAGSTER_HOME that is not a directory (and `dg launch` makes a bare one, without the project's
dagster.yaml); the activation creates it, with the embedded default's dagster.yaml.

The checkout's .venv is reused (a copy would install every package again); the data goes to a
temporary folder, at a hundredth of the documented sizes."""

import os
import shlex
import subprocess

from tests.docs.pages import PAGES, REPOSITORY_ROOT, all_commands

ASSET = "orders_raw"
MATERIALIZE = (
    "dagster",
    "asset",
    "materialize",
    "-m",
    "dagster_project.definitions",
    "--select",
    ASSET,
)
LAUNCH = ("dg", "launch", "--assets", ASSET)
ACTIVATE = ("source", "scripts/activate.sh")


def shell(script: str, tmp_path) -> subprocess.CompletedProcess:
    environ = {
        **{name: value for name, value in os.environ.items() if not name.startswith("DAGSTER_")},
        "DAGSTER_HOME": str(tmp_path / "fresh" / "dagster_home"),
        "DATA_SCALE": "0.01",
        "STORAGE_URL": str(tmp_path / "storage"),
        "WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "LAKE_URL": f"file://{tmp_path / 'lake'}",
    }
    return subprocess.run(
        ["bash", "-c", script],
        cwd=REPOSITORY_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_readme_documents_these_commands():
    documented = {command.words for command in all_commands() if command.page == "README.md"}
    assert {ACTIVATE, MATERIALIZE, LAUNCH} <= documented
    assert PAGES[0].name == "README.md"


def test_a_dagster_home_that_does_not_exist_is_refused_without_the_activation(tmp_path):
    bare = shell(shlex.join(MATERIALIZE), tmp_path)
    assert bare.returncode != 0
    assert "is not a directory or does not exist" in bare.stdout + bare.stderr


def test_after_the_activation_the_documented_commands_run_on_a_fresh_dagster_home(tmp_path):
    script = " && ".join(shlex.join(words) for words in (ACTIVATE, MATERIALIZE, LAUNCH))
    completed = shell(script, tmp_path)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert output.count("RUN_SUCCESS") == 2
    assert (tmp_path / "fresh" / "dagster_home" / "dagster.yaml").is_file()
    assert (tmp_path / "storage" / "small" / f"{ASSET}.pkl").is_file()
