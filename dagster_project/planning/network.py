"""Bandwidth to and from the object store, and what the bytes leaving the cloud cost.

Daily volumes are payload GB (2**30 bytes). On the wire each byte costs more: packet headers
and framing (``protocol_overhead``) and transfers repeated after a failure (``retry_factor``).
Rates are given in MB/s (2**20 bytes) and Mbit/s (10**6 bits, as links are sold):
1 MB/s = 8.388608 Mbit/s. Links are full duplex, so uploads and downloads do not compete: the
link must carry the busier direction.
"""

from dataclasses import dataclass

from dagster_project.planning.units import (
    DAYS_PER_MONTH,
    HOURS_PER_DAY,
    MB_PER_GB,
    SECONDS_PER_HOUR,
    mb_per_s_to_mbit_per_s,
)

# A full 1500-byte Ethernet frame carries 1448 bytes of TCP payload (IP 20 + TCP 20 + timestamp
# option 12) and occupies 1538 bytes of line time (header 14, FCS 4, preamble 8, gap 12):
# 1538 / 1448 = 1.062. TLS records add about 0.2 % (22-29 bytes per 16 KiB); HTTP headers are
# negligible against objects of megabytes.
PROTOCOL_OVERHEAD = 1.065
# An assumption, not a measurement: one transfer in ten is repeated.
RETRY_FACTOR = 1.1
TRANSFER_WINDOW_HOURS = 8.0

# Example list prices for data transfer out to the internet, USD per GB, the first paid volume
# tier, as published in 2024, free allowances ignored. Prices change and differ by region: pass
# your own.
EGRESS_PRICES_AS_OF = "2024"
EXAMPLE_EGRESS_USD_PER_GB: dict[str, float] = {"aws": 0.09, "gcp": 0.12, "azure": 0.087}


@dataclass(frozen=True)
class Bandwidth:
    """Rates needed to move a day's volumes within the transfer window."""

    upload_mb_per_s: float
    download_mb_per_s: float
    window_hours: float

    @property
    def required_mb_per_s(self) -> float:
        return max(self.upload_mb_per_s, self.download_mb_per_s)

    @property
    def upload_mbit_per_s(self) -> float:
        return mb_per_s_to_mbit_per_s(self.upload_mb_per_s)

    @property
    def download_mbit_per_s(self) -> float:
        return mb_per_s_to_mbit_per_s(self.download_mb_per_s)

    @property
    def required_mbit_per_s(self) -> float:
        return mb_per_s_to_mbit_per_s(self.required_mb_per_s)

    @property
    def daily_average_mbit_per_s(self) -> float:
        """The busier direction's rate spread over the whole day instead of the window."""
        return self.required_mbit_per_s * self.window_hours / HOURS_PER_DAY


def wire_mb_per_s(
    daily_gb: float,
    window_hours: float = TRANSFER_WINDOW_HOURS,
    protocol_overhead: float = PROTOCOL_OVERHEAD,
    retry_factor: float = RETRY_FACTOR,
) -> float:
    """The line rate that moves ``daily_gb`` of payload within ``window_hours``."""
    if not 0 < window_hours <= HOURS_PER_DAY:
        raise ValueError(f"window_hours must be in (0, 24], got {window_hours}")
    if daily_gb < 0 or protocol_overhead < 1 or retry_factor < 1:
        raise ValueError("volumes must be >= 0 and overhead and retry factors >= 1")
    wire_mb = daily_gb * MB_PER_GB * protocol_overhead * retry_factor
    return wire_mb / (window_hours * SECONDS_PER_HOUR)


def bandwidth(
    daily_upload_gb: float,
    daily_download_gb: float,
    window_hours: float = TRANSFER_WINDOW_HOURS,
    protocol_overhead: float = PROTOCOL_OVERHEAD,
    retry_factor: float = RETRY_FACTOR,
) -> Bandwidth:
    def rate(daily_gb: float) -> float:
        return wire_mb_per_s(daily_gb, window_hours, protocol_overhead, retry_factor)

    return Bandwidth(rate(daily_upload_gb), rate(daily_download_gb), window_hours)


def monthly_egress_usd(
    daily_egress_gb: float,
    usd_per_gb: float = EXAMPLE_EGRESS_USD_PER_GB["aws"],
    retry_factor: float = RETRY_FACTOR,
) -> float:
    """Monthly cost of the payload that leaves the provider (downloads to compute outside its
    region; uploads and same-region reads are not billed as egress). A repeated transfer is
    billed again; packet headers are not metered."""
    if daily_egress_gb < 0 or usd_per_gb < 0:
        raise ValueError("egress volume and price must be >= 0")
    return daily_egress_gb * retry_factor * DAYS_PER_MONTH * usd_per_gb
