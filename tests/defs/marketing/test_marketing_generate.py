"""Synthetic campaign reports: reproducible, with a consistent funnel."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.marketing.generate import CHANNELS, generate_campaigns
from tests.defs.seeded import assert_the_seed_draws_exactly

N_CAMPAIGNS = 500
DAY = "2024-03-05"


def campaigns_for(seed: int) -> pd.DataFrame:
    return generate_campaigns(np.random.default_rng(seed), n_campaigns=N_CAMPAIGNS, day=DAY)


@pytest.fixture(scope="module")
def campaigns() -> pd.DataFrame:
    return campaigns_for(seed=42)


def test_generate_campaigns_is_deterministic_for_a_seed():
    pd.testing.assert_frame_equal(campaigns_for(seed=5), campaigns_for(seed=5))


def test_generate_campaigns_draws_every_value_but_id_and_day_from_the_seed():
    assert_the_seed_draws_exactly(
        campaigns_for, ["channel", "spend", "impressions", "clicks", "conversions"]
    )


def test_generate_campaigns_has_one_row_per_campaign(campaigns):
    assert campaigns["campaign_id"].tolist() == list(range(N_CAMPAIGNS))


def test_generate_campaigns_clicks_never_exceed_impressions(campaigns):
    assert (campaigns["clicks"] <= campaigns["impressions"]).all()


def test_generate_campaigns_conversions_never_exceed_clicks(campaigns):
    assert (campaigns["conversions"] >= 0).all()
    assert (campaigns["conversions"] <= campaigns["clicks"]).all()


def test_generate_campaigns_impressions_and_spend_are_in_range(campaigns):
    assert campaigns["impressions"].between(1_000, 9_999).all()
    assert campaigns["spend"].between(100, 1_000).all()


def test_generate_campaigns_channel_is_a_categorical_of_channels(campaigns):
    assert isinstance(campaigns["channel"].dtype, pd.CategoricalDtype)
    assert tuple(campaigns["channel"].cat.categories) == CHANNELS
    assert campaigns["channel"].notna().all()
    assert set(campaigns["channel"]) == set(CHANNELS)


def test_generate_campaigns_date_is_the_requested_day(campaigns):
    assert (campaigns["date"] == pd.Timestamp(DAY)).all()
