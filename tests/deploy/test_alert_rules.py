"""The monitoring configuration as Prometheus's and Alertmanager's own tools read it: promtool
checks the configuration and the rules and runs their unit tests (prometheus/alert-rules.test.yml:
series that fire each rule and series that must not), amtool checks Alertmanager's; and the
Alertmanager entrypoint puts the webhook's URL in a file of its own, or routes nowhere without
one."""

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from deploy import monitoring

UNIT_TESTS = Path(__file__).resolve().parent / "prometheus" / "alert-rules.test.yml"


def run(*command: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **options)


@pytest.mark.parametrize(
    "command",
    [
        ("promtool", "check", "config", str(monitoring.PROMETHEUS_CONFIG)),
        ("promtool", "check", "rules", str(monitoring.ALERT_RULES)),
        ("promtool", "test", "rules", str(UNIT_TESTS)),
        ("amtool", "check-config", str(monitoring.ALERTMANAGER_CONFIG)),
    ],
    ids=["config", "rules", "rule-unit-tests", "alertmanager"],
)
def test_the_tools_accept_the_configuration(command):
    checked = run(*command)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def test_every_rule_has_unit_tests():
    rules = set(re.findall(r"^\s+- alert: (\w+)$", monitoring.ALERT_RULES.read_text(), re.M))
    tested = set(re.findall(r"alertname: (\w+)", UNIT_TESTS.read_text()))
    assert len(rules) == 7 and rules == tested


def entrypoint(tmp_path: Path, webhook_url: str) -> Path:
    """Run the entrypoint with `true` as Alertmanager; the folder it wrote into."""
    state = tmp_path / "state"
    environ = {
        **os.environ,
        "ALERT_WEBHOOK_URL": webhook_url,
        "ALERTMANAGER": "true",
        "ALERTMANAGER_STATE": str(state),
    }
    ran = run(str(monitoring.ALERTMANAGER_ENTRYPOINT), "--storage.path=x", env=environ)
    assert ran.returncode == 0, ran.stderr
    return state


def test_the_webhook_url_goes_to_a_private_file_not_the_configuration(tmp_path):
    url = "https://hooks.example.com/services/T0/B0/secret-token"
    state = entrypoint(tmp_path, url)

    assert (state / "webhook-url").read_text() == url
    assert stat.S_IMODE((state / "webhook-url").stat().st_mode) == 0o600
    config = (state / "alertmanager.yml").read_text()
    assert "secret-token" not in config
    assert f"api_url_file: {state}/webhook-url" in config
    assert "  receiver: webhook\n" in config
    checked = run("amtool", "check-config", str(state / "alertmanager.yml"))
    assert checked.returncode == 0, checked.stdout


def test_without_a_webhook_the_alerts_route_nowhere(tmp_path):
    state = entrypoint(tmp_path, "")

    assert not (state / "webhook-url").exists()
    assert "  receiver: none\n" in (state / "alertmanager.yml").read_text()
