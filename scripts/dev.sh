#!/usr/bin/env bash
# Open the Dagster UI on the local instance: http://127.0.0.1:${DAGSTER_WEBSERVER_PORT:-3000}
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
use_local_instance
cd "$REPOSITORY_ROOT"
exec dagster dev -m dagster_project.definitions -h 127.0.0.1 -p "${DAGSTER_WEBSERVER_PORT:-3000}"
