"""The units every planner uses, defined once so that no figure mixes two definitions.

Sizes are binary, as Linux, pandas and the I/O managers' metadata report them: 1 MB = 2**20
bytes and 1 GB = 1024 MB = 2**30 bytes. Network rates are decimal, as links and cloud bandwidth
are sold: 1 Mbit = 10**6 bits. Hence 1 MB/s = 2**20 * 8 / 10**6 = 8.388608 Mbit/s.

A month is 365 / 12 days (730 hours), the month cloud providers bill storage by.
"""

BYTES_PER_MB = 2**20
MB_PER_GB = 1024
BITS_PER_MBIT = 10**6
MBIT_PER_MB = BYTES_PER_MB * 8 / BITS_PER_MBIT
SECONDS_PER_HOUR = 3600
HOURS_PER_DAY = 24
DAYS_PER_MONTH = 365 / 12


def mb_per_s_to_mbit_per_s(mb_per_s: float) -> float:
    """A rate in MB/s (2**20 bytes) as Mbit/s (10**6 bits)."""
    return mb_per_s * MBIT_PER_MB
