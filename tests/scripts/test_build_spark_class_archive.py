"""scripts/build_spark_class_archive.py for real: the archive it builds is named by its bytes,
kept while intact, and mapped by the driver's JVM (the classes come from it); a file that is no
archive reaches the JVM only under a matching name and is ignored by it; a failed build leaves
nothing behind."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dagster_project.resources import spark_class_archive as archives

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
BUILD = [sys.executable, "scripts/build_spark_class_archive.py", "--rows", "2000"]
# A session in a process of its own (one JVM per process, and this one's is already started),
# logging where each class came from.
SESSION = textwrap.dedent(
    """
    import sys
    import dagster as dg
    from dagster_project.resources.spark import SparkResource

    folder, lake, class_log = sys.argv[1:]
    resource = SparkResource(
        master="local[1]",
        lake_url=f"file://{lake}",
        class_archive_folder=folder,
        spark_config={"spark.driver.extraJavaOptions": f"-Xlog:class+load=info:file={class_log}"},
    )
    with dg.build_resources({"spark": resource}) as resources:
        assert resources.spark.spark_session.range(5).count() == 5
    """
)
FROM_ARCHIVE = "org.apache.spark.SparkContext source: shared objects file (top)"


def build(folder: Path, environ: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        BUILD,
        cwd=REPOSITORY_ROOT,
        env=(environ or dict(os.environ)) | {"SPARK_CLASS_ARCHIVE_DIR": str(folder)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_session(folder: Path, tmp_path: Path) -> str:
    """Start a driver with ``folder`` as its archive folder; the JVM's class-loading log."""
    class_log = tmp_path / "classes.log"
    completed = subprocess.run(
        [sys.executable, "-c", SESSION, str(folder), str(tmp_path / "lake"), str(class_log)],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return class_log.read_text()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """An archive built for real, in a folder whose name has a space and both quotes: the JVM
    option must pass Spark's option parser intact."""
    folder = tmp_path_factory.mktemp("archive") / 'class archive\'s "folder"'
    completed = build(folder)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert str(folder) in completed.stdout
    (archive,) = folder.glob("*.jsa")
    return archive


def test_the_build_names_the_archive_by_its_bytes_and_leaves_nothing_partial(built):
    assert built.name == (
        f"spark-driver-{archives.runtime_key()}-{archives.file_digest(built)}.jsa"
    )
    assert [path.name for path in built.parent.iterdir()] == [built.name]
    modified = built.stat().st_mtime_ns

    again = build(built.parent)

    assert again.returncode == 0, again.stderr[-2000:]
    assert built.stat().st_mtime_ns == modified  # an intact archive is kept, not rebuilt
    assert archives.find_archive(built.parent).archive == built


def test_the_driver_maps_an_intact_archive(built, tmp_path):
    assert FROM_ARCHIVE in start_session(built.parent, tmp_path)


def test_a_file_that_is_no_archive_at_all_is_ignored_by_the_jvm(tmp_path):
    """A foreign file under a matching name (its checksum is right) reaches the JVM, which
    checks the header and starts without it."""
    folder = tmp_path / "archive"
    folder.mkdir()
    foreign = folder / "foreign"
    foreign.write_bytes(os.urandom(100_000))
    named = folder / f"spark-driver-{archives.runtime_key()}-{archives.file_digest(foreign)}.jsa"
    foreign.rename(named)
    assert archives.find_archive(folder).archive == named

    classes = start_session(folder, tmp_path)

    assert "org.apache.spark.SparkContext source: file:" in classes
    assert FROM_ARCHIVE not in classes


def test_a_failed_build_names_the_folder_and_leaves_no_file(tmp_path):
    folder = tmp_path / "archive"
    broken_java = dict(os.environ) | {"JAVA_HOME": str(tmp_path / "no-such-jdk")}

    completed = build(folder, broken_java)

    assert completed.returncode == 1
    assert f"Building the Spark class archive in {folder} failed" in completed.stderr
    assert "Spark keeps starting without it" in completed.stderr
    assert list(folder.iterdir()) == []
