"""The dbt project, and nothing else: `dagster-dbt project prepare-and-package --file` imports this
module to build the manifest (scripts/lib/environment.sh and the image build do)."""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
