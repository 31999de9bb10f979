"""Versioned Parquet datasets in the lake: a failed or killed Spark job never replaces a good one.

Each write goes to a new folder ``<lake>/<dataset>/v<UTC time>-<run>``; Spark's committer marks
it ``_SUCCESS`` only when the whole job succeeded. The asset then returns that folder's URI
through the reference tier, which is the atomic "move into place": until a new reference is
stored, readers (downstream assets) keep reading the previous version. No rename is needed, which
matters on ``s3a://`` where a rename is a copy of every object.

After a successful write, older versions are pruned: the newest ``keep`` committed versions stay
(the new one and its predecessor), as do folders of jobs that may still be running (newer than
this one). Folders of failed or killed jobs older than this one are removed.

Files are listed and deleted through Hadoop's FileSystem API in the Spark JVM, so the code is the
same for every lake scheme Spark can write to.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyspark is slow to import; the definitions load without it
    from pyspark.sql import DataFrame, SparkSession

COMMITTED_MARKER = "_SUCCESS"
KEEP_VERSIONS = 2


def new_version_uri(lake_url: str, dataset: str, run_id: str) -> str:
    """A fresh, time-ordered folder for one write of ``dataset``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{lake_url.rstrip('/')}/{dataset}/v{stamp}-{run_id[:8]}"


def write_dataset(
    frame: "DataFrame", lake_url: str, dataset: str, run_id: str, keep: int = KEEP_VERSIONS
) -> str:
    """Write ``frame`` as a new version of ``dataset``; return the new version's URI."""
    version = new_version_uri(lake_url, dataset, run_id)
    frame.write.mode("errorifexists").option("compression", "zstd").parquet(version)
    prune_versions(frame.sparkSession, f"{lake_url.rstrip('/')}/{dataset}", version, keep)
    return version


def prune_versions(
    spark: "SparkSession", dataset_uri: str, current_uri: str, keep: int
) -> list[str]:
    """Delete superseded versions of a dataset; return the URIs deleted."""
    jvm = spark._jvm
    if jvm is None:
        raise RuntimeError(f"Cannot prune {dataset_uri}: the Spark session is already stopped.")
    hadoop = jvm.org.apache.hadoop.fs
    root = hadoop.Path(dataset_uri)
    filesystem = root.getFileSystem(spark._jsc.hadoopConfiguration())
    current = hadoop.Path(current_uri).getName()
    versions = sorted(
        (status.getPath() for status in filesystem.listStatus(root) if status.isDirectory()),
        key=lambda path: path.getName(),
    )
    committed = [
        path for path in versions if filesystem.exists(hadoop.Path(path, COMMITTED_MARKER))
    ]
    survivors = {path.getName() for path in committed[-keep:]} | {current}
    deleted = []
    for path in versions:
        name = path.getName()
        if name in survivors or name > current:
            continue
        filesystem.delete(path, True)
        deleted.append(path.toString())
    return deleted
