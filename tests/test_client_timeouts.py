"""The one declaration of every client's limits, as each kind of client receives it."""

from dagster_project.bounded_http_session import BoundedAIOHTTPSession
from dagster_project.client_timeouts import ClientTimeouts

TIMEOUTS = ClientTimeouts(connect_seconds=4, read_seconds=7.5, attempts=2)


def test_boto3_clients_get_both_timeouts_and_the_total_attempts():
    config = TIMEOUTS.botocore_config()

    assert (config.connect_timeout, config.read_timeout) == (4, 7.5)
    # total_max_attempts counts the first try; botocore's max_attempts would not
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}


def test_s3fs_gets_the_limits_once_and_does_not_multiply_the_attempts():
    path = TIMEOUTS.object_store_path("s3://bucket/prefix", "http://127.0.0.1:9000")
    options = path.fs.storage_options

    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["config_kwargs"]["connect_timeout"] == 4
    assert options["config_kwargs"]["read_timeout"] == 7.5
    assert options["config_kwargs"]["retries"] == {"total_max_attempts": 2, "mode": "standard"}
    assert options["config_kwargs"]["http_session_cls"] is BoundedAIOHTTPSession
    assert path.fs.retries == 1
    assert (path / "child").fs.retries == 1


def test_libpq_counts_whole_seconds_and_at_least_two():
    assert ClientTimeouts(connect_seconds=1).libpq_connect_seconds == 2
    assert ClientTimeouts(connect_seconds=10).libpq_connect_seconds == 10
    assert ClientTimeouts(connect_seconds=2.2).libpq_connect_seconds == 3


def test_spark_s3a_gets_milliseconds():
    assert TIMEOUTS.s3a_properties() == {
        "spark.hadoop.fs.s3a.connection.establish.timeout": "4000",
        "spark.hadoop.fs.s3a.connection.timeout": "7500",
        "spark.hadoop.fs.s3a.attempts.maximum": "2",
    }


def test_other_processes_get_the_variables_and_libpq_s_own():
    assert TIMEOUTS.environment() == {
        "CLIENT_CONNECT_TIMEOUT_SECONDS": "4",
        "CLIENT_READ_TIMEOUT_SECONDS": "7.5",
        "CLIENT_ATTEMPTS": "2",
        "PGCONNECT_TIMEOUT": "4",
    }


def test_the_defaults_give_up_on_a_silent_server_in_about_a_minute():
    defaults = ClientTimeouts()

    assert defaults.attempts * defaults.read_seconds == 60
    assert defaults.attempts * defaults.connect_seconds == 30
