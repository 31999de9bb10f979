"""Settings from the environment: defaults, and a clear error for every invalid value."""

import pytest

from dagster_project import settings


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
