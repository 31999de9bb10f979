"""Hourly traffic per URL from web logs: a pure, vectorised aggregation."""

import pandas as pd

SUCCESS_STATUS = 200


def web_analytics(logs: pd.DataFrame) -> pd.DataFrame:
    """One row per hour and URL: visitors, requests, successes, response times, bytes, success rate.

    ``p95_response_time_ms`` is the real 95th percentile (linear interpolation), computed by
    pandas' grouped quantile rather than a Python function per group.
    """
    frame = logs.assign(
        hour=logs["timestamp"].dt.floor("h"),
        is_success=logs["status_code"] == SUCCESS_STATUS,
    )
    grouped = frame.groupby(["hour", "url"], observed=True, sort=True)
    analytics = grouped.agg(
        unique_visitors=("ip_address", "nunique"),
        total_requests=("status_code", "size"),
        successful_requests=("is_success", "sum"),
        avg_response_time_ms=("response_time_ms", "mean"),
        total_bytes=("bytes_sent", "sum"),
    )
    analytics["p95_response_time_ms"] = grouped["response_time_ms"].quantile(0.95)
    analytics["success_rate"] = analytics["successful_requests"] / analytics["total_requests"]
    columns = [
        "unique_visitors",
        "total_requests",
        "successful_requests",
        "avg_response_time_ms",
        "p95_response_time_ms",
        "total_bytes",
        "success_rate",
    ]
    return analytics[columns].reset_index()
