"""IoT sensor readings and anomalies on the time-series tier, one partition per hour."""
