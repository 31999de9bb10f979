"""Table names are validated before any SQL is built."""

import pytest

from dagster_project.resources.table_name import InvalidTableNameError, TableName


def test_a_qualified_name_keeps_its_schema():
    assert TableName.parse("raw.raw_transactions", "analytics") == TableName(
        "raw", "raw_transactions"
    )


def test_an_unqualified_name_gets_the_default_schema():
    assert str(TableName.parse("segments", "analytics")) == "analytics.segments"


def test_the_staging_name_is_a_sibling_no_user_name_can_take():
    staging = TableName("raw", "sales").staging()

    assert str(staging) == "raw.sales-staging"
    with pytest.raises(InvalidTableNameError):
        TableName.parse("raw.sales-staging", "analytics")


def test_an_empty_schema_is_refused_with_an_example():
    with pytest.raises(InvalidTableNameError, match=r"'analytics\.orders'"):
        TableName.parse(".orders", "analytics")


@pytest.mark.parametrize(
    "hostile",
    [
        "x; DROP TABLE raw_transactions",
        "raw_transactions--",
        'raw."transactions"',
        "Raw.Transactions",
        "a.b.c",
        "1table",
        "table name",
        "",
        "raw.",
        ".orders",
        "x" * 55,
    ],
)
def test_anything_but_lowercase_identifiers_is_refused(hostile):
    with pytest.raises(InvalidTableNameError, match="No SQL was run"):
        TableName.parse(hostile, "analytics")
