"""Versioned lake datasets: a failed Spark job never replaces the good version, old versions go."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from dagster_project.resources.lake_datasets import COMMITTED_MARKER, prune_versions, write_dataset


def versions(lake: Path, dataset: str) -> list[str]:
    return sorted(path.name for path in (lake / dataset).iterdir() if path.is_dir())


def rows(uri: str) -> list[int]:
    return sorted(pq.read_table(uri.removeprefix("file://")).column("n").to_pylist())


def numbers(spark, count: int, partitions: int = 2):
    return spark.range(0, count, numPartitions=partitions).withColumnRenamed("id", "n")


def test_a_write_is_a_committed_version_folder(spark_session, tmp_path):
    uri = write_dataset(numbers(spark_session, 10), f"file://{tmp_path}", "numbers", "run12345abc")

    folder = Path(uri.removeprefix("file://"))
    assert folder.parent == tmp_path / "numbers"
    assert folder.name.startswith("v") and folder.name.endswith("-run12345")
    assert (folder / COMMITTED_MARKER).exists()
    assert rows(uri) == list(range(10))


def test_only_the_two_newest_committed_versions_stay(spark_session, tmp_path):
    lake = f"file://{tmp_path}"
    written = [
        write_dataset(numbers(spark_session, size), lake, "numbers", f"run{size:05d}")
        for size in (1, 2, 3)
    ]

    assert versions(tmp_path, "numbers") == sorted(uri.rsplit("/", 1)[1] for uri in written[1:])
    assert rows(written[-1]) == [0, 1, 2]


def test_leftovers_of_failed_jobs_go_but_a_newer_running_job_is_left_alone(spark_session, tmp_path):
    lake = f"file://{tmp_path}"
    (tmp_path / "numbers" / "v00000000T000000000000Z-killed01").mkdir(parents=True)
    current = write_dataset(numbers(spark_session, 4), lake, "numbers", "finished")
    (tmp_path / "numbers" / "v99999999T000000000000Z-running1").mkdir()

    deleted = prune_versions(spark_session, f"{lake}/numbers", current, keep=2)

    assert deleted == []  # the killed job's folder went with the write; nothing else to do
    assert versions(tmp_path, "numbers") == [
        current.rsplit("/", 1)[1],
        "v99999999T000000000000Z-running1",
    ]


def test_a_job_that_fails_part_way_leaves_the_previous_dataset_readable(spark_session, tmp_path):
    lake = f"file://{tmp_path}"
    previous = write_dataset(numbers(spark_session, 1_000), lake, "numbers", "goodrun1")
    failing = numbers(spark_session, 400_000, partitions=4).withColumn(
        "n", F.when(F.col("n") == 350_000, F.raise_error(F.lit("boom"))).otherwise(F.col("n"))
    )

    with pytest.raises(Exception, match="boom"):
        write_dataset(failing, lake, "numbers", "badrun01")

    assert rows(previous) == list(range(1_000))
    committed = [
        name
        for name in versions(tmp_path, "numbers")
        if (tmp_path / "numbers" / name / COMMITTED_MARKER).exists()
    ]
    assert committed == [previous.rsplit("/", 1)[1]]
