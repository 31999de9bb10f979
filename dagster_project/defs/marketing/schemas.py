"""The contract a daily campaign report (``campaign_data``) is checked against."""

from typing import TYPE_CHECKING

from dagster_project.defs.marketing.generate import CHANNELS

if TYPE_CHECKING:
    import pandera.pandas as pa

CAMPAIGN_DATA_DESCRIPTION = (
    "Known channels, non-negative counts, clicks within impressions, conversions within clicks."
)


def campaign_data_schema() -> "pa.DataFrameSchema":
    """The contract as a pandera schema, built in the step (see quality/schema_check.py)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
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
                lambda frame: frame["clicks"] <= frame["impressions"],
                error="clicks > impressions",
            ),
            pa.Check(
                lambda frame: frame["conversions"] <= frame["clicks"], error="conversions > clicks"
            ),
            pa.Check(lambda frame: len(frame) > 0, error="empty report"),
        ],
        description=CAMPAIGN_DATA_DESCRIPTION,
    )
