"""The reference Dagster code location: asset groups bound to the I/O manager of their data tier."""
