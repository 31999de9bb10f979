#!/usr/bin/env bash
# The benchmarks: set up .venv, then measure the tiers, the executors, the data that passes
# through Dagster and how the medium tier and Spark scale; print the tables and write
# BENCHMARKS.md. About 15 minutes at the default sizes on the 2-core reference machine (25 with
# --with-1gb).
# Extra arguments go to `python -m benchmarks` (--help lists them; --tiny is a 1-minute smoke run).
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
cd "$REPOSITORY_ROOT"
exec python -m benchmarks "$@"
