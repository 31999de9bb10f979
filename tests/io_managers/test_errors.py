"""A serializer's failure becomes the error naming the asset, its cause chained; a failure that is
not the value's (disk, store, memory, an interrupt, a tier's own refusal) passes unchanged. The
errors survive pickling with their message."""

import pickle

import dagster as dg
import pytest

from dagster_project.io_managers.errors import (
    MissingBucketError,
    StorageUnavailableError,
    UnserializableValueError,
    UnsupportedValueError,
    serialization_errors_named,
)


def named(error: BaseException) -> None:
    with serialization_errors_named(lambda: "asset 'victim'", "medium", "/x.parquet", "Fix it."):
        raise error


def test_a_serializer_error_is_named_with_its_cause_chained():
    cause = TypeError("Expected bytes, got a 'int' object.")

    with pytest.raises(UnserializableValueError) as raised:
        named(cause)

    assert str(raised.value) == (
        "Cannot write asset 'victim' to the medium tier at /x.parquet: TypeError: Expected "
        "bytes, got a 'int' object. The value stored before, if any, is unchanged. Fix it."
    )
    assert raised.value.__cause__ is cause


@pytest.mark.parametrize(
    "error",
    [
        KeyboardInterrupt(),
        MemoryError(),
        OSError(28, "No space left on device"),
        StorageUnavailableError("s3://b/base", "http://127.0.0.1:1", ConnectionError("refused")),
        UnsupportedValueError(dg.AssetKey("victim"), "medium", "a pandas DataFrame", object()),
    ],
    ids=type,
)
def test_a_failure_that_is_not_the_values_passes_unchanged(error):
    with pytest.raises(type(error)) as raised:
        named(error)

    assert raised.value is error


@pytest.mark.parametrize(
    "error",
    [
        UnserializableValueError("asset 'victim'", "small", "/v.pkl", "TypeError: no", "Fix it."),
        MissingBucketError("asset 'victim'", True, "s3://typo/v", "typo", None, "S3_BUCKET"),
    ],
    ids=type,
)
def test_the_errors_survive_pickling(error):
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert str(copy) == str(error)
