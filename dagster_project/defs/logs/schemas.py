"""What a valid access-log extract looks like: the contract ``web_logs_raw`` is checked against."""

import pandera.pandas as pa

from dagster_project.defs.logs.generate import STATUS_CODES

WEB_LOGS_RAW = pa.DataFrameSchema(
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
    description="HTTP status codes the servers emit, non-negative times and sizes, no nulls.",
)
