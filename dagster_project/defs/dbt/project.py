"""The dbt project, and nothing else: `dagster-dbt project prepare-and-package --file` imports this
module to build the manifest (scripts/lib/environment.sh and the image build do).

No ``prepare_if_dev()`` here: `dg` counts as a development CLI, so it would re-run `dbt parse`
(18 s on the reference machine) inside every `dg launch`. The set-up step rebuilds the manifest
whenever a file of dbt_project/ changed; after editing models during `dagster dev`, run
`scripts/dev.sh` again.
"""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
