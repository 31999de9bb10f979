"""Two real processes write the same asset through the size router at the same moment, one on
each side of the threshold, round after round, while a third reads: every load returns a value
one of them wrote, never "missing", and the route record always names a file that exists. On a
local folder and on the real S3 server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.io_managers.managers import make_manager, on_endpoint
from tests.io_managers.stored_values import load

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 80  # on a quiet machine about 90 loads land while both write; the test needs 10


def writer(base: str, kind: str, endpoint: str | None) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.io_managers.racing_writer", base, kind, str(ROUNDS)]
    return subprocess.Popen(
        command + ([endpoint] if endpoint else []),
        cwd=REPOSITORY_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)},
    )


def loaded_writer(router) -> str:
    frame = load(router, asset="raced")
    assert frame["writer"].nunique() == 1, "a load mixed two writes"
    return frame["writer"].iloc[0]


@pytest.fixture(params=["local", "s3"])
def store_base(request, tmp_path) -> tuple[str, str | None]:
    """Where the router stores: a local folder, or a bucket on the session's S3 server."""
    if request.param == "local":
        return str(tmp_path), None
    bucket = request.getfixturevalue("object_store_bucket")
    return f"s3://{bucket}/race", request.getfixturevalue("object_store_endpoint")


def test_racing_writers_on_both_sides_of_the_threshold_never_lose_the_value(store_base):
    base, endpoint = store_base
    router = on_endpoint(make_manager("size_router", base), endpoint)
    record = router.base_upath / "raced.route.json"
    writers = [writer(base, "small", endpoint), writer(base, "large", endpoint)]
    seen, loads_while_both_wrote = set(), 0
    while any(process.poll() is None for process in writers):
        if record.exists():
            both_writing = all(process.poll() is None for process in writers)
            seen.add(loaded_writer(router))  # raises MissingStoredValueError if the race lost it
            loads_while_both_wrote += both_writing
    outputs = [process.communicate()[0] for process in writers]
    errors = [
        "\n".join(line for line in out.splitlines() if " DEBUG " not in line) for out in outputs
    ]

    assert [process.returncode for process in writers] == [0, 0], [text[-3000:] for text in errors]
    final = loaded_writer(router)
    assert final in {f"small-{ROUNDS - 1}", f"large-{ROUNDS - 1}"}
    # the loads did race the writes, and found values of both routes
    assert loads_while_both_wrote >= 10, loads_while_both_wrote
    assert {name.split("-")[0] for name in seen} == {"small", "large"}, seen
