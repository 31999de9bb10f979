"""Line rates and egress cost on hand-worked cases."""

import pytest

from dagster_project.planning.network import bandwidth, monthly_egress_usd, wire_mb_per_s


def test_a_day_of_payload_spread_over_the_window():
    # 28.125 GB = 28,800 MB in 8 h = 28,800 s: 1 MB/s
    assert wire_mb_per_s(28.125, 8, protocol_overhead=1, retry_factor=1) == pytest.approx(1.0)


def test_overhead_and_retries_multiply_the_volume():
    # 1 MB/s * 1.25 * 1.2 = 1.5 MB/s
    assert wire_mb_per_s(28.125, 8, protocol_overhead=1.25, retry_factor=1.2) == pytest.approx(1.5)


def test_the_link_carries_the_busier_direction_in_mbit():
    link = bandwidth(28.125, 14.0625, window_hours=8, protocol_overhead=1.25, retry_factor=1.2)

    # upload 1.5 MB/s, download half of it; 1.5 * 8.388608 = 12.582912 Mbit/s
    assert link.upload_mb_per_s == pytest.approx(1.5)
    assert link.download_mb_per_s == pytest.approx(0.75)
    assert link.required_mbit_per_s == pytest.approx(12.582912)
    assert link.download_mbit_per_s == pytest.approx(6.291456)
    # over 24 h instead of 8 h: a third of the rate
    assert link.daily_average_mbit_per_s == pytest.approx(4.194304)


def test_the_link_is_sized_for_the_busier_direction_in_correct_units():
    # 100 GB up and 50 GB down in 6 h with overhead 1.2 and retries 1.1: upload 100 * 1024 * 1.32
    # MB = 135,168 MB / 21,600 s = 6.25778 MB/s * 8.388608 = 52.49404 Mbit/s. (Not the sum of
    # both directions, 198 GB / 21,600 s = 0.00917 GB/s, which is not Gbit/s either.)
    link = bandwidth(100, 50, window_hours=6, protocol_overhead=1.2, retry_factor=1.1)

    assert link.required_mb_per_s == pytest.approx(6.257778, rel=1e-6)
    assert link.required_mbit_per_s == pytest.approx(52.49404, rel=1e-6)


@pytest.mark.parametrize("window_hours", [0, 25])
def test_a_window_outside_the_day_is_refused(window_hours):
    with pytest.raises(ValueError, match="window_hours"):
        wire_mb_per_s(1, window_hours)


def test_egress_is_billed_on_payload_and_retries_over_a_billing_month():
    # 10 GB/day * 365/12 days * 0.09 USD = 27.375 USD; with 10 % retries 30.1125 USD
    assert monthly_egress_usd(10, usd_per_gb=0.09, retry_factor=1) == pytest.approx(27.375)
    assert monthly_egress_usd(10, usd_per_gb=0.09, retry_factor=1.1) == pytest.approx(30.1125)
