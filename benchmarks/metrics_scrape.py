"""Section 5: what one scrape of the metrics exporter costs as the instance's run history grows.

A throwaway PostgreSQL instance (the stack's ``dagster.stack.yaml``) gets finished runs of a few
jobs (one in ten failed) in steps up to the largest count; at each step a new
``InstanceCollector`` (as after an exporter restart) is scraped twice, in this process: the first
scrape reads the whole history into its counters, the second only what changed since. Each
figure is the best of ``REPEATS`` new collectors.
"""

import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from deploy import postgres
from deploy.ports import free_port

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
JOBS = ("ecommerce_job", "marketing_daily_job", "iot_hourly_job", "spark_job")
REPEATS = 3


@dataclass(frozen=True)
class ScrapeMeasurement:
    runs: int
    first_scrape_s: float
    later_scrape_s: float
    samples: int


@contextmanager
def stack_instance() -> Iterator[dg.DagsterInstance]:
    """A Dagster instance on a PostgreSQL cluster of its own, both removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="benchmark-metrics-", dir="/tmp"))
    folder.chmod(0o755)  # the cluster runs as the postgres user when this runs as root
    password = secrets.token_hex(12)
    server = postgres.start(folder / "data", free_port(), password)
    saved = dict(os.environ)
    try:
        server.psql("CREATE DATABASE dagster")
        home = folder / "home"
        home.mkdir()
        shutil.copy(REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml", home / "dagster.yaml")
        os.environ.update(
            DAGSTER_PG_HOST=server.host,
            DAGSTER_PG_PORT=str(server.port),
            DAGSTER_PG_USER=server.username,
            DAGSTER_PG_PASSWORD=password,
            DAGSTER_PG_DB="dagster",
            S3_BUCKET="unused",  # the compute logs' bucket: no run writes any here
        )
        with dg.DagsterInstance.from_config(str(home)) as instance:
            yield instance
    finally:
        os.environ.clear()
        os.environ.update(saved)
        postgres.stop(server.data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def add_finished_runs(instance: dg.DagsterInstance, count: int, offset: int) -> None:
    for number in range(offset, offset + count):
        status = dg.DagsterRunStatus.FAILURE if number % 10 == 0 else dg.DagsterRunStatus.SUCCESS
        instance.add_run(dg.DagsterRun(job_name=JOBS[number % len(JOBS)], status=status))


def timed_scrape(collector) -> tuple[float, int]:
    """The seconds of one read of the instance (a scrape without the deadline's thread) and
    the number of samples it produced."""
    started = time.perf_counter()
    families = list(collector.read())
    return time.perf_counter() - started, sum(len(family.samples) for family in families)


def measure_scrapes(
    run_counts: list[int], progress: Callable[[str], None]
) -> list[ScrapeMeasurement]:
    from dagster_project.definitions import defs
    from dagster_project.metrics_exporter import InstanceCollector

    measurements = []
    with stack_instance() as instance:
        present = 0
        for count in sorted(run_counts):
            add_finished_runs(instance, count - present, present)
            present = count
            firsts, laters, samples = [], [], 0
            for _ in range(REPEATS):
                collector = InstanceCollector(instance, defs)
                first, _ = timed_scrape(collector)
                later, samples = timed_scrape(collector)
                firsts.append(first)
                laters.append(later)
            measurements.append(ScrapeMeasurement(count, min(firsts), min(laters), samples))
            progress(
                f"  metrics scrape with {count} runs: first {min(firsts):.3f} s, "
                f"later {min(laters):.3f} s"
            )
    return measurements
