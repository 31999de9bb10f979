"""``python -m dagster_project.metrics_exporter``: Prometheus metrics of the Dagster instance at
``DAGSTER_HOME`` (the stack's PostgreSQL, or the embedded default's files), served on
``/metrics`` (``--port``, default 9109) with the official ``prometheus-client``.

Every value is read from the instance when Prometheus scrapes, so nothing is lost when the
exporter restarts: the finished-run counters and the run-duration histogram are rebuilt from the
instance's run records (in batches of ``RUNS_PER_SCRAPE``, oldest updates first), then kept up
to date from there. Reads are bounded: four run queries (unfinished, newly finished,
queued, those holding slots), the pool list and one query per pool, one each for the asset
records, the checks, the freshness states and the heartbeats, and the step stats of at most
``STEP_STATS_RUNS_PER_SCRAPE`` newly finished runs. A scrape that cannot read the instance
within ``SCRAPE_DEADLINE_S`` (PostgreSQL down, or never answering) answers ``dagster_up 0``
and nothing else; while that read still hangs, later scrapes wait on it (up to the deadline
each) instead of starting more.

The alert thresholds the queue alert sensor uses (``ALERT_QUEUED_RUN_MINUTES``,
``ALERT_HELD_SLOT_MINUTES``) are exported too, so the Prometheus rules in deploy/prometheus
compare against the same settings.

It sits beside ``definitions.py`` because it loads them: the assets, checks and jobs it labels
come from the code location, so the labels' cardinality is that of the definitions.
"""

import argparse
import concurrent.futures
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import dagster as dg
from prometheus_client import REGISTRY, make_wsgi_app
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import ThreadingWSGIServer

from dagster_project import settings
from dagster_project.instance.health import serving
from dagster_project.monitoring.queue_health import ended_claims, queued_runs

DEFAULT_PORT = 9109
HEALTH_PATH = "/healthz"
SCRAPE_DEADLINE_S = 8.0
RUNS_PER_SCRAPE = 2000
STEP_STATS_RUNS_PER_SCRAPE = 50
RUN_DURATION_BUCKETS_S = (10, 30, 60, 120, 300, 600, 1800, 3600, 7200, math.inf)
STEP_DURATION_BUCKETS_S = (1, 5, 15, 30, 60, 120, 300, 600, 1800, math.inf)
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
UNFINISHED = [status for status in dg.DagsterRunStatus if status not in FINISHED]
FRESHNESS_STATES = ("PASS", "WARN", "FAIL", "UNKNOWN")
# The job of runs that materialize assets picked outside any job (dg.materialize, `dg launch`).
EPHEMERAL_JOB = "__ephemeral_asset_job__"


class Histograms:
    """Cumulative bucket counts and sums of durations, by one label's value."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(bounds))
        self.sums: dict[str, float] = defaultdict(float)

    def observe(self, key: str, seconds: float) -> None:
        self.sums[key] += seconds
        for index, bound in enumerate(self.bounds):
            if seconds <= bound:
                self.counts[key][index] += 1

    def family(self, name: str, documentation: str, label: str) -> HistogramMetricFamily:
        family = HistogramMetricFamily(name, documentation, labels=[label])
        for key, counts in sorted(self.counts.items()):
            buckets = [
                ("+Inf" if bound == math.inf else f"{bound:g}", count)
                for bound, count in zip(self.bounds, counts, strict=True)
            ]
            family.add_metric([key], buckets, sum_value=self.sums[key])
        return family


class FinishedRuns:
    """Counts and durations of finished runs by job, rebuilt from the instance's run records
    and extended with each scrape. A run counts once under each finished status it reaches: a
    run can change status after it ended (run monitoring's timeout cancels a run, whose process
    records CANCELED, then marks it FAILURE), and a counter never goes down. Its duration is
    observed once, when it is first seen finished. The jobs of the definitions start at 0 for
    every finished status, so Prometheus's ``increase()`` sees a job's first failure (a series
    that appears at 1 shows no increase)."""

    def __init__(self, jobs: list[str]) -> None:
        self.counted: set[tuple[str, dg.DagsterRunStatus]] = set()
        self.seen: set[str] = set()
        self.totals: dict[tuple[str, str], int] = defaultdict(int)
        for job in jobs:
            for status in FINISHED:
                self.totals[(status.value, job)] = 0
        self.durations = Histograms(RUN_DURATION_BUCKETS_S)
        self.updated_after: datetime | None = None
        self.new_runs: list[str] = []

    def read(self, instance: dg.DagsterInstance) -> None:
        """Count every run that finished since the last read, in batches of
        ``RUNS_PER_SCRAPE``, until caught up: a scrape never shows part of the history (after a
        restart, Prometheus would take the drop for a counter reset and the catch-up for new
        runs). A batch without a new run ends it too."""
        while True:
            records = instance.get_run_records(
                filters=dg.RunsFilter(statuses=FINISHED, updated_after=self.updated_after),
                limit=RUNS_PER_SCRAPE,
                order_by="update_timestamp",
                ascending=True,
            )
            new = [self.count(record) for record in records]
            if len(records) < RUNS_PER_SCRAPE or not any(new):
                return

    def count(self, record: dg.RunRecord) -> bool:
        """Count one finished run under its status unless it was counted so; whether it was."""
        # a millisecond back: a run updated in the same instant as the last one read, but left
        # out by the limit, is read next time (the ids make repeats harmless)
        self.updated_after = record.update_timestamp - timedelta(milliseconds=1)
        run = record.dagster_run
        if (run.run_id, run.status) in self.counted:
            return False
        self.counted.add((run.run_id, run.status))
        self.totals[(run.status.value, run.job_name)] += 1
        if run.run_id not in self.seen:
            self.seen.add(run.run_id)
            self.new_runs.append(run.run_id)
            if record.start_time is not None and record.end_time is not None:
                self.durations.observe(run.job_name, max(0.0, record.end_time - record.start_time))
        return True


class InstanceCollector:
    """A Prometheus collector: one read of the instance per scrape."""

    def __init__(self, instance: dg.DagsterInstance, defs: dg.Definitions) -> None:
        self.instance = instance
        graph = defs.resolve_asset_graph()
        self.asset_keys = sorted(graph.materializable_asset_keys)
        self.check_keys = sorted(graph.asset_check_keys, key=str)
        jobs = [job.name for job in defs.resolve_all_job_defs()] + [EPHEMERAL_JOB]
        self.finished = FinishedRuns(sorted(set(jobs)))
        self.queued_limit_s = settings.alert_queued_run_minutes() * 60
        self.held_slot_limit_s = settings.alert_held_slot_minutes() * 60
        self.step_seconds: dict[str, float] = {}
        self.step_durations = Histograms(STEP_DURATION_BUCKETS_S)
        self.history_read = False
        self.reader = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.pending: concurrent.futures.Future | None = None

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        if self.pending is None or self.pending.done():
            self.pending = self.reader.submit(lambda: list(self.read()))
        try:
            families = self.pending.result(timeout=SCRAPE_DEADLINE_S)
            up = 1.0
        except Exception:  # down, silent, or still reading: no figures rather than old ones
            families, up = [], 0.0
        yield from families
        yield GaugeMetricFamily(
            "dagster_up", "1 when this scrape read the Dagster instance, else 0.", value=up
        )
        yield GaugeMetricFamily(
            "dagster_scrape_duration_seconds",
            "Seconds this scrape took.",
            value=time.perf_counter() - started,
        )

    def read(self) -> Iterator[Metric]:
        now = time.time()
        yield from self.runs()
        yield from self.queue(now)
        yield from self.steps()
        yield from self.assets(now)
        yield from self.pools(now)
        yield from self.daemons(now)
        yield self.code_location()

    def runs(self) -> Iterator[Metric]:
        unfinished = self.instance.get_run_records(
            filters=dg.RunsFilter(statuses=UNFINISHED), limit=RUNS_PER_SCRAPE
        )
        self.finished.read(self.instance)
        by_status: dict[tuple[str, str], int] = defaultdict(int, self.finished.totals)
        for record in unfinished:
            by_status[(record.dagster_run.status.value, record.dagster_run.job_name)] += 1
        runs = GaugeMetricFamily(
            "dagster_runs",
            "Runs in the instance, by status and job.",
            labels=["status", "job_name"],
        )
        for (status, job), count in sorted(by_status.items()):
            runs.add_metric([status, job], count)
        yield runs
        total = CounterMetricFamily(
            "dagster_runs_finished",
            "Runs that ended, by status and job (read from the instance).",
            labels=["status", "job_name"],
        )
        for (status, job), count in sorted(self.finished.totals.items()):
            total.add_metric([status, job], count)
        yield total
        yield self.finished.durations.family(
            "dagster_run_duration_seconds",
            "Seconds from start to end of each finished run, by job.",
            "job_name",
        )

    def queue(self, now: float) -> Iterator[Metric]:
        waiting: dict[str, list[float]] = defaultdict(list)
        for run in queued_runs(self.instance, now):  # the longest waiting first
            waiting[run.job_name].append(run.queued_seconds)
        count = GaugeMetricFamily("dagster_queued_runs", "Runs in the queue.", labels=["job_name"])
        oldest = GaugeMetricFamily(
            "dagster_oldest_queued_run_age_seconds",
            "Seconds the longest-waiting queued run of each job has waited.",
            labels=["job_name"],
        )
        for job, ages in sorted(waiting.items()):
            count.add_metric([job], len(ages))
            oldest.add_metric([job], ages[0])
        yield from (count, oldest)
        yield GaugeMetricFamily(
            "dagster_queued_run_alert_seconds",
            "Seconds a run may wait in the queue before an alert (ALERT_QUEUED_RUN_MINUTES).",
            value=self.queued_limit_s,
        )

    def steps(self) -> Iterator[Metric]:
        """The latest duration of each step, and a histogram of the step durations of the runs
        that finished since the exporter started (the history it found at start feeds only the
        latest durations, so the histogram's counters only grow: read it with ``rate()``)."""
        new, self.finished.new_runs = (
            self.finished.new_runs[-STEP_STATS_RUNS_PER_SCRAPE:],
            [],
        )
        for run_id in new:
            for stats in self.instance.get_run_step_stats(run_id):
                if stats.start_time is None or stats.end_time is None:
                    continue
                seconds = max(0.0, stats.end_time - stats.start_time)
                self.step_seconds[stats.step_key] = seconds
                if self.history_read:
                    self.step_durations.observe(stats.step_key, seconds)
        self.history_read = True
        latest = GaugeMetricFamily(
            "dagster_step_last_duration_seconds",
            "Seconds the latest finished execution of each step took.",
            labels=["step"],
        )
        for step, seconds in sorted(self.step_seconds.items()):
            latest.add_metric([step], seconds)
        yield latest
        yield self.step_durations.family(
            "dagster_step_duration_seconds",
            "Seconds each step took, over the runs finished since the exporter started.",
            "step",
        )

    def assets(self, now: float) -> Iterator[Metric]:
        since = GaugeMetricFamily(
            "dagster_asset_seconds_since_last_materialization",
            "Seconds since each asset's latest materialization (absent: never materialized).",
            labels=["asset"],
        )
        for record in self.instance.get_asset_records(self.asset_keys):
            latest = record.asset_entry.last_materialization
            if latest is not None:
                asset = record.asset_entry.asset_key.to_user_string()
                since.add_metric([asset], now - latest.timestamp)
        yield since
        freshness = GaugeMetricFamily(
            "dagster_asset_freshness_state",
            "1 for the freshness state Dagster reports for each asset with a policy, else 0.",
            labels=["asset", "state"],
        )
        for key, state_record in sorted(
            self.instance.get_freshness_state_records(self.asset_keys).items()
        ):
            current = state_record.freshness_state.value
            if current not in FRESHNESS_STATES:  # NOT_APPLICABLE: no freshness policy
                continue
            for state in FRESHNESS_STATES:
                freshness.add_metric([key.to_user_string(), state], float(state == current))
        yield freshness
        checks = GaugeMetricFamily(
            "dagster_asset_check_passed",
            "1 when each asset check's latest completed execution passed, 0 when it failed.",
            labels=["asset", "check"],
        )
        summaries = self.instance.event_log_storage.get_asset_check_summary_records(self.check_keys)
        for summary in sorted(summaries.values(), key=lambda record: str(record.asset_check_key)):
            completed = summary.last_completed_check_execution_record
            if completed is not None:
                check = summary.asset_check_key
                passed = completed.status.value == "SUCCEEDED"
                checks.add_metric([check.asset_key.to_user_string(), check.name], float(passed))
        yield checks

    def pools(self, now: float) -> Iterator[Metric]:
        storage = self.instance.event_log_storage
        limit = GaugeMetricFamily("dagster_pool_limit", "Slots of each pool.", labels=["pool"])
        claimed = GaugeMetricFamily(
            "dagster_pool_slots_claimed", "Slots claimed by a step.", labels=["pool"]
        )
        held = GaugeMetricFamily(
            "dagster_pool_slots_held_by_ended_runs",
            "Slots still claimed by a step of a run that already ended.",
            labels=["pool"],
        )
        oldest = GaugeMetricFamily(
            "dagster_pool_held_slot_age_seconds",
            "Seconds since the run of the longest-held slot among those ended (0 when none).",
            labels=["pool"],
        )
        if storage.supports_global_concurrency_limits:
            infos = {
                pool: storage.get_concurrency_info(pool) for pool in storage.get_concurrency_keys()
            }
            claims = [
                (pool, slot.run_id, slot.step_key)
                for pool, info in infos.items()
                for slot in info.claimed_slots
            ]
            ended: dict[str, list[float]] = defaultdict(list)
            for slot in ended_claims(self.instance, claims, now):
                ended[slot.pool].append(slot.ended_seconds)
            for pool, info in sorted(infos.items()):
                limit.add_metric([pool], info.slot_count)
                claimed.add_metric([pool], len(info.claimed_slots))
                held.add_metric([pool], len(ended[pool]))
                oldest.add_metric([pool], max(ended[pool], default=0.0))
        yield from (limit, claimed, held, oldest)
        yield GaugeMetricFamily(
            "dagster_pool_held_slot_alert_seconds",
            "Seconds a slot may stay claimed by an ended run before an alert "
            "(ALERT_HELD_SLOT_MINUTES).",
            value=self.held_slot_limit_s,
        )

    def daemons(self, now: float) -> Iterator[Metric]:
        """Every daemon this instance's configuration needs (what ``dagster-daemon
        liveness-check`` checks), +Inf for one that never sent a heartbeat."""
        since = GaugeMetricFamily(
            "dagster_daemon_seconds_since_heartbeat",
            "Seconds since each needed daemon's latest heartbeat (+Inf: none yet).",
            labels=["daemon"],
        )
        heartbeats = self.instance.get_daemon_heartbeats()
        for daemon in sorted(self.instance.get_required_daemon_types()):
            beat = heartbeats.get(daemon)
            since.add_metric([daemon], math.inf if beat is None else max(0.0, now - beat.timestamp))
        yield since

    def code_location(self) -> Metric:
        """Whether the code server of ``DAGSTER_CODE_LOCATION_HOST``/``_PORT`` answers gRPC's
        health check as serving (absent when no code server is configured)."""
        family = GaugeMetricFamily(
            "dagster_code_location_up",
            "1 when the code location's server answers its health check as serving, else 0.",
            labels=["address"],
        )
        host = os.environ.get("DAGSTER_CODE_LOCATION_HOST")
        port = os.environ.get("DAGSTER_CODE_LOCATION_PORT")
        if host and port:
            family.add_metric([f"{host}:{port}"], float(serving(f"{host}:{port}")))
        return family


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request: Prometheus asks every 15 s."""


def metrics_server(host: str, port: int) -> WSGIServer:
    """``/metrics`` (and any other path, as prometheus-client serves them) from the registry,
    and ``/healthz``, which answers without reading the instance: the container's health check
    asks it often, and a scrape costs a read of the instance."""
    metrics = make_wsgi_app(REGISTRY)

    def app(request: dict, start_response):
        if request["PATH_INFO"] == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"serving\n"]
        return metrics(request, start_response)

    return make_server(host, port, app, ThreadingWSGIServer, handler_class=QuietHandler)


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside a container")
    options = parser.parse_args(arguments)
    from dagster_project.definitions import defs

    instance = dg.DagsterInstance.get()
    REGISTRY.register(InstanceCollector(instance, defs))
    server = metrics_server(options.host, options.port)
    print(
        f"Serving the metrics of {instance.root_directory} on "
        f"http://{options.host}:{options.port}/metrics ({datetime.now(UTC):%H:%M:%S} UTC)",
        flush=True,
    )
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
