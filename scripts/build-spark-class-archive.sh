#!/usr/bin/env bash
# The Spark driver's class-data archive (docs/spark.md): set up .venv, then build the archive into
# SPARK_CLASS_ARCHIVE_DIR (default .local/spark-class-archive) unless an intact one is there.
# Extra arguments go to scripts/build_spark_class_archive.py (--force builds anyway).
set -euo pipefail
source "$(dirname "$0")/lib/environment.sh"
ensure_venv
cd "$REPOSITORY_ROOT"
exec python scripts/build_spark_class_archive.py "$@"
