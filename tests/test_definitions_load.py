"""Loading the definitions leaves the libraries only steps use to those steps, and sets the
process variables pandera's import would set. Each check runs in a fresh interpreter: this test
session has imported those libraries already."""

import json
import os
import subprocess
import sys

from dagster_project.quality.schema_check import PANDERA_ENVIRONMENT

# Slow to import and used only inside steps, where they are imported (see each module).
STEP_ONLY_LIBRARIES = {
    "matplotlib": "monitoring/dashboard.py, the dashboard's chart",
    "pandera": "quality/schema_check.py, the schema checks",
    "pyspark": "defs/spark/__init__.py, the Spark group",
    "aiobotocore": "bounded_http_session.py, the object stores' client",
}


def run_python(code: str, dagster_home) -> str:
    """``code``'s standard output, run by a fresh interpreter without pandera's variables."""
    environ = {name: value for name, value in os.environ.items() if name not in PANDERA_ENVIRONMENT}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env=environ | {"DAGSTER_HOME": str(dagster_home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_loading_the_definitions_imports_no_library_that_only_steps_use(tmp_path):
    modules = run_python(
        "import sys, dagster_project.definitions; print(*sys.modules)", tmp_path
    ).split()

    imported = {name.partition(".")[0] for name in modules}
    assert {
        library: where for library, where in STEP_ONLY_LIBRARIES.items() if library in imported
    } == {}


def test_the_definitions_set_the_variables_pandera_sets_on_import(tmp_path):
    show = "import json, os; print(json.dumps({name: os.environ.get(name) for name in %r}))"
    names = sorted(PANDERA_ENVIRONMENT)

    by_pandera = run_python(f"import pandera.pandas; {show % names}", tmp_path)
    by_definitions = run_python(f"import dagster_project.definitions; {show % names}", tmp_path)

    assert json.loads(by_pandera) == json.loads(by_definitions) == PANDERA_ENVIRONMENT
