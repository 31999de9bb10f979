"""The benchmark DataFrame: mixed dtypes, like the frames the example groups pass around.

Columns: two integer widths, two float widths (an amount in cents, as the example groups round
money, and a ratio with missing values), a timestamp sorted
inside one day (so the time-series tier accepts it as the partition ``2024-01-01`` without
re-sorting), a low-cardinality string (5 values), a medium one (1,000 URLs) and a
high-cardinality one (a random 16-hex-digit session id per row). Strings are ``object`` columns,
as pandas 2 makes them by default, or with ``strings="arrow"`` Arrow-backed
``pd.StringDtype("pyarrow")`` columns, holding the same values.

Sizes are "in memory" as pandas and this project's metadata count them
(``memory_usage(deep=True)``). That count charges every row its own string even where rows share
one object (the low-cardinality column), so the resident size is somewhat smaller.

The frame depends only on the row count and the seed: the write and the read of a case run in
different processes and compare the same data.
"""

import numpy as np
import pandas as pd

DAY = "2024-01-01"
SEED = 7
STATUSES = np.array(["ok", "redirect", "not_found", "error", "timeout"], dtype=object)
_SAMPLE_ROWS = 20_000


STRING_KINDS = ("object", "arrow")
STRING_COLUMNS = ("status", "url", "session_id")


def mixed_frame(rows: int, seed: int = SEED, strings: str = "object") -> pd.DataFrame:
    """``rows`` rows of the benchmark frame, its strings of the kind ``strings``."""
    frame = _object_frame(rows, seed)
    if strings == "arrow":
        return frame.astype({name: pd.StringDtype("pyarrow") for name in STRING_COLUMNS})
    if strings != "object":
        raise ValueError(f"strings must be one of {STRING_KINDS}, not {strings!r}")
    return frame


def _object_frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    urls = np.array(
        [
            f"/catalog/{section}/item-{i:04d}"
            for section, i in zip(
                rng.choice(["books", "garden", "tools", "toys"], 1_000), range(1_000), strict=True
            )
        ],
        dtype=object,
    )
    discount = rng.random(rows, dtype=np.float32)
    discount[rng.random(rows) < 0.1] = np.nan
    offsets_ns = np.sort(rng.integers(0, 86_400 * 10**9, rows))
    sessions = rng.integers(0, 2**63, rows, dtype=np.int64)
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64),
            "customer_id": rng.integers(0, 200_000, rows, dtype=np.int32),
            "amount": rng.gamma(2.0, 40.0, rows).round(2),
            "discount": discount,
            "timestamp": pd.Timestamp(DAY) + pd.to_timedelta(offsets_ns, unit="ns"),
            "status": rng.choice(STATUSES, rows, p=[0.8, 0.08, 0.06, 0.04, 0.02]),
            "url": rng.choice(urls, rows),
            "session_id": pd.Series(sessions).map("{:016x}".format).to_numpy(dtype=object),
        }
    )


def frame_bytes(frame: pd.DataFrame) -> int:
    """In-memory size as pandas counts it, strings included."""
    return int(frame.memory_usage(deep=True).sum())


def rows_for_bytes(target_bytes: int) -> int:
    """Rows that make a frame of about ``target_bytes`` in memory."""
    sample = mixed_frame(_SAMPLE_ROWS)
    return max(100, round(target_bytes / (frame_bytes(sample) / _SAMPLE_ROWS)))
