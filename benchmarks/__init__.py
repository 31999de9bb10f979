"""Benchmarks of the tiers, the executors and the data that passes through Dagster.

Run ``./scripts/benchmark.sh`` (or ``python -m benchmarks --help``); it prints the tables and
writes them to ``BENCHMARKS.md``. Every figure is measured in the same run as the baseline it is
compared with, so a table is only ever read against itself, never against another machine.
"""
