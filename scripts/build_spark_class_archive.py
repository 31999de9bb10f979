"""Build the Spark driver's class-data archive (dagster_project/resources/spark_class_archive.py).

A training process runs the Spark group's own work (generate, write, read back, aggregate) on a
few rows in a throwaway local lake, with ``-XX:ArchiveClassesAtExit``; its JVM writes the classes
it loaded to a partial file when it exits. Only when the training process and its JVM both ended
well is the file renamed into place under its checksum. Nothing happens when an intact archive for
this JDK and Spark is already there (``--force`` builds anyway). The archive is written to
``SPARK_CLASS_ARCHIVE_DIR`` (default: ``.local/spark-class-archive``).
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAINING_ROWS = 200_000
TRAINING_TIMEOUT_S = 600
JVM_EXIT_TIMEOUT_S = 300


def build(folder: Path, force: bool = False, rows: int = TRAINING_ROWS) -> Path:
    """The intact archive in ``folder``, built first if there is none (or if ``force``)."""
    from dagster_project.resources.spark_class_archive import find_archive, partial_path, publish

    lookup = find_archive(folder)
    if lookup.archive is not None and not force:
        return lookup.archive
    folder.mkdir(parents=True, exist_ok=True)
    partial = partial_path(folder)
    partial.unlink(missing_ok=True)
    command = [sys.executable, __file__, "--train", str(partial), "--rows", str(rows)]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=TRAINING_TIMEOUT_S, check=False
        )
        if finished.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            raise RuntimeError(
                f"Building the Spark class archive in {folder} failed (training exit code "
                f"{finished.returncode}); Spark keeps starting without it. The training's "
                f"output ends with:\n{(finished.stdout + finished.stderr)[-3000:]}"
            )
        return publish(partial, folder)
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(
            f"Building the Spark class archive in {folder} took over {TRAINING_TIMEOUT_S} s and "
            "was stopped; Spark keeps starting without it."
        ) from error
    finally:
        partial.unlink(missing_ok=True)


def train(partial: Path, rows: int) -> None:
    """Run the Spark group's work with a JVM that records its classes to ``partial`` at exit."""
    import dagster as dg
    from pyspark import SparkContext

    from dagster_project.defs.spark import transform
    from dagster_project.defs.spark.assets import dataset_metadata
    from dagster_project.defs.spark.generate import generate_transactions
    from dagster_project.resources.lake_datasets import write_dataset
    from dagster_project.resources.spark import SparkResource
    from dagster_project.resources.spark_class_archive import DRIVER_JAVA_OPTIONS, record_option

    with tempfile.TemporaryDirectory(prefix="spark-class-archive-") as lake:
        resource = SparkResource(
            lake_url=f"file://{lake}", spark_config={DRIVER_JAVA_OPTIONS: record_option(partial)}
        )
        with dg.build_resources({"spark": resource}) as resources:
            spark = resources.spark
            transactions = generate_transactions(
                spark.spark_session, rows, max(1, rows // 50), seed=1
            )
            uri = write_dataset(transactions, spark.lake_url, "transactions", "training")
            dataset_metadata(spark, uri)
            summary = transform.customer_category_summary(spark.spark_session.read.parquet(uri))
            uri = write_dataset(summary, spark.lake_url, "summary", "training")
            features = transform.customer_features(spark.spark_session.read.parquet(uri))
            uri = write_dataset(features, spark.lake_url, "features", "training")
            spark.spark_session.read.parquet(uri).groupBy("customer_tier").count().collect()
        # The JVM writes the archive as it exits, which it does when its gateway's input closes.
        gateway = SparkContext._gateway
        if gateway is None or getattr(gateway, "proc", None) is None:
            raise RuntimeError("Spark's JVM was not started by this process; nothing to record.")
        gateway.shutdown()
        gateway.proc.stdin.close()
        exit_code = gateway.proc.wait(timeout=JVM_EXIT_TIMEOUT_S)
        if exit_code != 0:
            raise RuntimeError(f"Spark's JVM exited with code {exit_code} while writing {partial}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="build even if an archive is there")
    parser.add_argument("--rows", type=int, default=TRAINING_ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--train", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.train is not None:
        train(arguments.train, arguments.rows)
        return 0

    from dagster_project import settings

    folder = Path(settings.spark_class_archive_folder())
    started = time.perf_counter()
    try:
        archive = build(folder, arguments.force, arguments.rows)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    size_mb = archive.stat().st_size / 1e6
    print(
        f"Spark class archive: {archive} ({size_mb:.0f} MB, {time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
