# Shared by the scripts in scripts/: creates or reuses .venv and points Dagster at the local instance.
# Source it, then call ensure_venv and, for commands that record runs, use_local_instance.

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
