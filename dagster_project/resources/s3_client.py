"""dagster-aws's ``S3Resource`` with connect and read timeouts.

dagster-aws configures only the number of attempts; botocore's own defaults (60 s to connect,
60 s per read, in legacy retry mode) let a silent store hold a step for many minutes. This client
takes the project's :class:`ClientTimeouts` instead.
"""

from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from dagster_aws.s3 import S3Resource
from pydantic import Field

from dagster_project.client_timeouts import ClientTimeouts


class S3ClientResource(S3Resource):
    """An S3 client (``botocore.client.S3``) whose every request is bounded in time."""

    timeouts: ClientTimeouts = Field(
        default_factory=ClientTimeouts, description="Limits of every request to the store."
    )

    def get_client(self) -> Any:
        config = self.timeouts.botocore_config()
        if self.use_unsigned_session:
            config = config.merge(Config(signature_version=UNSIGNED))
        return boto3.session.Session(profile_name=self.profile_name).client(
            "s3",
            region_name=self.region_name,
            endpoint_url=self.endpoint_url,
            use_ssl=self.use_ssl,
            verify=self.verify,
            aws_access_key_id=self.aws_access_key_id,
            aws_secret_access_key=self.aws_secret_access_key,
            aws_session_token=self.aws_session_token,
            config=config,
        )
