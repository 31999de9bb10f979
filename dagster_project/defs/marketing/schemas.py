"""The contract a daily campaign report (``campaign_data``) is checked against."""

import pandera.pandas as pa

from dagster_project.defs.marketing.generate import CHANNELS

CAMPAIGN_DATA = pa.DataFrameSchema(
    {
        "campaign_id": pa.Column(int, pa.Check.ge(0)),
        "channel": pa.Column(checks=pa.Check.isin(CHANNELS)),
        "spend": pa.Column(float, pa.Check.ge(0)),
        "impressions": pa.Column(int, pa.Check.ge(0)),
        "clicks": pa.Column(int, pa.Check.ge(0)),
        "conversions": pa.Column(int, pa.Check.ge(0)),
        "date": pa.Column("datetime64[ns]"),
    },
    checks=[
        pa.Check(
            lambda frame: frame["clicks"] <= frame["impressions"], error="clicks > impressions"
        ),
        pa.Check(
            lambda frame: frame["conversions"] <= frame["clicks"], error="conversions > clicks"
        ),
        pa.Check(lambda frame: len(frame) > 0, error="empty report"),
    ],
    description="Known channels, non-negative counts, clicks within impressions, conversions "
    "within clicks.",
)
