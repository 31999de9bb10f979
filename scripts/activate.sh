# Source it from bash (`source scripts/activate.sh`): the shell for the dagster and dg commands.
# It sets up .venv as every script does (created and installed when missing or stale), activates
# it, and exports DAGSTER_HOME (.local/dagster_home unless already set), creating the folder with
# the embedded default's dagster.yaml: `dagster asset materialize` refuses a DAGSTER_HOME that does
# not exist, and `dg launch` would make a bare one, without the project's instance settings (pools,
# run monitoring). So a fresh clone runs both at once, and the runs show in scripts/dev.sh's UI.
# Nothing else in the shell changes (no `set -e`): a failed step returns non-zero and says what to
# do.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "error: source this file instead of running it: source scripts/activate.sh" >&2
  exit 1
fi
source "$(dirname "${BASH_SOURCE[0]}")/lib/environment.sh" \
  && ensure_venv \
  && use_local_instance \
  && source "$VENV/bin/activate" \
  && echo "DAGSTER_HOME=$DAGSTER_HOME"
