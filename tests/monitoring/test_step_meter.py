"""The uniform performance metadata: inputs still detected, peaks measured per step."""

import dagster as dg
import numpy as np
import pandas as pd

from dagster_project.io_managers.small import PickleIOManager
from dagster_project.monitoring.step_meter import PERFORMANCE_KEYS, measured


@dg.asset
@measured
def big_then_small() -> pd.DataFrame:
    scratch = np.ones(300 * 2**20 // 8)  # 300 MB held only during the computation
    return pd.DataFrame({"total": [float(scratch.sum())]})


@dg.asset
@measured
def downstream(big_then_small: pd.DataFrame) -> pd.DataFrame:
    return big_then_small * 2


def test_the_decorator_keeps_the_signature_dagster_reads():
    assert set(downstream.keys_by_input_name) == {"big_then_small"}
    assert downstream(pd.DataFrame({"total": [1.0]}))["total"].iloc[0] == 2.0  # outside a run


def test_every_output_carries_the_keys_and_each_step_its_own_peak(tmp_path, instance):
    result = dg.materialize(
        [big_then_small, downstream],
        resources={"io_manager": PickleIOManager(base_path=str(tmp_path))},
        instance=instance,
    )

    metadata = {
        event.asset_key.to_user_string(): {
            k: v.value for k, v in event.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
    }
    for values in metadata.values():
        assert set(PERFORMANCE_KEYS) <= set(values)
        assert values["dagster/row_count"] == 1
    # The 300 MB array raised the first step's high-water mark, not the second's.
    assert (
        metadata["big_then_small"]["peak_memory_mb"]
        > metadata["downstream"]["peak_memory_mb"] + 200
    )
