"""Fixtures shared by the suite: small-scale settings over temporary storage, a test instance,
a throwaway PostgreSQL server for the warehouse tests and a SeaweedFS S3 server."""

import secrets
import shutil
import signal
import tempfile
import uuid
import warnings
from pathlib import Path

import dagster as dg
import pytest

from deploy import object_store, postgres
from tests.processes import free_port, stop_process_group

SMALL_SCALE = "0.01"
# The test servers' credentials are made up per session: nothing to keep secret, nothing reused.
POSTGRES_PASSWORD = secrets.token_hex(16)


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


@pytest.fixture(autouse=True)
def stop_signals_reach_children(request):
    """Every server a test starts is stopped by SIGTERM to its PID. A child inherits its parent's
    ignored signals and blocked-signal mask, so a library that leaves SIGTERM ignored or blocked
    in this process would leave every later server deaf to it (each stop then waits for SIGKILL):
    after each test, both are put back and the test that changed them is named in a warning."""
    yield
    blocked = STOP_SIGNALS & signal.pthread_sigmask(signal.SIG_BLOCK, [])
    ignored = {sig for sig in STOP_SIGNALS if signal.getsignal(sig) == signal.SIG_IGN}
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
    for sig in ignored:
        signal.signal(sig, signal.SIG_DFL if sig == signal.SIGTERM else signal.default_int_handler)
    if blocked or ignored:
        names = sorted(signal.Signals(sig).name for sig in blocked | ignored)
        warnings.warn(
            f"{request.node.nodeid} left {names} blocked or ignored; restored", stacklevel=1
        )


@pytest.fixture
def storage_dir(tmp_path: Path) -> Path:
    """An empty folder standing in for STORAGE_URL."""
    return tmp_path / "storage"


@pytest.fixture
def small_scale_environ(
    storage_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The embedded default at a hundredth of the documented sizes, set in the process
    environment (where the definitions read it) and returned for subprocesses."""
    environ = {
        "DATA_SCALE": SMALL_SCALE,
        "STORAGE_URL": str(storage_dir),
        "WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "LAKE_URL": f"file://{tmp_path / 'lake'}",
    }
    for name in ("DAGSTER_DEPLOYMENT", "SPARK_MASTER_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ


@pytest.fixture
def small_scale_resources(small_scale_environ: dict[str, str]) -> dict:
    from dagster_project.deployment import build_resources

    return build_resources()


@pytest.fixture
def instance():
    """A temporary Dagster instance (SQLite in a temporary folder)."""
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL cluster for the session, on a free port of 127.0.0.1."""
    folder = Path(tempfile.mkdtemp(prefix="test-postgres-", dir="/tmp"))
    folder.chmod(0o755)  # the cluster runs as the postgres user when the tests run as root
    server = postgres.start(folder / "data", free_port(), POSTGRES_PASSWORD)
    try:
        yield server
    finally:
        postgres.stop(server.data_dir)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: postgres.PostgresServer) -> str:
    """SQLAlchemy URL of a new, empty database for this test."""
    database = f"test_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(database)
    return postgres_server.url(database)


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request, tmp_path: Path) -> str:
    """Each warehouse test runs on a fresh DuckDB file and on a fresh PostgreSQL database."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module")
def spark_session(tmp_path_factory):
    """A local Spark session made by the real resource, stopped when the test module ends (a
    process holds one SparkContext at a time, so no session may outlive its module)."""
    from dagster_project.resources.spark import SparkResource

    lake = tmp_path_factory.mktemp("lake")
    resource = SparkResource(master="local[2]", lake_url=f"file://{lake}")
    with dg.build_resources({"spark": resource}) as resources:
        yield resources.spark.spark_session


@pytest.fixture(scope="session")
def spark_cluster():
    """A real standalone Spark master and worker for the session (about 15 s to start)."""
    from deploy import spark_cluster as cluster_script

    folder = Path(tempfile.mkdtemp(prefix="test-spark-cluster-"))
    cluster = cluster_script.start(folder, cores=2, memory="2g")
    try:
        yield cluster
    finally:
        cluster_script.stop(cluster)
        shutil.rmtree(folder, ignore_errors=True)


OBJECT_STORE_KEYS = (f"test-{secrets.token_hex(8)}", secrets.token_hex(16))


def bucket_names(endpoint: str) -> set[str]:
    """The buckets on the session's S3 server (a test checks that none was created)."""
    client = object_store.s3_client(endpoint, *OBJECT_STORE_KEYS)
    return {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}


@pytest.fixture(scope="session")
def object_store_endpoint():
    """A real S3 server (SeaweedFS) for the session, on free ports of 127.0.0.1; returns its
    endpoint URL. Tests use their own bucket."""
    folder = Path(tempfile.mkdtemp(prefix="test-seaweedfs-", dir="/tmp"))
    endpoint = f"http://127.0.0.1:{free_port()}"
    process = object_store.start_seaweedfs(
        folder / "data", int(endpoint.rsplit(":", 1)[1]), *OBJECT_STORE_KEYS, folder / "log"
    )
    try:
        object_store.wait_until_serving(object_store.s3_client(endpoint, *OBJECT_STORE_KEYS))
        yield endpoint
    finally:
        stop_process_group(process)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def object_store_credentials(monkeypatch) -> None:
    """The session S3 server's keys in the environment, where the code's clients read them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", OBJECT_STORE_KEYS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", OBJECT_STORE_KEYS[1])


@pytest.fixture
def object_store_bucket(object_store_endpoint, object_store_credentials) -> str:
    """A fresh bucket on the session's S3 server, with its credentials in the environment."""
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    object_store.create_buckets(client, [bucket])
    return bucket
