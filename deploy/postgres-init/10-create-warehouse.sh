#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is new: the warehouse gets its own database beside
# Dagster's (POSTGRES_DB), owned by the same user.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE DATABASE \"${WAREHOUSE_DB}\" OWNER \"${POSTGRES_USER}\""
