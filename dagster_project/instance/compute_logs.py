"""Step logs on the object store, with the project's client timeouts.

dagster-aws's ``S3ComputeLogManager`` builds its boto3 client with botocore's defaults (60 s to
connect, 60 s per read, legacy retries); a silent store would then hold the upload at the end of
every step, and the webserver's log view, for many minutes. This subclass rebuilds the same client
with the limits of ``settings.client_timeouts()`` (the ``CLIENT_*`` variables), read when the
instance starts.
"""

import boto3
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager

from dagster_project import settings


class TimedS3ComputeLogManager(S3ComputeLogManager):
    """``S3ComputeLogManager`` whose requests are bounded by the ``CLIENT_*`` timeouts."""

    def __init__(
        self,
        bucket,
        use_ssl=True,
        verify=True,
        verify_cert_path=None,
        endpoint_url=None,
        **kwargs,
    ):
        super().__init__(
            bucket,
            use_ssl=use_ssl,
            verify=verify,
            verify_cert_path=verify_cert_path,
            endpoint_url=endpoint_url,
            **kwargs,
        )
        self._s3_session = boto3.client(
            "s3",
            use_ssl=use_ssl,
            verify=verify_cert_path if verify else False,
            endpoint_url=endpoint_url,
            config=settings.client_timeouts().botocore_config(),
        )
