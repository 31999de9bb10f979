#!/usr/bin/env bash
# The main job: set up .venv, then materialize every asset group into the local Dagster instance
# (.local/dagster_home), printing each `dg launch` command as it runs. Extra arguments go to
# scripts/materialize_all.py (--dry-run prints the commands without running them).
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
use_local_instance
cd "$REPOSITORY_ROOT"
exec python scripts/materialize_all.py "$@"
