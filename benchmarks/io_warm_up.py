"""Imported by the I/O forkserver before it forks: Dagster's lazy imports, done once.

Building resources creates an ephemeral instance, which imports about 480 modules (SQLite
storage, alembic) on first use: a second per phase process. Doing it once here, in the server
every phase process forks from, keeps the tiny run in the test suite short. Nothing measured
depends on it: imports happen before a phase's measured call either way.
"""

import importlib

import dagster as dg

from benchmarks.io_cases import PHASE_MODULES

for module in PHASE_MODULES:
    importlib.import_module(module)

with dg.build_resources({}):
    pass
