"""The code location: every asset group under ``defs/``, each bound to its tier's I/O manager.

The groups are discovered, not listed: ``dg.load_from_defs_folder`` imports every module under
``dagster_project/defs/`` and collects the assets, asset checks, jobs, schedules and sensors they
define, so a module made by ``dg scaffold defs`` is loaded at once and a deleted group folder
leaves nothing behind. Resources come from :mod:`dagster_project.deployment`
(``DAGSTER_DEPLOYMENT`` picks them); the group-to-tier binding is in :mod:`dagster_project.tiers`,
checked here so that an asset without a tier fails the load with the line to add. Every asset
carries the hook that has a run retried when its step failed on the instance's own database
(:mod:`dagster_project.instance.outage_retry`).
"""

from pathlib import Path

import dagster as dg

from dagster_project.deployment import build_resources
from dagster_project.instance.outage_retry import with_outage_retry
from dagster_project.quality.schema_check import set_pandera_environment
from dagster_project.tiers import check_tier_bindings


def load_groups() -> dg.Definitions:
    """Everything the modules under ``defs/`` define, once every asset is bound to its tier."""
    set_pandera_environment()  # before any step: see quality/schema_check.py
    groups = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    check_tier_bindings(groups.assets or [])
    return with_outage_retry(groups)


# In process: every step of a run shares one Python process. A new process per step re-imports
# Dagster, pandas and the code location, which costs more than most steps compute, and two cores
# win little back by running steps side by side (BENCHMARKS.md, "Orchestration overhead").
defs = dg.Definitions.merge(
    load_groups(),
    dg.Definitions(resources=build_resources(), executor=dg.in_process_executor),
)
