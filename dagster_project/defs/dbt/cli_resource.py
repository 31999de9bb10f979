"""dagster-dbt's ``DbtCliResource`` without two costs it pays in Dagster's process before every
dbt invocation, both for things this project does not use:

- it runs ``dbt --version`` (a whole dbt start) to learn which dbt it will run: here dbt is the
  dbt-core of this Python's environment (``component.put_dbt_on_path``), whose version the
  installed package's metadata gives; any other dbt executable is still asked;
- it opens a dbt adapter in Dagster's process (loading the project, its profile and parsing every
  macro) for ``fetch_row_counts()`` and ``fetch_column_metadata()``, which no step here calls; dbt
  itself, in its own process, is unchanged.

Both are private members of ``DbtCliResource`` (``dagster_internals.DBT_CLI_OVERRIDDEN``, checked
by ``tests/test_dagster_internals.py``). BENCHMARKS.md's main job section shows a dbt step's time.
"""

import importlib.metadata
import shutil
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class LeanDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that runs dbt only once per invocation: no version probe for this
    environment's dbt, no adapter in Dagster's process."""

    @classmethod
    def like(cls, resource: DbtCliResource) -> "LeanDbtCliResource":
        """The same project, profile, target and executable as ``resource``."""
        return cls(**{name: getattr(resource, name) for name in DbtCliResource.model_fields})

    @cached_property
    def _cli_version(self) -> version.Version:
        executable = shutil.which(str(self.dbt_executable))
        if executable and Path(executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args) -> None:  # type: ignore[override]
        return None
