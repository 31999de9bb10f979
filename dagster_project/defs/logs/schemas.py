"""What a valid access-log extract looks like: the contract ``web_logs_raw`` is checked against."""

from typing import TYPE_CHECKING

from dagster_project.defs.logs.generate import STATUS_CODES

if TYPE_CHECKING:
    import pandera.pandas as pa

WEB_LOGS_RAW_DESCRIPTION = (
    "HTTP status codes the servers emit, non-negative times and sizes, no nulls."
)


def web_logs_raw_schema() -> "pa.DataFrameSchema":
    """The contract as a pandera schema, built in the step (see quality/schema_check.py)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "timestamp": pa.Column("datetime64[ns]"),
            "ip_address": pa.Column(str),
            "user_agent": pa.Column(nullable=False),
            "url": pa.Column(nullable=False),
            "status_code": pa.Column(int, pa.Check.isin(STATUS_CODES.tolist())),
            "response_time_ms": pa.Column(float, pa.Check.ge(0)),
            "bytes_sent": pa.Column("int64", pa.Check.ge(0)),
        },
        checks=pa.Check(lambda frame: len(frame) > 0, error="no requests"),
        description=WEB_LOGS_RAW_DESCRIPTION,
    )
