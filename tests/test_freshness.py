"""The freshness policies of the iot, marketing and monitoring groups as Dagster's FreshnessDaemon
reports them: one daemon iteration over the code location (loaded through a code server, as
`dagster-daemon` loads it) on an instance made from the project's dagster.yaml, with Dagster's
clock set to the instant under test. The windows are written out here, not read from the
policies, so a changed policy fails a test."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.test_utils import freeze_time
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._daemon.freshness import FreshnessDaemon

from dagster_project.definitions import defs
from tests.daemon_workspace import code_location_workspace

HOUR = 3600
DAY = 24 * HOUR
# A whole second, so that "the window minus one second" is exact in floating point
MATERIALIZED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC).timestamp()

SENSOR_ANOMALIES = dg.AssetKey("sensor_anomalies")
CAMPAIGN_DATA = dg.AssetKey("campaign_data")
PERFORMANCE_METRICS = dg.AssetKey("performance_metrics")
# A partition each materialization is recorded for (None: the asset is not partitioned)
PARTITION = {
    SENSOR_ANOMALIES: "2026-03-10-11:00",
    CAMPAIGN_DATA: "2026-03-09",
    PERFORMANCE_METRICS: None,
}


@dataclass(frozen=True)
class Deployment:
    instance: dg.DagsterInstance
    workspace: WorkspaceProcessContext


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    with code_location_workspace(tmp_path_factory.mktemp("dagster_home")) as (instance, workspace):
        yield Deployment(instance, workspace)


@pytest.fixture
def project(deployment: Deployment) -> Deployment:
    """The module's deployment with no run and no event recorded yet."""
    deployment.instance.wipe()
    return deployment


def evaluate(project: Deployment, at: float | None = None) -> None:
    """One iteration of the FreshnessDaemon at Dagster time ``at`` (None: the real clock)."""
    with contextlib.nullcontext() if at is None else freeze_time(at):
        list(FreshnessDaemon().run_iteration(project.workspace))


def state(project: Deployment, key: dg.AssetKey) -> FreshnessState:
    return project.instance.get_freshness_state_records([key])[key].freshness_state


def record_materialization(project: Deployment, key: dg.AssetKey, at: float) -> None:
    with freeze_time(at):
        project.instance.report_runless_asset_event(
            dg.AssetMaterialization(key, partition=PARTITION[key])
        )


def test_only_the_three_policy_assets_are_evaluated_and_unknown_before_a_materialization(
    project,
):
    evaluate(project)

    keys = list(defs.resolve_asset_graph().get_all_asset_keys())
    records = project.instance.get_freshness_state_records(keys)
    states = {key: record.freshness_state for key, record in records.items()}
    assert set(states) == set(keys)
    assert {key for key, value in states.items() if value != FreshnessState.NOT_APPLICABLE} == {
        SENSOR_ANOMALIES,
        CAMPAIGN_DATA,
        PERFORMANCE_METRICS,
    }
    assert states[SENSOR_ANOMALIES] == FreshnessState.UNKNOWN
    assert states[CAMPAIGN_DATA] == FreshnessState.UNKNOWN
    assert states[PERFORMANCE_METRICS] == FreshnessState.UNKNOWN


@pytest.mark.parametrize(
    ("key", "warn_after", "fail_after"),
    [
        (SENSOR_ANOMALIES, 2 * HOUR, 3 * HOUR),
        (CAMPAIGN_DATA, 26 * HOUR, 36 * HOUR),
        (PERFORMANCE_METRICS, 1 * DAY, 2 * DAY),
    ],
    ids=["sensor_anomalies", "campaign_data", "performance_metrics"],
)
def test_each_window_starts_at_its_boundary_and_a_new_materialization_passes_again(
    project, key, warn_after, fail_after
):
    record_materialization(project, key, MATERIALIZED_AT)
    # Dagster's rule: a window is reached when the age equals it (age >= window)
    ages = [warn_after - 1, warn_after, fail_after - 1, fail_after]
    states = []
    for age in ages:
        evaluate(project, MATERIALIZED_AT + age)
        states.append(state(project, key))
    assert states == [
        FreshnessState.PASS,
        FreshnessState.WARN,
        FreshnessState.WARN,
        FreshnessState.FAIL,
    ]

    again = MATERIALIZED_AT + fail_after + HOUR
    record_materialization(project, key, again)
    evaluate(project, again)
    assert state(project, key) == FreshnessState.PASS


def test_a_run_that_just_materialized_campaign_data_leaves_it_fresh(project, small_scale_resources):
    result = dg.materialize(
        list(defs.assets or []),
        selection=dg.AssetSelection.assets(CAMPAIGN_DATA),
        partition_key=PARTITION[CAMPAIGN_DATA],
        resources=small_scale_resources,
        instance=project.instance,
    )
    assert result.success

    evaluate(project)

    assert state(project, CAMPAIGN_DATA) == FreshnessState.PASS
    assert state(project, SENSOR_ANOMALIES) == FreshnessState.UNKNOWN
