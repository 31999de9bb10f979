"""Hourly partitions of the IoT group: one partition per hour of sensor readings."""

import dagster as dg

HOURLY_PARTITIONS = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00")
