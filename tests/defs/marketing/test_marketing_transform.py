"""Campaign attribution and channel performance on hand-made campaigns."""

import math

import pandas as pd
import pytest

from dagster_project.defs.marketing.generate import CHANNELS
from dagster_project.defs.marketing.transform import (
    REVENUE_PER_CONVERSION,
    attribution,
    channel_performance,
    ratio,
)


@pytest.fixture
def campaigns() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign_id": [0, 1, 2, 3, 4],
            "channel": pd.Categorical(
                ["google", "facebook", "email", "google", "facebook"], categories=CHANNELS
            ),
            "spend": [100.0, 200.0, 0.0, 300.0, 50.0],
            "impressions": [1_000, 2_000, 500, 4_000, 800],
            "clicks": [50, 40, 20, 100, 0],
            "conversions": [5, 0, 2, 4, 0],
            "date": pd.Timestamp("2024-03-05"),
        }
    )


def test_ratio_is_nan_where_the_denominator_is_zero():
    result = ratio(pd.Series([1.0, 2.0, 0.0]), pd.Series([4, 0, 0]))

    assert result.tolist() == pytest.approx([0.25, math.nan, math.nan], nan_ok=True)


def test_attribution_keeps_every_campaign_and_its_columns(campaigns):
    result = attribution(campaigns)

    assert list(result.columns) == [
        *campaigns.columns,
        "cost_per_conversion",
        "conversion_rate",
        "ctr",
    ]
    pd.testing.assert_frame_equal(result[campaigns.columns], campaigns)


def test_attribution_cost_per_conversion_is_nan_without_conversions(campaigns):
    result = attribution(campaigns)

    # 100/5 = 20; 200/0 -> NaN; 0/2 = 0; 300/4 = 75; 50/0 -> NaN
    assert result["cost_per_conversion"].tolist() == pytest.approx(
        [20.0, math.nan, 0.0, 75.0, math.nan], nan_ok=True
    )


def test_attribution_conversion_rate_is_nan_without_clicks(campaigns):
    result = attribution(campaigns)

    # 5/50 = 0.1; 0/40 = 0; 2/20 = 0.1; 4/100 = 0.04; 0/0 -> NaN
    assert result["conversion_rate"].tolist() == pytest.approx(
        [0.1, 0.0, 0.1, 0.04, math.nan], nan_ok=True
    )


def test_attribution_ctr_is_clicks_per_impression(campaigns):
    result = attribution(campaigns)

    # 50/1000 = 0.05; 40/2000 = 0.02; 20/500 = 0.04; 100/4000 = 0.025; 0/800 = 0
    assert result["ctr"].tolist() == pytest.approx([0.05, 0.02, 0.04, 0.025, 0.0])


def test_attribution_ctr_is_nan_without_impressions(campaigns):
    result = attribution(campaigns.assign(impressions=[1_000, 2_000, 500, 4_000, 0]))

    assert math.isnan(result["ctr"].iloc[4])


def test_channel_performance_sums_each_channel_in_channel_order(campaigns):
    channels = channel_performance(campaigns)

    assert channels["channel"].tolist() == ["google", "facebook", "email"]
    # google: campaigns 0 + 3; facebook: campaigns 1 + 4; email: campaign 2
    assert channels["spend"].tolist() == [400.0, 250.0, 0.0]
    assert channels["impressions"].tolist() == [5_000, 2_800, 500]
    assert channels["clicks"].tolist() == [150, 40, 20]
    assert channels["conversions"].tolist() == [9, 0, 2]


def test_channel_performance_roas_credits_revenue_per_conversion(campaigns):
    assert REVENUE_PER_CONVERSION == 50.0  # the expected figures below assume it

    channels = channel_performance(campaigns)

    # google: 9 * 50 / 400 = 1.125; facebook: 0 * 50 / 250 = 0
    # email: 2 * 50 / 0 -> NaN, not infinity
    assert channels["roas"].tolist() == pytest.approx([1.125, 0.0, math.nan], nan_ok=True)


def test_channel_performance_roas_uses_the_given_revenue_per_conversion(campaigns):
    channels = channel_performance(campaigns, revenue_per_conversion=100.0)

    # google: 9 * 100 / 400 = 2.25
    assert channels["roas"].iloc[0] == 2.25


def test_channel_performance_omits_channels_without_campaigns(campaigns):
    channels = channel_performance(campaigns[campaigns["channel"] != "email"])

    assert channels["channel"].tolist() == ["google", "facebook"]
