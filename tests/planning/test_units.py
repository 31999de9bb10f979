"""One MB/s is 2**20 bytes a second; one Mbit is 10**6 bits."""

import pytest

from dagster_project.planning.units import mb_per_s_to_mbit_per_s


def test_one_mb_per_second_is_8_388608_mbit_per_second():
    # 2**20 bytes * 8 bits = 8,388,608 bits = 8.388608 * 10**6 bits
    assert mb_per_s_to_mbit_per_s(1) == pytest.approx(8.388608)


def test_a_125_mb_per_second_link_is_not_a_gigabit_link():
    # 125 * 8.388608 = 1048.576 Mbit/s: binary MB make "125 MB/s = 1 Gbit/s" 4.9 % off.
    assert mb_per_s_to_mbit_per_s(125) == pytest.approx(1048.576)
