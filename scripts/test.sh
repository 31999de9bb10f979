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

# The whole suite in two workers at once, so the waits of one overlap the work of the other on
# two cores. One worker starts with the tests that need a Docker engine (the compose tests: a
# Docker build, then a stack the tests mostly wait on; and the engine module's own tests, which
# must not run beside them), the other with everything that needs none. The deploy folder's other
# tests (the native stack, which its tests share) and the scripts' (the main job) go to whichever
# worker finishes first: the Docker half's length depends on whether the images are cached, so no
# fixed split keeps both halves even. Each group's output lands in test-artifacts/tests-<group>.log
# (the main group's is also printed as it runs), and every log is printed at the end. Job control
# gives each worker its own process group with the default signal handling (a plain `&` would
# start it with SIGINT ignored, and every server it starts would inherit that).
mkdir -p test-artifacts
# Failures as short tracebacks without the captured logs (a test's own message says what it
# waited for; rerun one test to see its logs), and the slowest tests, so the whole report of a
# CI run stays readable.
report=(--tb=short --show-capture=no --durations=15)
shared_groups=(deploy scripts)
claims=$(mktemp -d)

run_group() {
  local name=$1 log=test-artifacts/tests-$1.log started=$SECONDS status=0
  local arguments
  case $name in
    docker) arguments=(-m docker) ;;
    main) arguments=(-m "not docker" "${shared_groups[@]/#/--ignore=tests/}") ;;
    *) arguments=(-m "not docker" "tests/$name") ;;
  esac
  echo "+ [$name] pytest ${arguments[*]} > $log   (at $(date -u +%H:%M:%S))"
  if [ "$name" = main ]; then
    python -m pytest -p no:cacheprovider "${report[@]}" "${arguments[@]}" 2>&1 | tee "$log" ||
      status=$?
  else
    python -m pytest -p no:cacheprovider "${report[@]}" "${arguments[@]}" > "$log" 2>&1 ||
      status=$?
  fi
  echo "+ [$name] exit $status after $((SECONDS - started)) s" | tee -a test-artifacts/test-groups.txt
  return "$status"
}

# Runs its first group, then claims the shared groups the other worker has not (mkdir is atomic).
worker() {
  local status=0 group
  run_group "$1" || status=1
  for group in "${shared_groups[@]}"; do
    mkdir "$claims/$group" 2> /dev/null || continue
    run_group "$group" || status=1
  done
  return "$status"
}

: > test-artifacts/test-groups.txt
set -m
worker docker &
docker_worker=$!
worker main &
main_worker=$!
set +m
trap 'kill -TERM -- "-$docker_worker" "-$main_worker" 2> /dev/null || true; rm -rf "$claims"' EXIT
docker_status=0
main_status=0
wait "$main_worker" || main_status=$?
wait "$docker_worker" || docker_status=$?
trap - EXIT
rm -rf "$claims"
for group in docker "${shared_groups[@]}"; do
  echo "+ cat test-artifacts/tests-$group.log"
  cat "test-artifacts/tests-$group.log"
done
echo "+ cat test-artifacts/test-groups.txt"
cat test-artifacts/test-groups.txt
if [ "$main_status" -ne 0 ] || [ "$docker_status" -ne 0 ]; then
  echo "error: a test group failed (test-artifacts/test-groups.txt)" >&2
  exit 1
fi
