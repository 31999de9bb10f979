"""The Spark resource: its properties per lake, a session owned by the resource, and failures that
name the master, or the s3a lake's missing bucket, instead of hanging or creating it."""

import uuid

import dagster as dg
import pytest
from pyspark import SparkContext

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.errors import MissingBucketError, StorageUnavailableError
from dagster_project.resources.spark import SparkResource, SparkUnavailableError
from tests.conftest import bucket_names
from tests.silent_server import silent_server, unanswered_port


def start_error(resource: SparkResource) -> BaseException | None:
    """What stopped the resource from starting (the cause Dagster wraps); fails if it started."""
    with (
        pytest.raises(dg.DagsterResourceFunctionError) as raised,
        dg.build_resources({"spark": resource}),
    ):
        pass
    return raised.value.__cause__


def test_a_local_lake_gets_local_binding_arrow_and_adaptive_execution_but_no_s3a():
    properties = SparkResource(lake_url="file:///tmp/lake").spark_properties()

    assert properties["spark.master"] == "local[*]"
    assert properties["spark.driver.host"] == properties["spark.driver.bindAddress"] == "127.0.0.1"
    assert properties["spark.sql.execution.arrow.pyspark.enabled"] == "true"
    assert properties["spark.sql.adaptive.enabled"] == "true"
    assert properties["spark.executor.memory"] == "1g"
    assert not [key for key in properties if "s3a" in key]
    assert "spark.jars" not in properties


def test_an_s3a_lake_gets_the_s3a_options_and_the_jars():
    properties = SparkResource(
        lake_url="s3a://lake/prefix",
        s3_endpoint_url="http://127.0.0.1:9000",
        extra_jars="/opt/jars/hadoop-aws.jar,/opt/jars/bundle.jar",
    ).spark_properties()

    assert properties["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:9000"
    assert properties["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert properties["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert properties["spark.hadoop.fs.s3a.aws.credentials.provider"].endswith(
        "DefaultCredentialsProvider"
    )
    assert properties["spark.jars"] == "/opt/jars/hadoop-aws.jar,/opt/jars/bundle.jar"
    # the S3 client's limits, in milliseconds, from the same ClientTimeouts as every client's
    assert properties["spark.hadoop.fs.s3a.connection.establish.timeout"] == "10000"
    assert properties["spark.hadoop.fs.s3a.connection.timeout"] == "20000"
    assert properties["spark.hadoop.fs.s3a.attempts.maximum"] == "3"


def test_extra_properties_are_applied_last_and_tuning_is_config():
    properties = SparkResource(
        lake_url="file:///tmp/lake",
        adaptive_execution=False,
        executor_memory="3g",
        spark_config={"spark.executor.memory": "4g", "spark.sql.shuffle.partitions": 8},
    ).spark_properties()

    assert properties["spark.sql.adaptive.enabled"] == "false"
    assert properties["spark.executor.memory"] == "4g"
    assert properties["spark.sql.shuffle.partitions"] == "8"


def test_the_session_lives_for_the_resources_lifetime_and_is_stopped_after():
    resource = SparkResource(master="local[1]", lake_url="file:///tmp/lake")

    with dg.build_resources({"spark": resource}) as resources:
        session = resources.spark.spark_session
        assert session is resources.spark.spark_session
        assert session.range(5).count() == 5

    assert SparkContext._active_spark_context is None


@pytest.mark.timeout(10)  # two attempts of 1 s each, and the JVM's start, within
@pytest.mark.parametrize("server", ["closed port", "never-accepts"])
def test_an_unreachable_master_fails_after_every_attempt_naming_the_url(server):
    timeouts = ClientTimeouts(connect_seconds=1, attempts=2)

    with unanswered_port(server) as port:
        master = f"spark://127.0.0.1:{port}"
        resource = SparkResource(master=master, lake_url="file:///tmp/lake", timeouts=timeouts)
        error = start_error(resource)

    assert isinstance(error, SparkUnavailableError)
    assert master in str(error)
    assert "2 attempt(s) of 1 s" in str(error)
    assert "SPARK_MASTER_URL" in str(error)


# Spark's own registration: three tries of 20 s each, then the application is given up.
@pytest.mark.timeout(120)
def test_a_master_that_accepts_but_never_answers_fails_in_about_a_minute_naming_it():
    with silent_server("accepts") as port:
        master = f"spark://127.0.0.1:{port}"
        resource = SparkResource(master=master, lake_url="file:///tmp/lake")
        error = start_error(resource)

    assert isinstance(error, SparkUnavailableError)
    assert master in str(error)
    healthy = SparkResource(master="local[1]", lake_url="file:///tmp/lake")
    with dg.build_resources({"spark": healthy}) as resources:
        assert resources.spark.spark_session.range(3).count() == 3


def test_a_session_that_fails_to_start_names_the_master_and_leaves_the_process_usable():
    broken = SparkResource(
        master="local[1]",
        lake_url="file:///tmp/lake",
        spark_config={"spark.driver.bindAddress": "203.0.113.7", "spark.port.maxRetries": "1"},
    )

    error = start_error(broken)

    assert isinstance(error, SparkUnavailableError)
    assert "local[1]" in str(error)
    healthy = SparkResource(master="local[1]", lake_url="file:///tmp/lake")
    with dg.build_resources({"spark": healthy}) as resources:
        assert resources.spark.spark_session.range(3).count() == 3


@pytest.mark.timeout(120)  # the cluster's start (shared by the session) and a 5 s wait
def test_a_cluster_that_cannot_grant_an_executor_is_named_with_what_was_asked(spark_cluster):
    # The session's worker has 2 GB: an executor of 8 GB fits on no worker of this cluster.
    greedy = SparkResource(
        master=spark_cluster.master_url,
        lake_url="file:///tmp/lake",
        executor_memory="8g",
        executor_timeout_seconds=5,
    )

    error = start_error(greedy)

    assert isinstance(error, SparkUnavailableError)
    assert str(error) == (
        f"The Spark master at {spark_cluster.master_url} granted no executor within 5 s: no "
        "worker has free cores and 8g of memory. Check the master's UI and the workers."
    )
    healthy = SparkResource(master="local[1]", lake_url="file:///tmp/lake")
    with dg.build_resources({"spark": healthy}) as resources:
        session = resources.spark.spark_session
        assert session.sparkContext.master == "local[1]"  # not the abandoned application's
        assert session.range(3).count() == 3


def test_an_s3a_lake_whose_bucket_is_missing_fails_naming_lake_url_before_spark_starts(
    object_store_endpoint, object_store_credentials
):
    bucket = f"typo-{uuid.uuid4().hex[:12]}"
    resource = SparkResource(
        master="local[1]", lake_url=f"s3a://{bucket}/lake", s3_endpoint_url=object_store_endpoint
    )

    error = start_error(resource)

    assert isinstance(error, MissingBucketError)
    assert str(error).startswith(
        f"Cannot write the Spark datasets to s3a://{bucket}/lake: bucket '{bucket}' does not "
        f"exist at S3 endpoint {object_store_endpoint}."
    )
    assert "correct its name in LAKE_URL" in str(error)
    assert SparkContext._active_spark_context is None
    assert bucket not in bucket_names(object_store_endpoint)


def test_an_s3a_lake_whose_bucket_exists_passes_the_check_the_store_answered(
    object_store_endpoint, object_store_bucket
):
    lake_url = f"s3a://{object_store_bucket}/lake"
    SparkResource(lake_url=lake_url, s3_endpoint_url=object_store_endpoint).check_lake_bucket()

    # the same lake behind an endpoint where nothing listens: the check does ask the store
    with unanswered_port("closed port") as port:
        endpoint = f"http://127.0.0.1:{port}"
        unreachable = SparkResource(
            lake_url=lake_url,
            s3_endpoint_url=endpoint,
            timeouts=ClientTimeouts(connect_seconds=1, read_seconds=1, attempts=1),
        )
        with pytest.raises(StorageUnavailableError) as raised:
            unreachable.check_lake_bucket()
    assert not isinstance(raised.value, MissingBucketError)
    assert endpoint in str(raised.value)
    assert lake_url in str(raised.value)
