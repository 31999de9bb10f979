"""Prometheus, Alertmanager and the Dagster metrics exporter outside Docker, for the native stack
and the tests: the same configuration as the compose services (deploy/prometheus,
deploy/alertmanager), with 127.0.0.1 addresses, run by the binaries of Debian's ``prometheus``
and ``prometheus-alertmanager`` packages.

Prometheus has no variables in its configuration file, so ``write_prometheus_config`` writes a
copy of deploy/prometheus/prometheus.yml into the service's folder with the addresses (and, for
tests, shorter intervals) replaced, and the rules beside it.
"""

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS_CONFIG = REPOSITORY_ROOT / "deploy" / "prometheus" / "prometheus.yml"
ALERT_RULES = REPOSITORY_ROOT / "deploy" / "prometheus" / "alert-rules.yml"
ALERTMANAGER_ENTRYPOINT = REPOSITORY_ROOT / "deploy" / "alertmanager" / "entrypoint.sh"
ALERTMANAGER_CONFIG = REPOSITORY_ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
INSTALL_HINT = "apt-get install -y --no-install-recommends prometheus prometheus-alertmanager"


@dataclass(frozen=True)
class MonitoringPorts:
    exporter: int
    prometheus: int
    alertmanager: int


def binary(name: str) -> str:
    """The path of a Debian package's binary, or an error that says how to install it."""
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed: {INSTALL_HINT}")
    return found


def write_prometheus_config(
    folder: Path, ports: MonitoringPorts, interval: str | None = None, rules: str | None = None
) -> Path:
    """deploy/prometheus/prometheus.yml with 127.0.0.1 addresses, and the alert rules (or
    ``rules``, a test's variant of them), in ``folder``; the configuration's path."""
    folder.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    targets = {"dagster": ports.exporter, "prometheus": ports.prometheus}
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [f"127.0.0.1:{targets[job['job_name']]}"]}]
    config["alerting"]["alertmanagers"] = [
        {"static_configs": [{"targets": [f"127.0.0.1:{ports.alertmanager}"]}]}
    ]
    if interval is not None:
        config["global"] = {"scrape_interval": interval, "evaluation_interval": interval}
        for job in config["scrape_configs"]:
            job.pop("scrape_timeout", None)
    (folder / ALERT_RULES.name).write_text(rules if rules is not None else ALERT_RULES.read_text())
    config["rule_files"] = [ALERT_RULES.name]
    path = folder / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def prometheus_command(folder: Path, port: int) -> list[str]:
    """Prometheus on 127.0.0.1:``port`` with the configuration ``write_prometheus_config`` wrote
    in ``folder``; its data in ``folder``/data."""
    return [
        binary("prometheus"),
        f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]


def alertmanager_command(folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """Alertmanager on 127.0.0.1:``port`` through deploy/alertmanager/entrypoint.sh (which reads
    ``ALERT_WEBHOOK_URL``), without clustering, its state in ``folder``; the command and the
    variables the entrypoint needs besides the caller's."""
    command = [
        str(ALERTMANAGER_ENTRYPOINT),
        f"--storage.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    return command, {
        "ALERTMANAGER": binary("prometheus-alertmanager"),
        "ALERTMANAGER_STATE": str(folder),
    }


def exporter_command(port: int) -> list[str]:
    return [sys.executable, "-m", "dagster_project.metrics_exporter", "--port", str(port)]
