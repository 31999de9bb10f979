"""Dagster instance plugins that the stack's ``dagster.yaml`` names by module and class."""
