"""The Spark group on the reference tier: datasets that never pass through Dagster's process.

pyspark is imported inside the functions that use it, which only steps call: Dagster's loader
imports every module of this folder when the definitions load, and pyspark is slow to import.
"""
