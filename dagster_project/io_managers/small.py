"""Small tier (under about 100 MB): any picklable value, one atomic pickle per asset and partition.

Pickle is the right format here: it stores models, dicts and DataFrames alike (BENCHMARKS.md,
section 1, measures its writes and reads against Parquet's at this size). The pickle streams
straight into the temporary file, so the serialized bytes are never held in memory next to the
object. The file ends with the pickle's SHA-256 (``digest.py``): a damaged pickle is refused
before it is unpickled, instead of loading as another value.

In the ``stack`` deployment this tier is dagster-aws's ``S3PickleIOManager`` instead; this class
also works on ``s3://`` when a single implementation across environments is preferred.
"""

import pickle
from typing import IO, Any, ClassVar

import dagster as dg

from dagster_project.io_managers.tier_io_manager import TierIOManager


class PickleIOManager(TierIOManager):
    """Stores any picklable value as ``<base>/<asset>[/<partition>].pkl``, written atomically."""

    tier: ClassVar[str] = "small"
    extension: ClassVar[str] = ".pkl"  # type: ignore[misc]  # see TierIOManager.extension
    digest_footer: ClassVar[bool] = True
    unwritable_hint: ClassVar[str] = (
        "Return a value pickle can write: leave out or convert what it cannot (open files, "
        "locks, connections, generators, lambdas, local functions)."
    )

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        with open(path, "wb") as file:
            pickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)

    def read_value(self, context: dg.InputContext, file: IO[bytes]) -> Any:
        return pickle.load(file)
