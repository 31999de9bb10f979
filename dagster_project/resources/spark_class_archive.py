"""A class-data archive for the Spark driver's JVM: the same Spark, started with less work.

A Spark driver starts by loading and verifying thousands of classes from Spark's jars; on two
cores that start is a large share of a Spark run (BENCHMARKS.md, section 6). The JVM's
application class-data sharing (AppCDS) stores the classes a JVM loaded in an archive, which later
JVMs map instead of loading them again. A JVM started with ``-XX:ArchiveClassesAtExit`` writes the
archive when it exits (``scripts/build-spark-class-archive.sh`` runs the Spark group's own work
once to make it); a JVM started with ``-XX:SharedArchiveFile`` uses it.

Only an intact archive is used. The JVM itself ignores an archive made by another JDK or for other
jars, but it crashes (SIGBUS) on a truncated one. So each archive is named by the SHA-256 of its
bytes, written under a temporary name and renamed into place whole, and checked against its name
before each use: a damaged, half-written or foreign file is never handed to the JVM.
"""

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions"
BUILD_COMMAND = "./scripts/build-spark-class-archive.sh"
_PARTIAL = re.compile(r"\.spark-driver-.+\.(?P<pid>[0-9]+)\.partial")


def spark_jars_folder() -> Path | None:
    """The jars Spark's driver runs from: ``$SPARK_HOME/jars``, else pyspark's own."""
    if os.environ.get("SPARK_HOME", "").strip():
        return Path(os.environ["SPARK_HOME"]) / "jars"
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "jars"


def java_executable() -> Path | None:
    """The ``java`` Spark's launcher runs: ``$JAVA_HOME/bin/java``, else the one on ``PATH``."""
    java_home = os.environ.get("JAVA_HOME", "").strip()
    found = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    return Path(found).resolve() if found and Path(found).exists() else None


def runtime_key() -> str:
    """What an archive is only valid for (the JDK, pyspark and Spark's jars), as 16 hex digits:
    an archive made for another runtime is never picked, and is pruned by the next build."""
    parts = [importlib.metadata.version("pyspark")]
    if (java := java_executable()) is not None:
        stat = java.stat()
        parts.append(f"{java}:{stat.st_size}:{stat.st_mtime_ns}")
    jars = spark_jars_folder()
    if jars is not None and jars.is_dir():
        parts += sorted(f"{jar.name}:{jar.stat().st_size}" for jar in jars.glob("*.jar"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, 32 hex digits (the part of an archive's name it checks)."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()[:32]


@dataclass(frozen=True)
class ArchiveLookup:
    """The intact archive for this runtime, if any, and the files skipped as damaged."""

    archive: Path | None = None
    damaged: list[Path] = field(default_factory=list)

    def warning(self) -> str | None:
        """What to tell the user about the damaged files, naming them and the fix."""
        if not self.damaged:
            return None
        names = ", ".join(str(path) for path in self.damaged)
        return (
            f"Spark class archive {names}: its bytes do not match its checksum (damaged or "
            f"truncated), so the Spark driver starts without it. Run `{BUILD_COMMAND}` to build "
            "a new one (the build removes the damaged file)."
        )


def find_archive(folder: Path) -> ArchiveLookup:
    """The newest archive in ``folder`` made for this runtime whose bytes match its name.

    A file that cannot be read (removed by a concurrent build since the listing, a dangling link)
    is passed over: the archive only saves time, so looking for it never fails a run."""
    damaged: list[Path] = []
    for _, path in sorted(_listed(folder), reverse=True):
        try:
            intact = file_digest(path) == path.stem.rsplit("-", 1)[1]
        except OSError:
            continue
        if intact:
            return ArchiveLookup(path, damaged)
        damaged.append(path)
    return ArchiveLookup(None, damaged)


def _listed(folder: Path) -> list[tuple[int, Path]]:
    """This runtime's archives in ``folder`` with their modification times (none if unreadable)."""
    listed = []
    try:
        paths = list(folder.glob(f"spark-driver-{runtime_key()}-*.jsa"))
    except OSError:
        return []
    for path in paths:
        try:
            listed.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    return listed


def with_java_option(properties: dict[str, str], option: str) -> dict[str, str]:
    """``properties`` with ``option`` added to the driver's JVM options (kept: the user's own)."""
    options = " ".join(filter(None, [properties.get(DRIVER_JAVA_OPTIONS, "").strip(), option]))
    return properties | {DRIVER_JAVA_OPTIONS: options}


def use_option(archive: Path) -> str:
    """The JVM option that maps ``archive`` (quoted as Spark's option parser reads quotes)."""
    return f"-XX:SharedArchiveFile={shlex.quote(str(archive))}"


def record_option(partial: Path) -> str:
    """The JVM option that writes the archive of the classes it loaded to ``partial`` at exit."""
    return f"-XX:ArchiveClassesAtExit={shlex.quote(str(partial))}"


def partial_path(folder: Path) -> Path:
    """A name no reader picks and no other build uses, for an archive being written."""
    return folder / f".spark-driver-{runtime_key()}.{os.getpid()}.partial"


def publish(partial: Path, folder: Path) -> Path:
    """Rename a complete archive into place under its checksum, then prune: older archives,
    archives of other runtimes, and partial files of builds that are no longer running."""
    from dagster_project.instance.run_launcher import process_alive  # only builds publish

    archive = folder / f"spark-driver-{runtime_key()}-{file_digest(partial)}.jsa"
    os.replace(partial, archive)
    for path in folder.glob("spark-driver-*.jsa"):
        if path != archive:
            path.unlink(missing_ok=True)
    for path in folder.glob(".spark-driver-*.partial"):
        matched = _PARTIAL.fullmatch(path.name)
        # a process with that pid started after the file was written is another process
        with contextlib.suppress(FileNotFoundError):
            if matched and not process_alive(int(matched["pid"]), path.stat().st_mtime):
                path.unlink(missing_ok=True)
    return archive
