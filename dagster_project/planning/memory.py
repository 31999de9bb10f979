"""Memory for running steps one at a time or side by side, and the concurrency that fits.

A step's process holds the Dagster runtime (the baseline) plus the value it writes, and writing
needs more than the value itself: the serializer's buffers and copies. The peak factor is the
peak memory during one write as a multiple of the value's in-memory size, the value included,
so a step's working memory above the baseline is ``memory_size_mb * factor``.

With the multiprocess executor each running step is its own process, so k steps side by side
need k baselines plus the k largest working memories (the worst case: the largest steps happen
to run together). Memory figures are MB (2**20 bytes).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dagster_project.tiers import Tier

# Dagster's own pickle (protocol 4) I/O managers. Taken as given: nothing in this repository
# measures them; the measurement below gave 2.09 to a file, so 2.4 errs on the high side.
PICKLE_TO_FILE = 2.4
PICKLE_TO_S3 = 3.4  # the pickle is built in memory as bytes, then uploaded

# Measured here (pandas 2.3, pyarrow 26, Python 3.11): a 203 MB (memory_usage(deep=True))
# frame of int64, float64, int32, datetime, category, bool and object-string columns, written
# as the medium tier writes it (pa.Table.from_pandas, then pq.write_table with zstd) in a fresh
# process. The high-water mark was reset (``5`` to /proc/self/clear_refs) after the frame was
# built; (VmHWM after the write - VmRSS before the frame existed) / 203 MB = 1.64, the same in
# three runs. The same method gave 2.09 for pickle to a file, and 1.46 for Parquet at 407 MB
# (the Arrow copy's fixed costs weigh less on bigger frames).
PARQUET_ZSTD_TO_FILE = 1.64

# The step process's own RSS before it holds any data (Dagster, pandas and the code location
# imported), measured here.
STEP_PROCESS_BASELINE_MB = 270.0

DEFAULT_HEADROOM = 0.8


@dataclass(frozen=True)
class PeakFactors:
    """Peak write memory as a multiple of the value's in-memory size, by how the tier writes."""

    pickle: float = PICKLE_TO_FILE
    parquet: float = PARQUET_ZSTD_TO_FILE
    # The reference tier stores a table name: the data's memory is the warehouse's or Spark's,
    # to be planned for those servers, not for the Dagster step.
    reference: float = 0.0

    def for_tier(self, tier: Tier) -> float:
        match tier:
            case Tier.SMALL:
                return self.pickle
            case Tier.MEDIUM | Tier.TIME_SERIES:
                return self.parquet
            case Tier.REFERENCE:
                return self.reference
            case Tier.SIZE_ROUTER:
                # The router may send a value either way; plan for the hungrier writer.
                return max(self.pickle, self.parquet)
        raise ValueError(f"no peak factor for tier {tier!r}")


LOCAL_PEAK_FACTORS = PeakFactors()
STACK_PEAK_FACTORS = PeakFactors(pickle=PICKLE_TO_S3)


def working_memory_mb(memory_size_mb: float, tier: Tier, factors: PeakFactors) -> float:
    """Memory one step needs above its process's baseline to write a value of this size."""
    return memory_size_mb * factors.for_tier(tier)


def sequential_peak_mb(
    working_mb: Sequence[float], baseline_mb: float = STEP_PROCESS_BASELINE_MB
) -> float:
    """Peak when steps run one at a time: one process, the largest step's working memory."""
    return baseline_mb + max(working_mb, default=0.0)


def parallel_peak_mb(
    working_mb: Sequence[float],
    concurrency: int,
    baseline_mb: float = STEP_PROCESS_BASELINE_MB,
) -> float:
    """Peak when up to ``concurrency`` steps run at once and the largest ones coincide."""
    if concurrency < 0:
        raise ValueError(f"concurrency must be >= 0, got {concurrency}")
    running = sorted(working_mb, reverse=True)[:concurrency]
    return len(running) * baseline_mb + sum(running)


def largest_safe_concurrency(
    working_mb: Sequence[float],
    memory_budget_mb: float,
    headroom: float = DEFAULT_HEADROOM,
    baseline_mb: float = STEP_PROCESS_BASELINE_MB,
) -> int:
    """The largest k whose worst case (the k largest steps at once) fits in
    ``memory_budget_mb * headroom``: 0 when even the largest step alone does not fit, every
    step when all of them fit together."""
    if not 0 < headroom <= 1:
        raise ValueError(f"headroom must be in (0, 1], got {headroom}")
    if memory_budget_mb < 0 or baseline_mb < 0 or any(mb < 0 for mb in working_mb):
        raise ValueError("memory budget, baseline and working memories must be >= 0")
    limit_mb = memory_budget_mb * headroom
    needed_mb = 0.0
    # Each further step adds a baseline and a working memory no larger than the previous one's,
    # so the first k that does not fit ends the search.
    for running, step_mb in enumerate(sorted(working_mb, reverse=True), start=1):
        needed_mb += baseline_mb + step_mb
        if needed_mb > limit_mb:
            return running - 1
    return len(working_mb)
