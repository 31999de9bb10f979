#!/usr/bin/env bash
# Refresh constraints.txt: install pyproject.toml's ranges into a throwaway venv and freeze it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"${PYTHON:-python3}" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --upgrade pip
"$scratch/venv/bin/python" -m pip install --quiet "$root[dev]"
"$scratch/venv/bin/python" -m pip check
{
  echo "# Exact versions the project is tested with (pip freeze of a fresh install of pyproject.toml's"
  echo "# ranges). scripts/lib/environment.sh installs with -c constraints.txt; refresh it with scripts/lock.sh."
  "$scratch/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^dagster-reference-code-location'
} > "$root/constraints.txt"
echo "constraints.txt: $(grep -vc '^#' "$root/constraints.txt") pinned packages"
