"""The dbt project of dagster_project/defs/dbt/defs.yaml, for tests that run dbt by hand."""

from dagster_dbt import DbtProject

from dagster_project.defs.dbt.component import put_dbt_on_path
from dagster_project.settings import REPOSITORY_ROOT

put_dbt_on_path()
DBT_PROJECT_DIR = REPOSITORY_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
