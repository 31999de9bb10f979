"""Entry point of ``python -m dagster_project.planning``."""

import sys

from dagster_project.planning.cli import main

sys.exit(main())
