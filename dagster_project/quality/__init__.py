"""Data-quality checks shared by the pandas groups."""
