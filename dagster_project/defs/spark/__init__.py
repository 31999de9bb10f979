"""The Spark group on the reference tier: datasets that never pass through Dagster's process."""
