"""Step logs on the object store, with the project's client timeouts and endpoint.

dagster-aws's ``S3ComputeLogManager`` builds its boto3 client with botocore's defaults (60 s to
connect, 60 s per read, legacy retries); a silent store would then hold the upload at the end of
every step, and the webserver's log view, for many minutes. This subclass rebuilds the same client
with the limits of ``settings.client_timeouts()`` (the ``CLIENT_*`` variables), read when the
instance starts. Without an ``endpoint_url`` in the instance config it uses ``S3_ENDPOINT_URL``
like every other client (unset: AWS S3 itself), and TLS follows that endpoint's scheme.

A step's logs are written to a local folder first and uploaded when it ends. dagster-aws's default
folder is the system's temporary directory, where every run leaves a folder behind; here it is
``storage/compute-log-staging`` in ``DAGSTER_HOME`` (set wherever the stack's instance is loaded),
unless the config names a ``local_dir``.
"""

import os

import boto3
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager

from dagster_project import settings
from dagster_project.dagster_internals import COMPUTE_LOG_CLIENT_ATTRIBUTE


class TimedS3ComputeLogManager(S3ComputeLogManager):
    """``S3ComputeLogManager`` whose requests are bounded by the ``CLIENT_*`` timeouts."""

    def __init__(self, bucket, verify=True, verify_cert_path=None, endpoint_url=None, **kwargs):
        endpoint_url = endpoint_url or settings.s3_endpoint_url()
        if not kwargs.get("local_dir") and os.environ.get("DAGSTER_HOME"):
            kwargs["local_dir"] = os.path.join(
                os.environ["DAGSTER_HOME"], "storage", "compute-log-staging"
            )
        use_ssl = kwargs.pop("use_ssl", not (endpoint_url or "").startswith("http://"))
        super().__init__(
            bucket,
            use_ssl=use_ssl,
            verify=verify,
            verify_cert_path=verify_cert_path,
            endpoint_url=endpoint_url,
            **kwargs,
        )
        client = boto3.client(
            "s3",
            use_ssl=use_ssl,
            verify=verify_cert_path if verify else False,
            endpoint_url=endpoint_url,
            config=settings.client_timeouts().botocore_config(),
        )
        setattr(self, COMPUTE_LOG_CLIENT_ATTRIBUTE, client)
