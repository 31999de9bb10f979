"""The code location: every asset group, each bound to its tier's I/O manager, in one Definitions.

Resources come from :mod:`dagster_project.deployment` (``DAGSTER_DEPLOYMENT`` picks them); the
group-to-tier binding is in :mod:`dagster_project.tiers`.
"""

import dagster as dg

from dagster_project.defs.ecommerce import assets as ecommerce
from dagster_project.defs.hybrid import assets as hybrid
from dagster_project.defs.iot import assets as iot
from dagster_project.defs.logs import assets as logs
from dagster_project.defs.marketing import assets as marketing
from dagster_project.deployment import build_resources

# In-process: every step of a run shares one Python process. Measured on the 2-core reference
# machine (README, "Executor"): the multiprocess executor spends about 4 s per step starting a
# new interpreter (2 s with forkserver) against 0.2 s in process, and with 2 cores the heavy
# steps cannot run side by side without doubling peak memory. Runs that want parallel steps can
# still pick the multiprocess executor in their run config.

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ecommerce, marketing, logs, iot, hybrid]),
    resources=build_resources(),
    executor=dg.in_process_executor,
)
