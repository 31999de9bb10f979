"""The finished-run counters over a real instance's run records: a run that changes status after
it ended, as one timed out by run monitoring does (its process records CANCELED, then the
monitor marks it FAILURE), counts under both, and each counter only grows."""

import dagster as dg

from dagster_project.metrics_exporter import FinishedRuns

JOB = "some_job"


def finished_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    run = instance.add_run(dg.DagsterRun(job_name=JOB, status=dg.DagsterRunStatus.NOT_STARTED))
    instance.report_run_canceling(run)
    instance.report_run_canceled(run)
    return run


def test_a_run_canceled_then_marked_failed_counts_under_both():
    with dg.instance_for_test() as instance:
        counters = FinishedRuns([JOB])
        run = finished_run(instance)

        counters.read(instance)
        assert counters.totals[("CANCELED", JOB)] == 1
        assert counters.totals[("FAILURE", JOB)] == 0
        assert counters.new_runs == [run.run_id]

        instance.report_run_failed(run, "Exceeded maximum runtime of 1 seconds.")
        counters.read(instance)
        counters.read(instance)  # read again: nothing new

        assert counters.totals[("CANCELED", JOB)] == 1
        assert counters.totals[("FAILURE", JOB)] == 1
        assert counters.new_runs == [run.run_id]  # its steps are read once


def test_runs_read_again_from_scratch_count_each_final_status_once():
    with dg.instance_for_test() as instance:
        runs = [finished_run(instance) for _ in range(3)]
        instance.report_run_failed(runs[0], "failed after it ended")

        counters = FinishedRuns([JOB])
        counters.read(instance)

        # a restarted exporter sees only each run's status now
        assert counters.totals[("CANCELED", JOB)] == 2
        assert counters.totals[("FAILURE", JOB)] == 1
        assert sorted(counters.new_runs) == sorted(run.run_id for run in runs)
