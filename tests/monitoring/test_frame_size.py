"""frame_size_bytes gives pandas' own deep count, whatever the columns hold."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.monitoring.frame_size import frame_size_bytes

FRAMES = {
    "ascii strings and numbers": pd.DataFrame(
        {"id": np.arange(6), "name": ["a", "bb", "", "dddd", "e" * 300, "f"], "x": np.ones(6)}
    ),
    "non-ASCII text": pd.DataFrame({"name": ["é", "x", "日本", "abc" * 10]}),
    "missing values": pd.DataFrame({"name": ["a", None, "c", np.nan]}),
    "bytes and other objects": pd.DataFrame({"mixed": [b"ab", "x", 3, 2.5, ("t",)]}),
    "categorical": pd.DataFrame({"kind": pd.Categorical(["a", "b", "a"])}),
    "arrow strings": pd.DataFrame({"s": pd.array(["a", None, "ccc"], dtype="string[pyarrow]")}),
    "python strings": pd.DataFrame({"s": pd.array(["a", None, "ccc"], dtype="string[python]")}),
    "nullable integers": pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64")}),
    "object index": pd.DataFrame({"n": [1, 2]}, index=["first", "second"]),
    "multi index": pd.DataFrame(
        {"n": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])
    ),
    "empty object column": pd.DataFrame({"s": pd.Series([], dtype=object)}),
    "no columns": pd.DataFrame(index=range(3)),
}


@pytest.mark.parametrize("name", FRAMES)
def test_the_size_is_pandas_deep_count(name):
    frame = FRAMES[name]
    measured = frame_size_bytes(frame)
    # measured first: converting non-ASCII text to Arrow caches its UTF-8 form in each str,
    # which pandas then counts too
    assert measured == int(frame.memory_usage(deep=True).sum())


def test_an_ascii_column_is_counted_per_character():
    short = pd.DataFrame({"s": ["ab"] * 1_000})
    long = pd.DataFrame({"s": ["ab" * 11] * 1_000})  # 20 more characters per row

    assert frame_size_bytes(long) - frame_size_bytes(short) == 20 * 1_000
