"""Hourly web analytics per URL on hand-made log lines."""

import pandas as pd
import pytest

from dagster_project.defs.logs.generate import URLS
from dagster_project.defs.logs.transform import web_analytics

HOUR_10 = pd.Timestamp("2024-01-01 10:00")
HOUR_11 = pd.Timestamp("2024-01-01 11:00")


@pytest.fixture
def logs() -> pd.DataFrame:
    # (timestamp, ip_address, url, status_code, response_time_ms, bytes_sent), in time order
    rows = [
        ("2024-01-01 10:00:00", "192.168.1.1", "/home", 200, 40.0, 100),
        ("2024-01-01 10:05:00", "192.168.1.1", "/products", 200, 150.0, 10),
        ("2024-01-01 10:15:00", "192.168.1.2", "/home", 404, 10.0, 200),
        ("2024-01-01 10:20:00", "192.168.1.1", "/products", 301, 50.0, 20),
        ("2024-01-01 10:30:00", "192.168.1.1", "/home", 200, 100.0, 300),
        ("2024-01-01 10:45:00", "192.168.1.3", "/home", 500, 20.0, 400),
        ("2024-01-01 10:59:59", "192.168.1.2", "/home", 200, 30.0, 500),
        ("2024-01-01 11:00:00", "192.168.1.1", "/home", 301, 70.0, 5),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["timestamp", "ip_address", "url", "status_code", "response_time_ms", "bytes_sent"],
    )
    return frame.assign(
        timestamp=pd.to_datetime(frame["timestamp"]),
        url=pd.Categorical(frame["url"], categories=URLS),
        user_agent=pd.Categorical(["Chrome"] * len(frame), categories=["Chrome", "Firefox"]),
    )


def test_web_analytics_has_one_row_per_hour_and_url_sorted(logs):
    analytics = web_analytics(logs)

    # 10:59:59 still belongs to hour 10, 11:00:00 opens hour 11; URLs without requests are absent
    assert list(zip(analytics["hour"], analytics["url"], strict=True)) == [
        (HOUR_10, "/home"),
        (HOUR_10, "/products"),
        (HOUR_11, "/home"),
    ]


def test_web_analytics_columns(logs):
    assert list(web_analytics(logs).columns) == [
        "hour",
        "url",
        "unique_visitors",
        "total_requests",
        "successful_requests",
        "avg_response_time_ms",
        "p95_response_time_ms",
        "total_bytes",
        "success_rate",
    ]


def test_web_analytics_counts_unique_visitors_per_hour_and_url(logs):
    analytics = web_analytics(logs)

    # hour 10 /home: .1, .2, .1, .3, .2 -> 3; hour 10 /products: .1 twice -> 1; hour 11: .1 -> 1
    assert analytics["unique_visitors"].tolist() == [3, 1, 1]


def test_web_analytics_counts_requests(logs):
    assert web_analytics(logs)["total_requests"].tolist() == [5, 2, 1]


def test_web_analytics_successful_requests_count_only_status_200(logs):
    analytics = web_analytics(logs)

    # hour 10 /home: 200, 404, 200, 500, 200 -> 3; /products: 200, 301 -> 1; hour 11: 301 -> 0
    assert analytics["successful_requests"].tolist() == [3, 1, 0]


def test_web_analytics_success_rate_is_successes_per_request(logs):
    # 3/5, 1/2, 0/1
    assert web_analytics(logs)["success_rate"].tolist() == pytest.approx([0.6, 0.5, 0.0])


def test_web_analytics_average_response_time(logs):
    analytics = web_analytics(logs)

    # (40 + 10 + 100 + 20 + 30) / 5 = 40; (150 + 50) / 2 = 100; 70
    assert analytics["avg_response_time_ms"].tolist() == pytest.approx([40.0, 100.0, 70.0])


def test_web_analytics_p95_is_the_linearly_interpolated_95th_percentile(logs):
    analytics = web_analytics(logs)

    # hour 10 /home sorted: 10, 20, 30, 40, 100; rank 0.95 * (5 - 1) = 3.8
    #   -> 40 + 0.8 * (100 - 40) = 88 (not the maximum, 100)
    # hour 10 /products sorted: 50, 150; rank 0.95 * 1 = 0.95 -> 50 + 0.95 * 100 = 145
    # hour 11 /home: a single value, 70
    assert analytics["p95_response_time_ms"].tolist() == pytest.approx([88.0, 145.0, 70.0])


def test_web_analytics_total_bytes(logs):
    # 100 + 200 + 300 + 400 + 500 = 1500; 10 + 20 = 30; 5
    assert web_analytics(logs)["total_bytes"].tolist() == [1_500, 30, 5]
