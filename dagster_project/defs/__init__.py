"""One folder per asset group. A group written in Python has ``assets.py`` (the Dagster wiring and
metadata) and, where it needs them, ``generate.py`` (synthetic sources), ``transform.py`` (pure
functions of pandas or Spark DataFrames) or ``sql.py`` (warehouse SQL), ``schemas.py`` (pandera
contracts), ``partitions.py`` and ``schedules.py``; ``monitoring/`` adds its sensors and job.
``dbt/`` declares the dbt component in ``defs.yaml`` instead."""
