"""Campaign attribution and channel performance: pure functions of one day's campaigns.

Ratios with a zero denominator are missing (NaN), not infinite: a campaign without conversions
has no cost per conversion.
"""

import numpy as np
import pandas as pd

# Revenue credited to one conversion when computing return on ad spend.
REVENUE_PER_CONVERSION = 50.0


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator``, NaN where the denominator is zero."""
    return numerator / denominator.where(denominator != 0, np.nan)


def attribution(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Last-touch attribution: each campaign with cost per conversion, conversion rate and CTR."""
    return campaigns.assign(
        cost_per_conversion=ratio(campaigns["spend"], campaigns["conversions"]),
        conversion_rate=ratio(campaigns["conversions"], campaigns["clicks"]),
        ctr=ratio(campaigns["clicks"], campaigns["impressions"]),
    )


def channel_performance(
    campaigns: pd.DataFrame, revenue_per_conversion: float = REVENUE_PER_CONVERSION
) -> pd.DataFrame:
    """One row per channel: totals and return on ad spend (``roas``)."""
    channels = (
        campaigns.groupby("channel", observed=True)[
            ["spend", "impressions", "clicks", "conversions"]
        ]
        .sum()
        .reset_index()
    )
    channels["roas"] = ratio(channels["conversions"] * revenue_per_conversion, channels["spend"])
    return channels
