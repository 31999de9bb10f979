"""Synthetic web logs: reproducible, regular timestamps, valid addresses and codes."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.logs.generate import (
    LOGS_START,
    STATUS_CODES,
    URLS,
    USER_AGENTS,
    client_addresses,
    generate_web_logs,
)
from tests.defs.seeded import assert_the_seed_draws_exactly

N_REQUESTS = 2_000


def logs_for(seed: int) -> pd.DataFrame:
    return generate_web_logs(np.random.default_rng(seed), n_requests=N_REQUESTS)


@pytest.fixture(scope="module")
def logs() -> pd.DataFrame:
    return logs_for(seed=42)


def test_generate_web_logs_is_deterministic_for_a_seed():
    pd.testing.assert_frame_equal(logs_for(seed=5), logs_for(seed=5))


def test_generate_web_logs_draws_every_value_but_the_30_second_clock_from_the_seed():
    assert_the_seed_draws_exactly(
        logs_for,
        ["ip_address", "user_agent", "url", "status_code", "response_time_ms", "bytes_sent"],
    )


def test_generate_web_logs_has_the_requested_rows(logs):
    assert len(logs) == N_REQUESTS


def test_generate_web_logs_timestamps_are_every_30_seconds_from_logs_start(logs):
    assert logs["timestamp"].iloc[0] == LOGS_START
    assert logs["timestamp"].iloc[1] == pd.Timestamp("2024-01-01 00:00:30")
    assert (logs["timestamp"].diff().iloc[1:] == pd.Timedelta(seconds=30)).all()


def test_generate_web_logs_ip_addresses_are_192_168_with_octets_1_to_254(logs):
    octets = logs["ip_address"].str.extract(r"^192\.168\.(\d{1,3})\.(\d{1,3})$")

    assert octets.notna().all().all()
    assert octets.astype(int).stack().between(1, 254).all()


def test_client_addresses_are_every_192_168_address_with_octets_1_to_254():
    addresses = client_addresses()

    assert len(addresses) == len(set(addresses)) == 254 * 254
    assert addresses[0] == "192.168.1.1"
    assert addresses[-1] == "192.168.254.254"


def test_generate_web_logs_status_codes_are_in_the_allowed_set(logs):
    assert set(logs["status_code"]) == {200, 301, 404, 500}
    assert set(STATUS_CODES) == {200, 301, 404, 500}


def test_generate_web_logs_url_is_a_categorical_of_urls(logs):
    assert isinstance(logs["url"].dtype, pd.CategoricalDtype)
    assert tuple(logs["url"].cat.categories) == URLS
    assert logs["url"].notna().all()


def test_generate_web_logs_user_agent_is_a_categorical_of_user_agents(logs):
    assert isinstance(logs["user_agent"].dtype, pd.CategoricalDtype)
    assert tuple(logs["user_agent"].cat.categories) == USER_AGENTS
    assert logs["user_agent"].notna().all()


def test_generate_web_logs_response_times_and_bytes_are_non_negative(logs):
    assert (logs["response_time_ms"] >= 0).all()
    assert (logs["bytes_sent"] >= 0).all()
