"""Synthetic daily campaign reports, as an ad platform's reporting API would return them.

The funnel is consistent: clicks are drawn from impressions and conversions from clicks, so
click-through and conversion rates always lie between 0 and 1.
"""

import numpy as np
import pandas as pd

CHANNELS = ("google", "facebook", "email")


def generate_campaigns(rng: np.random.Generator, n_campaigns: int, day: str) -> pd.DataFrame:
    """One row per campaign for ``day`` (YYYY-MM-DD)."""
    impressions = rng.integers(1_000, 10_000, n_campaigns)
    clicks = rng.binomial(impressions, rng.uniform(0.01, 0.06, n_campaigns))
    conversions = rng.binomial(clicks, rng.uniform(0.02, 0.12, n_campaigns))
    return pd.DataFrame(
        {
            "campaign_id": np.arange(n_campaigns),
            "channel": pd.Categorical(rng.choice(CHANNELS, n_campaigns), categories=CHANNELS),
            "spend": rng.uniform(100, 1_000, n_campaigns).round(2),
            "impressions": impressions,
            "clicks": clicks,
            "conversions": conversions,
            "date": pd.Timestamp(day),
        }
    )
