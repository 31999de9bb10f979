"""Writers SIGKILLed mid-write leave no litter for long: the next successful write of the same
value removes the temporary files of writers that no longer run (and keeps a live writer's and
another machine's), the next object-store write removes killed uploads' staging folders, and the
cleanup job removes the rest: dead writers' files at once, unfinished multipart uploads in the
bucket after the grace period. Every writer here is a real process killed for real."""

import contextlib
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.defs.monitoring.cleanup import storage_cleanup_job
from dagster_project.io_managers.temporary_files import PARTIAL_SUFFIX
from dagster_project.resources.tier_stores import TierStoresResource
from deploy import object_store
from tests.conftest import OBJECT_STORE_KEYS
from tests.io_managers import killed_writer
from tests.io_managers.managers import make_manager
from tests.io_managers.stored_values import load, store
from tests.io_managers.test_tier_contract import assert_same, sample_value
from tests.io_managers.test_tier_contract_s3 import kill_mid_upload, s3_manager

TIER = "medium"


def partials(folder: Path) -> set[Path]:
    return set(folder.rglob(f".*{PARTIAL_SUFFIX}"))


def new_partial(folder: Path, before: set[Path], writer: subprocess.Popen) -> Path:
    """The temporary file ``writer`` started (one not in ``before``), once it has bytes."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for candidate in partials(folder) - before:
            with contextlib.suppress(FileNotFoundError):
                if candidate.stat().st_size > 0:
                    return candidate
        if writer.poll() is not None:
            pytest.fail(f"the writer exited ({writer.returncode}) before it could be stopped")
        time.sleep(0.002)
    pytest.fail(f"no new temporary file under {folder}")


def stop_mid_write(folder: Path, sig: int = signal.SIGKILL) -> tuple[subprocess.Popen, Path]:
    """Start a writer of ``victim`` into ``folder`` and send it ``sig`` once its temporary file
    has bytes; the writer and that file."""
    before = partials(folder)
    writer = killed_writer.start(TIER, str(folder))
    try:
        partial = new_partial(folder, before, writer)
        writer.send_signal(sig)
        if sig == signal.SIGKILL:
            writer.wait(timeout=30)
    except BaseException:
        writer.kill()
        raise
    return writer, partial


@pytest.mark.timeout(600)
def test_the_next_write_removes_what_killed_writers_left_and_keeps_a_live_writers(tmp_path):
    store_folder = tmp_path / "store"
    manager = make_manager(TIER, str(store_folder))
    store(manager, sample_value(TIER, version=1))
    killed = {stop_mid_write(store_folder)[1] for _ in range(3)}
    stopped, live = stop_mid_write(store_folder, signal.SIGSTOP)
    # a writer on another machine sharing the folder: its state cannot be read from here
    foreign = live.parent / f".victim.parquet.x1y2.0badc0de-1{PARTIAL_SUFFIX}"
    foreign.write_bytes(b"part of a value")
    try:
        assert partials(store_folder) == killed | {live, foreign}

        store(manager, sample_value(TIER, version=2))

        assert partials(store_folder) == {live, foreign}
        assert_same(load(manager), sample_value(TIER, version=2))
    finally:
        stopped.kill()
        stopped.wait(timeout=30)
    store(manager, sample_value(TIER, version=3))  # its writer is gone now
    assert partials(store_folder) == {foreign}


def cleanup(instance, base: str, endpoint: str | None = None, **config) -> dict:
    stores = TierStoresResource(base_url=base, endpoint_url=endpoint)
    defs = dg.Definitions(jobs=[storage_cleanup_job], resources={"tier_stores": stores})
    result = defs.resolve_job_def("storage_cleanup_job").execute_in_process(
        instance=instance,
        run_config={"ops": {"apply_retention": {"config": {"dry_run": False, **config}}}},
    )
    assert result.success
    (output,) = [event for event in result.all_events if event.event_type_value == "STEP_OUTPUT"]
    return {key: value.value for key, value in output.step_output_data.metadata.items()}


@pytest.mark.timeout(300)
def test_the_cleanup_job_removes_a_killed_writers_file_at_once(tmp_path, instance):
    medium = tmp_path / "medium"
    _, left = stop_mid_write(medium)
    young_foreign = medium / f".other.parquet.x1y2.0badc0de-1{PARTIAL_SUFFIX}"
    young_foreign.write_bytes(b"part of a value")

    report = cleanup(instance, str(tmp_path))  # the default grace: 6 hours

    assert not left.exists()
    assert young_foreign.exists()  # another machine's, younger than the grace
    assert str(left) in report["removed"]


@pytest.mark.timeout(600)
def test_a_killed_upload_leaves_no_staging_folder_and_its_parts_are_aborted(
    object_store_bucket, object_store_endpoint, tmp_path, instance, monkeypatch
):
    staging = tmp_path / "temporary"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))  # this process's staging goes there too
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    prefix = f"litter-{tmp_path.name}"
    base = f"s3://{object_store_bucket}/{prefix}"
    writer = killed_writer.start(
        "small", f"{base}/small", object_store_endpoint, temporary_folder=staging
    )
    kill_mid_upload(client, object_store_bucket, writer)
    left = list(staging.iterdir())
    uploads = client.list_multipart_uploads(Bucket=object_store_bucket, Prefix=prefix)["Uploads"]
    assert len(left) == 1 and len(uploads) == 1, (left, uploads)

    store(s3_manager("small", object_store_bucket, object_store_endpoint), sample_value("small"))

    assert list(staging.iterdir()) == []  # the next write removed the dead writer's folder
    young = cleanup(instance, base, object_store_endpoint)
    assert client.list_multipart_uploads(Bucket=object_store_bucket, Prefix=prefix).get("Uploads")
    report = cleanup(instance, base, object_store_endpoint, partial_grace_hours=0)
    assert not client.list_multipart_uploads(Bucket=object_store_bucket, Prefix=prefix).get(
        "Uploads"
    )
    assert young["files"] == 0 and report["files"] == 1
    assert uploads[0]["Key"] in report["removed"]
