"""Daily partitions of the marketing group: one partition per day of campaign reports."""

import dagster as dg

DAILY_PARTITIONS = dg.DailyPartitionsDefinition(start_date="2024-01-01")
