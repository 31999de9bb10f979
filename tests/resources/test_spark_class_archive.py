"""The Spark driver's class-data archive: found only when its bytes match its name, so a damaged
or half-written archive is never handed to the JVM (a truncated archive crashes it); published
whole, pruning what no reader should pick. The archive's build and the JVM that maps it are tested
in tests/scripts/test_build_spark_class_archive.py."""

import os
import subprocess
from pathlib import Path

import pytest

from dagster_project.resources import spark_class_archive as archives
from dagster_project.resources.spark import SparkResource


def archive_in(folder: Path, content: bytes = b"an archive's bytes") -> Path:
    """A file named as the build names an archive of ``content`` for this runtime."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "partial"
    partial.write_bytes(content)
    named = folder / f"spark-driver-{archives.runtime_key()}-{archives.file_digest(partial)}.jsa"
    partial.rename(named)
    return named


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(
            lambda data: data[:4096] + bytes([data[4096] ^ 1]) + data[4097:], id="one-bit-flipped"
        ),
    ],
)
def test_a_damaged_archive_is_never_handed_to_the_jvm(tmp_path, caplog, damage):
    damaged = archive_in(tmp_path / "archive", os.urandom(100_000))
    damaged.write_bytes(damage(damaged.read_bytes()))
    resource = SparkResource(lake_url="file:///tmp/lake", class_archive_folder=str(damaged.parent))

    lookup = archives.find_archive(damaged.parent)
    properties = resource.session_properties()

    assert lookup.archive is None and lookup.damaged == [damaged]
    assert "SharedArchiveFile" not in properties.get(archives.DRIVER_JAVA_OPTIONS, "")
    warning = lookup.warning()
    assert str(damaged) in warning and archives.BUILD_COMMAND in warning
    assert warning in caplog.text


def test_the_newest_intact_archive_is_picked_past_a_damaged_newer_one(tmp_path):
    intact = archive_in(tmp_path, b"older and intact")
    newer = archive_in(tmp_path, b"newer")
    newer.write_bytes(b"newer, then damaged")
    os.utime(intact, ns=(1, 1))

    lookup = archives.find_archive(tmp_path)

    assert lookup.archive == intact and lookup.damaged == [newer]


def test_an_archive_of_another_runtime_is_not_picked_and_the_next_build_prunes_it(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    other = folder / "spark-driver-0123456789abcdef-00000000000000000000000000000000.jsa"
    other.write_bytes(b"made for another JDK")
    dead = subprocess.Popen(["true"])
    dead.wait()
    dead_build = folder / f".spark-driver-{archives.runtime_key()}.{dead.pid}.partial"
    live_build = archives.partial_path(folder)  # this process's pid: a build still running
    dead_build.write_bytes(b"left by a killed build")
    live_build.write_bytes(b"being written")
    assert archives.find_archive(folder).archive is None

    new = folder / "new.partial"
    new.write_bytes(b"a complete archive")
    published = archives.publish(new, folder)

    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [published.name, live_build.name]
    )
    assert archives.find_archive(folder).archive == published


def test_publishes_one_after_another_leave_one_intact_archive(tmp_path):
    first, second = tmp_path / "first.partial", tmp_path / "second.partial"
    first.write_bytes(b"one build")
    second.write_bytes(b"another build")

    archives.publish(first, tmp_path)
    kept = archives.publish(second, tmp_path)

    assert list(tmp_path.glob("*.jsa")) == [kept]
    assert archives.find_archive(tmp_path).archive == kept


def test_the_archive_option_keeps_the_users_own_driver_options(tmp_path):
    archive = archive_in(tmp_path / 'a folder\'s "name"')
    resource = SparkResource(
        lake_url="file:///tmp/lake",
        class_archive_folder=str(archive.parent),
        spark_config={archives.DRIVER_JAVA_OPTIONS: "-Dmy.option=1"},
    )

    options = resource.session_properties()[archives.DRIVER_JAVA_OPTIONS]

    assert options == f"-Dmy.option=1 {archives.use_option(archive)}"
    assert resource.spark_properties()[archives.DRIVER_JAVA_OPTIONS] == "-Dmy.option=1"


def test_without_a_folder_or_an_archive_the_driver_starts_as_before(tmp_path):
    (tmp_path / "unrelated.jsa").write_bytes(b"not named as an archive")
    for folder in (None, str(tmp_path / "missing"), str(tmp_path)):
        resource = SparkResource(lake_url="file:///tmp/lake", class_archive_folder=folder)
        assert resource.session_properties() == resource.spark_properties()


def test_a_file_gone_since_the_listing_or_an_unreadable_folder_never_fails_the_session(tmp_path):
    """A dangling link is listed but cannot be read, as an archive removed by a concurrent build
    between the listing and the read; a file in place of the folder cannot be listed."""
    intact = archive_in(tmp_path / "archive")
    gone = intact.with_name(f"spark-driver-{archives.runtime_key()}-{'0' * 32}.jsa")
    gone.symlink_to(tmp_path / "removed-by-another-build")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_bytes(b"")

    assert archives.find_archive(intact.parent) == archives.ArchiveLookup(intact, [])
    for folder in (not_a_folder, not_a_folder / "below"):
        resource = SparkResource(lake_url="file:///tmp/lake", class_archive_folder=str(folder))
        assert resource.session_properties() == resource.spark_properties()
