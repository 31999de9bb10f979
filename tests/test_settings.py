"""Settings from the environment: defaults, and a clear error for every invalid value."""

import pytest

from dagster_project import settings
from dagster_project.client_timeouts import ClientTimeouts


def test_defaults_are_the_embedded_local_deployment():
    assert settings.deployment({}) == "local"
    assert settings.data_scale({}) == 1.0
    assert settings.parquet_compression({}) == "zstd"
    assert settings.storage_url({}) == str(settings.LOCAL_STATE_DIR / "storage")


def test_an_unknown_deployment_lists_the_valid_ones():
    with pytest.raises(settings.SettingsError) as raised:
        settings.deployment({"DAGSTER_DEPLOYMENT": "production"})

    assert "DAGSTER_DEPLOYMENT='production'" in str(raised.value)
    assert "local, stack" in str(raised.value)


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "inf", "nan", "-0.0"])
def test_a_scale_that_is_not_a_positive_number_is_refused(raw):
    with pytest.raises(settings.SettingsError, match=f"DATA_SCALE='{raw}' must be a positive"):
        settings.data_scale({"DATA_SCALE": raw})


def test_a_fractional_scale_is_accepted():
    assert settings.data_scale({"DATA_SCALE": "0.01"}) == 0.01


def test_an_unknown_codec_lists_the_supported_ones():
    with pytest.raises(settings.SettingsError) as raised:
        settings.parquet_compression({"PARQUET_COMPRESSION": "lzo"})

    assert "PARQUET_COMPRESSION='lzo'" in str(raised.value)
    assert "zstd, snappy, gzip, brotli, lz4, none" in str(raised.value)


def test_the_local_warehouse_defaults_to_a_duckdb_file_in_the_checkout():
    assert (
        settings.warehouse_url({}) == f"duckdb:///{settings.LOCAL_STATE_DIR / 'warehouse.duckdb'}"
    )


def test_the_stack_requires_a_warehouse_url():
    with pytest.raises(settings.SettingsError, match="WAREHOUSE_URL must be set"):
        settings.warehouse_url({"DAGSTER_DEPLOYMENT": "stack"})


@pytest.mark.parametrize(
    "url", ["mysql://user:hunter2@db/warehouse", "sqlite:///x.db", "not a url at all"]
)
def test_an_unsupported_warehouse_is_refused_without_echoing_credentials(url):
    with pytest.raises(settings.SettingsError, match="not a supported warehouse") as raised:
        settings.warehouse_url({"WAREHOUSE_URL": url})

    assert "hunter2" not in str(raised.value)


def test_a_duckdb_url_without_a_file_is_refused_at_load_time():
    # Without the check, the warehouse failed later with Path(None) (found by mypy).
    with pytest.raises(settings.SettingsError, match="names no DuckDB file"):
        settings.warehouse_url({"WAREHOUSE_URL": "duckdb://"})


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg2://user:hunter2@db:fivefour/warehouse",  # a port that is no number
        "postgresql+psycopg2://user:hunter2@db:70000/warehouse",  # a port out of range
        "postgresql+psycopg2://user:hunter2@db:5432/",  # no database
    ],
    ids=["port-not-a-number", "port-out-of-range", "no-database"],
)
def test_a_broken_postgres_url_names_the_variable_and_an_example_not_the_password(url):
    with pytest.raises(settings.SettingsError) as raised:
        settings.warehouse_url({"WAREHOUSE_URL": url})

    message = str(raised.value)
    assert message.startswith("WAREHOUSE_URL=postgresql+psycopg2://...")
    assert "postgresql+psycopg2://USER:PASSWORD@HOST:5432/DATABASE" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "master",
    [
        "local",
        "local[1]",
        "local[4]",
        "local[*]",
        "local[2,3]",
        "local[*,2]",
        "spark://h:7077",
        "spark://spark-master:7077,standby.example.org:7078",
    ],
)
def test_every_master_form_spark_accepts_is_accepted(master):
    assert settings.spark_master_url({"SPARK_MASTER_URL": master}) == master


@pytest.mark.parametrize(
    "master",
    [
        "localhost:7077",
        "local[0]",
        "local[]",
        "local[x]",
        "locally",
        "spark://host",
        "spark://:7077",
        "spark://host:70000",
        "yarn",
        "k8s://https://cluster",
        "spark://h:7077,",
    ],
)
def test_anything_else_is_refused_with_the_valid_forms(master):
    with pytest.raises(settings.SettingsError) as raised:
        settings.spark_master_url({"SPARK_MASTER_URL": master})

    assert f"SPARK_MASTER_URL='{master}'" in str(raised.value)
    assert "spark://spark-master:7077" in str(raised.value)


@pytest.mark.parametrize(
    "lake", ["file:///var/lib/lake", "file:///lake", "s3a://dagster/lake", "s3a://my.bucket-1"]
)
def test_a_lake_with_an_absolute_folder_or_a_bucket_is_accepted(lake):
    assert settings.lake_url({"LAKE_URL": lake}) == lake


@pytest.mark.parametrize(
    "lake",
    [
        "s3a://",
        "s3a:///lake",
        "s3a://ab/lake",
        "s3a://Upper/lake",
        "file://",
        "file:///",
        "file://relative/lake",
        "s3://dagster/lake",
        "/var/lib/lake",
        "file:///a b",
    ],
)
def test_a_lake_without_a_bucket_or_an_absolute_folder_is_refused(lake):
    with pytest.raises(settings.SettingsError) as raised:
        settings.lake_url({"LAKE_URL": lake})

    assert f"LAKE_URL='{lake}'" in str(raised.value)
    assert "s3a://dagster/lake" in str(raised.value)


def test_client_timeouts_default_to_the_declared_limits():
    assert settings.client_timeouts({}) == ClientTimeouts()


def test_client_timeouts_are_read_from_the_environment():
    timeouts = settings.client_timeouts(
        {
            "CLIENT_CONNECT_TIMEOUT_SECONDS": "3",
            "CLIENT_READ_TIMEOUT_SECONDS": "0.5",
            "CLIENT_ATTEMPTS": "1",
        }
    )

    assert (timeouts.connect_seconds, timeouts.read_seconds, timeouts.attempts) == (3, 0.5, 1)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("CLIENT_CONNECT_TIMEOUT_SECONDS", "1.5"),  # libpq counts whole seconds
        ("CLIENT_CONNECT_TIMEOUT_SECONDS", "0"),
        ("CLIENT_READ_TIMEOUT_SECONDS", "-1"),
        ("CLIENT_READ_TIMEOUT_SECONDS", "soon"),
        ("CLIENT_READ_TIMEOUT_SECONDS", "inf"),
        ("CLIENT_READ_TIMEOUT_SECONDS", "nan"),
        ("CLIENT_ATTEMPTS", "0"),
        ("CLIENT_ATTEMPTS", "11"),
        ("CLIENT_ATTEMPTS", "2.5"),
    ],
)
def test_a_client_limit_that_is_not_a_positive_number_names_the_variable_and_an_example(name, raw):
    with pytest.raises(settings.SettingsError) as raised:
        settings.client_timeouts({name: raw})

    assert f"{name}='{raw}'" in str(raised.value)
    assert "for example" in str(raised.value)


def test_alerts_are_off_unless_configured():
    assert settings.alert_webhook_url({}) is None
    assert settings.alert_email_to({}) == []


def test_a_bad_webhook_url_is_refused_without_showing_it():
    with pytest.raises(settings.SettingsError) as raised:
        settings.alert_webhook_url({"ALERT_WEBHOOK_URL": "hooks.example.com/secret-token"})

    assert "ALERT_WEBHOOK_URL" in str(raised.value)
    assert "secret-token" not in str(raised.value)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"ALERT_EMAIL_TO": "oncall", "SMTP_HOST": "mail"}, "not an email address"),
        ({"ALERT_EMAIL_TO": "oncall@example.com"}, "needs SMTP_HOST"),
    ],
)
def test_email_alerts_need_addresses_and_a_server(environ, expected):
    with pytest.raises(settings.SettingsError, match=expected):
        settings.alert_email_to(environ)


def test_links_point_at_the_webserver():
    assert settings.webserver_url({}) == "http://127.0.0.1:3000"
    assert settings.webserver_url({"DAGSTER_WEBSERVER_PORT": "3333"}) == "http://127.0.0.1:3333"
    assert (
        settings.webserver_url({"DAGSTER_WEBSERVER_URL": "https://dagster.example.com/"})
        == "https://dagster.example.com"
    )


def test_queue_alert_limits_default_and_are_read_from_the_environment():
    assert settings.alert_queued_run_minutes({}) == 30
    assert settings.alert_held_slot_minutes({}) == 2
    assert settings.alert_queued_run_minutes({"ALERT_QUEUED_RUN_MINUTES": "5"}) == 5
    assert settings.alert_held_slot_minutes({"ALERT_HELD_SLOT_MINUTES": "0.5"}) == 0.5


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "inf"])
def test_a_queue_alert_limit_that_is_not_positive_names_the_variable(raw):
    with pytest.raises(settings.SettingsError, match=f"ALERT_QUEUED_RUN_MINUTES='{raw}'"):
        settings.alert_queued_run_minutes({"ALERT_QUEUED_RUN_MINUTES": raw})


def test_the_spark_class_archive_folder_defaults_to_the_checkout_and_can_be_moved():
    assert settings.spark_class_archive_folder({}) == str(
        settings.LOCAL_STATE_DIR / "spark-class-archive"
    )
    assert settings.spark_class_archive_folder({"SPARK_CLASS_ARCHIVE_DIR": " /var/cache/a "}) == (
        "/var/cache/a"
    )
