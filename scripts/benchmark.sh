#!/usr/bin/env bash
# The benchmarks: set up .venv, then measure the tiers, the executors, the data that passes
# through Dagster and how the medium tier and Spark scale; print the tables and write
# BENCHMARKS.md.
# Extra arguments go to `python -m benchmarks` (--help lists them; --tiny is a smoke run at a small
# size, --with-1gb adds the 1 GB frame).
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
cd "$REPOSITORY_ROOT"
exec python -m benchmarks "$@"
