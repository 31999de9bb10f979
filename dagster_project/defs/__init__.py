"""One folder per asset group: ``generate.py`` (synthetic sources), ``transform.py`` (pure pandas),
``assets.py`` (the Dagster wiring and metadata)."""
