"""Web log analytics on the medium (Parquet) tier."""
