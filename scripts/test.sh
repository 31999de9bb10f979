#!/usr/bin/env bash
# The test command: set up .venv (and PostgreSQL's binaries), lint and format-check with ruff,
# type-check with mypy, validate the definitions and their components with `dg check defs`, then
# run the whole test suite.
# Extra arguments go to pytest (for example: scripts/test.sh tests/io_managers -x).
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
ensure_postgres_installed
ensure_stack_test_tools_installed
ensure_prometheus_installed
cd "$REPOSITORY_ROOT"
echo "+ ruff check ."
ruff check .
echo "+ ruff format --check ."
ruff format --check .
echo "+ mypy dagster_project"
mypy dagster_project
echo "+ dg check defs"
dg check defs
if [ $# -gt 0 ]; then
  echo "+ pytest $*"
  exec python -m pytest "$@"
fi

# The whole suite in two pytest processes at once, so the waits of one overlap the work of the
# other on two cores. In the background: the tests that need a Docker engine (the compose tests: a
# Docker build, then a stack the tests mostly wait on; and the engine module's own tests, which
# must not run beside them), then the deploy folder's other tests (the native stack, which its
# tests share) and the scripts' (the main job), which balance the two halves' lengths. In the
# foreground: everything else. Job control gives the background job its own process group with
# the default signal handling (a plain `&` would start it with SIGINT ignored, and every server it
# starts would inherit that).
mkdir -p test-artifacts
background_log=test-artifacts/docker-tests.log
# Failures as short tracebacks without the captured logs (a test's own message says what it
# waited for; rerun one test to see its logs), and the slowest tests, so the whole report of a
# CI run stays readable.
report=(--tb=short --show-capture=no --durations=15)
background_tests=(tests/deploy tests/scripts)
set -m
echo "+ { pytest -m docker ${report[*]}; pytest -m 'not docker' ${report[*]} ${background_tests[*]}; } > $background_log   (in the background)"
(
  status=0
  python -m pytest -m docker -p no:cacheprovider "${report[@]}" || status=$?
  python -m pytest -m "not docker" -p no:cacheprovider "${report[@]}" "${background_tests[@]}" ||
    status=$?
  exit "$status"
) > "$background_log" 2>&1 &
background_pid=$!
set +m
trap 'kill -TERM -- "-$background_pid" 2> /dev/null || true' EXIT
ignored=("${background_tests[@]/#/--ignore=}")
echo "+ pytest -m 'not docker' ${report[*]} ${ignored[*]}"
status=0
python -m pytest -m "not docker" "${report[@]}" "${ignored[@]}" || status=$?
background_status=0
wait "$background_pid" || background_status=$?
trap - EXIT
echo "+ cat $background_log"
cat "$background_log"
if [ "$status" -ne 0 ] || [ "$background_status" -ne 0 ]; then
  echo "error: pytest exited $status, the background tests $background_status" >&2
  exit 1
fi
