#!/usr/bin/env bash
# The stack without Docker: `up`, `down` or `status`. The same services and environment variables
# as docker-compose.yml, started on 127.0.0.1 with their data, logs and PIDs in .local/stack/.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/environment.sh"
ensure_venv
if [ "${1:-}" = "up" ]; then
  ensure_postgres_installed
  ensure_prometheus_installed
fi
cd "$REPOSITORY_ROOT"
exec python -m deploy.native_stack "$@"
