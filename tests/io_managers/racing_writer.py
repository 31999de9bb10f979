"""A process that writes one asset through the size router over and over, for the race tests.

Usage: ``python -m tests.io_managers.racing_writer BASE_PATH small|large ROUNDS [ENDPOINT]``
(``ENDPOINT``: the S3 server of an ``s3://`` base path). A ``small``
writer's frames fall under the test router's 1 MB threshold (pickle tier), a ``large`` writer's
above it (Parquet tier); each frame's ``writer`` column says who wrote it and in which round.
"""

import sys

import numpy as np
import pandas as pd

from tests.io_managers.managers import make_manager, on_endpoint
from tests.io_managers.stored_values import store

ROWS = {"small": 10, "large": 80_000}  # the large one just over 1 MB in memory


def frame(kind: str, round_number: int) -> pd.DataFrame:
    rows = ROWS[kind]
    return pd.DataFrame({"id": np.arange(rows), "writer": [f"{kind}-{round_number}"] * rows})


def main(base_path: str, kind: str, rounds: str, endpoint_url: str | None = None) -> None:
    router = on_endpoint(make_manager("size_router", base_path), endpoint_url)
    for round_number in range(int(rounds)):
        store(router, frame(kind, round_number), asset="raced")
    print("done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
