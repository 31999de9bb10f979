"""Synthetic web server logs, generated column by column with NumPy (no Python loop per row).

Client addresses are drawn from the 254 x 254 addresses of 192.168.0.0/16 by index, so two
million rows cost two million integer draws, not two million f-strings, and they are Arrow-backed
strings (``pd.StringDtype("pyarrow")``, what the Parquet tiers load). Low-cardinality columns
are categoricals: what a log parser would produce, and what Parquet dictionary-encodes.
"""

import numpy as np
import pandas as pd

from dagster_project.resources.synthetic_data import strings_at

LOGS_START = pd.Timestamp("2024-01-01")
SECONDS_BETWEEN_REQUESTS = 30
USER_AGENTS = ("Chrome", "Firefox", "Safari", "Edge")
URLS = ("/home", "/products", "/checkout", "/api/data")
STATUS_CODES = np.array([200, 404, 500, 301])
STATUS_PROBABILITIES = np.array([0.8, 0.1, 0.05, 0.05])
ADDRESS_OCTETS = range(1, 255)


def client_addresses() -> list[str]:
    """Every address 192.168.a.b with a and b in 1..254, as strings."""
    return [f"192.168.{c}.{d}" for c in ADDRESS_OCTETS for d in ADDRESS_OCTETS]


def generate_web_logs(rng: np.random.Generator, n_requests: int) -> pd.DataFrame:
    """One row per request, every 30 seconds from 2024-01-01."""
    addresses = client_addresses()
    return pd.DataFrame(
        {
            "timestamp": LOGS_START
            + pd.to_timedelta(np.arange(n_requests) * SECONDS_BETWEEN_REQUESTS, unit="s"),
            "ip_address": strings_at(addresses, rng.integers(0, len(addresses), n_requests)),
            "user_agent": pd.Categorical.from_codes(
                rng.integers(0, len(USER_AGENTS), n_requests), categories=USER_AGENTS
            ),
            "url": pd.Categorical.from_codes(
                rng.integers(0, len(URLS), n_requests), categories=URLS
            ),
            "status_code": rng.choice(STATUS_CODES, n_requests, p=STATUS_PROBABILITIES),
            "response_time_ms": rng.exponential(100, n_requests).round(3),
            "bytes_sent": rng.exponential(1024, n_requests).astype(np.int64),
        }
    )
