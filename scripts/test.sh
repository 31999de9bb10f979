#!/usr/bin/env bash
# The test command: set up .venv (and PostgreSQL's binaries), lint and format-check with ruff,
# type-check with mypy, then run the whole test suite.
# Extra arguments go to pytest (for example: scripts/test.sh tests/io_managers -x).
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
ensure_postgres_installed
ensure_stack_test_tools_installed
cd "$REPOSITORY_ROOT"
echo "+ ruff check ."
ruff check .
echo "+ ruff format --check ."
ruff format --check .
echo "+ mypy dagster_project"
mypy dagster_project
echo "+ pytest $*"
exec python -m pytest "$@"
