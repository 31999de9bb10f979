# Shared by the scripts in scripts/: creates or reuses .venv, prepares the dbt manifest, installs
# Java and PostgreSQL when missing, and points Dagster at the local instance. Source it, then call
# ensure_venv (which also checks Java and prepares the manifest), use_local_instance for commands
# that record runs, and ensure_postgres_installed for the tests.

REPOSITORY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$REPOSITORY_ROOT/.venv"
DEFAULT_DAGSTER_HOME="$REPOSITORY_ROOT/.local/dagster_home"

# Create .venv with Python >= 3.11 and install the project with the pinned constraints. The
# install is skipped while pyproject.toml and constraints.txt are unchanged since the last one.
ensure_venv() {
  local python=${PYTHON:-python3}
  if [ ! -x "$VENV/bin/python" ]; then
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
      echo "error: $python is $("$python" --version 2>&1); this project needs Python 3.11 to 3.13." \
        "Set PYTHON=/path/to/python3.11 and run again." >&2
      return 1
    }
    echo "+ $python -m venv .venv"
    "$python" -m venv "$VENV"
  fi
  local wanted installed
  wanted=$(cat "$REPOSITORY_ROOT/pyproject.toml" "$REPOSITORY_ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)
  installed=$(cat "$VENV/.installed" 2>/dev/null || true)
  if [ "$wanted" != "$installed" ]; then
    echo "+ pip install -c constraints.txt -e '.[dev]'   (first time: about 3 minutes)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -c "$REPOSITORY_ROOT/constraints.txt" -e "$REPOSITORY_ROOT[dev]"
    "$VENV/bin/python" -m pip check
    echo "$wanted" > "$VENV/.installed"
  fi
  export PATH="$VENV/bin:$PATH"
  export VIRTUAL_ENV="$VENV"
  export DBT_SEND_ANONYMOUS_USAGE_STATS=false
  ensure_java_installed
  prepare_dbt_manifest
}

# The dbt manifest must exist before the definitions load (dagster-dbt reads it at import). It is
# rebuilt only when it is missing or a hash changed: of the .sql and .yml files of dbt_project/
# (other files are not hashed) and of constraints.txt (the installed versions).
# Nothing to do in a fork that dropped the dbt group.
prepare_dbt_manifest() {
  local project="$REPOSITORY_ROOT/dbt_project" wanted
  [ -f "$REPOSITORY_ROOT/dagster_project/defs/dbt/defs.yaml" ] || return 0
  wanted=$(cd "$project" && find . -path ./target -prune -o -path ./logs -prune \
      -o -path ./dbt_packages -prune -o -type f \( -name '*.sql' -o -name '*.yml' \) -print \
    | LC_ALL=C sort | xargs cat | cat - "$REPOSITORY_ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)
  if [ -f "$project/target/manifest.json" ] && [ "$(cat "$project/target/.prepared" 2>/dev/null)" = "$wanted" ]; then
    return
  fi
  echo "+ dagster-dbt project prepare-and-package --components ."
  # Parsed with the embedded default's profile (the variables WarehouseResource.dbt_environment
  # sets for .local/warehouse.duckdb): dbt reuses a parse only for the same profile, so the
  # default deployment's dbt steps then skip parsing the project.
  (cd "$REPOSITORY_ROOT" && DBT_TARGET=local \
    DBT_DUCKDB_PATH="$(pwd -P)/.local/warehouse.duckdb" dagster-dbt project prepare-and-package \
    --components . > /dev/null)
  echo "$wanted" > "$project/target/.prepared"
}

# Install Debian packages for a purpose (as root), or say how to when this shell cannot.
# Usage: apt_install "<why>" package...
apt_install() {
  local why=$1
  shift
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null; then
    echo "error: $why needs: $*. Install it, for example:" \
      "sudo apt-get install -y --no-install-recommends $*" >&2
    return 1
  fi
  echo "+ apt-get install -y --no-install-recommends $*   ($why)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > /dev/null
}

# Spark (the spark group, in the main job and the tests) needs a Java 17 or newer runtime. Install
# Debian's when none is found (as root).
ensure_java_installed() {
  if command -v java > /dev/null \
    && java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then
    return
  fi
  apt_install "Spark (Java 17 or newer)" openjdk-17-jre-headless
}

# The stack's tests drive the UI in Debian's Chromium and check the compose file with Debian's
# docker-compose (v1 parses the file without a Docker engine); the compose tests make their base
# image with debootstrap (deploy/docker_engine.py installs docker.io itself when no engine
# answers). Install them when missing (as root).
ensure_stack_test_tools_installed() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v docker-compose > /dev/null || missing+=(docker-compose)
  command -v debootstrap > /dev/null || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return
  apt_install "the stack's tests" "${missing[@]}"
}

# The tests start their own throwaway PostgreSQL and need its server binaries. Install them from
# Debian when missing (as root), without creating or starting Debian's default cluster.
ensure_postgres_installed() {
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || command -v initdb > /dev/null; then
    return
  fi
  # Only the binaries: no default cluster created or started by the package.
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  apt_install "the tests' own PostgreSQL cluster" postgresql
}

# The native stack's monitoring and the tests of the alert rules run Debian's Prometheus,
# Alertmanager and their promtool and amtool (deploy/monitoring.py). Install them when missing
# (as root); the packages' own services are not started where no systemd runs.
ensure_prometheus_installed() {
  local missing=()
  command -v promtool > /dev/null || missing+=(prometheus)
  command -v prometheus-alertmanager > /dev/null || missing+=(prometheus-alertmanager)
  [ ${#missing[@]} -eq 0 ] && return
  apt_install "Prometheus and Alertmanager" "${missing[@]}"
}

# Record runs in a persistent instance inside the checkout (git-ignored), so `dagster dev` shows
# them. An existing DAGSTER_HOME elsewhere is respected and its dagster.yaml left alone.
use_local_instance() {
  export DAGSTER_HOME=${DAGSTER_HOME:-$DEFAULT_DAGSTER_HOME}
  mkdir -p "$DAGSTER_HOME"
  if [ "$DAGSTER_HOME" = "$DEFAULT_DAGSTER_HOME" ] || [ ! -f "$DAGSTER_HOME/dagster.yaml" ]; then
    cp "$REPOSITORY_ROOT/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"
  fi
}
