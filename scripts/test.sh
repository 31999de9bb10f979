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
if [ $# -gt 0 ]; then
  echo "+ pytest $*"
  exec python -m pytest "$@"
fi

# The whole suite in two pytest processes at once: the compose tests (a Docker build, then a
# stack that the tests mostly wait on) beside everything else, so the waits of one overlap the
# work of the other on two cores. Job control gives the background process its own process group
# with the default signal handling (a plain `&` would start it with SIGINT ignored, and every
# server it starts would inherit that).
mkdir -p test-artifacts
compose_log=test-artifacts/compose-tests.log
set -m
echo "+ pytest -m compose > $compose_log   (in the background)"
python -m pytest -m compose -p no:cacheprovider > "$compose_log" 2>&1 &
compose_pid=$!
set +m
trap 'kill -TERM -- "-$compose_pid" 2> /dev/null || true' EXIT
echo "+ pytest -m 'not compose'"
status=0
python -m pytest -m "not compose" || status=$?
compose_status=0
wait "$compose_pid" || compose_status=$?
trap - EXIT
echo "+ cat $compose_log"
cat "$compose_log"
if [ "$status" -ne 0 ] || [ "$compose_status" -ne 0 ]; then
  echo "error: pytest exited $status, the compose tests $compose_status" >&2
  exit 1
fi
