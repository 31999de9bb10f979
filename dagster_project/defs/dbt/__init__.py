"""The dbt models of dbt_project/, downstream of the Dagster assets that load their sources."""
