"""The group-to-tier binding: an asset whose group has no tier, or that is not stored by its
group's tier, fails the load with the asset, the group and the line to add to tiers.py."""

import dagster as dg
import pytest

from dagster_project.tiers import (
    IO_MANAGER_KEYS,
    Tier,
    UnboundGroupError,
    check_tier_bindings,
    io_manager_key,
)


def test_an_asset_of_a_group_without_a_tier_names_itself_its_group_and_the_line_to_add():
    @dg.asset(group_name="sales", io_manager_key=io_manager_key("sales"))
    def daily_sales() -> int:
        return 1

    with pytest.raises(UnboundGroupError) as raised:
        check_tier_bindings([daily_sales])

    assert str(raised.value).startswith(
        "Asset 'daily_sales' is in group 'sales', which has no tier: add the line "
        '`"sales": Tier.SMALL,` to GROUP_TIERS in dagster_project/tiers.py'
    )


def test_a_scaffolded_asset_without_a_group_is_told_to_take_its_folders_group():
    @dg.asset
    def assets() -> int:
        return 1

    with pytest.raises(UnboundGroupError, match=r"Asset 'assets' is in group 'default'.*"):
        check_tier_bindings([assets])
    with pytest.raises(UnboundGroupError, match=r"group_name='<folder>'"):
        check_tier_bindings([assets])


def test_an_asset_not_stored_by_its_groups_tier_is_told_which_key_to_ask_for():
    @dg.asset(group_name="logs")
    def access_log() -> int:
        return 1

    with pytest.raises(UnboundGroupError) as raised:
        check_tier_bindings([access_log])

    assert str(raised.value) == (
        "Asset 'access_log' of group 'logs' is stored by 'io_manager', not by its tier's "
        f"'{IO_MANAGER_KEYS[Tier.MEDIUM]}': give its decorator "
        "io_manager_key=io_manager_key('logs') (from dagster_project.tiers)."
    )


def test_bound_assets_dbt_models_and_external_assets_pass():
    @dg.asset(group_name="logs", io_manager_key=io_manager_key("logs"))
    def access_log() -> int:
        return 1

    @dg.asset(group_name="dbt")
    def model() -> None:
        return None

    checked = check_tier_bindings([access_log, model, dg.AssetSpec("outside", group_name="sales")])

    # the stored asset was checked against its tier; the dbt model and the external asset,
    # which no I/O manager stores, were not
    assert checked == {dg.AssetKey("access_log"): Tier.MEDIUM}
