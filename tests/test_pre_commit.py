"""The pre-commit configuration parses and pins the versions constraints.txt pins."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
CONFIG = REPOSITORY_ROOT / ".pre-commit-config.yaml"


def pinned(lines: list[str]) -> dict[str, str]:
    """name -> version of every ``name==version`` line, names normalized as pip does."""
    pins = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def test_pre_commit_validates_the_config():
    pre_commit = Path(sys.executable).parent / "pre-commit"
    checked = subprocess.run(
        [str(pre_commit), "validate-config", str(CONFIG)],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_hook_pins_the_version_of_constraints_txt():
    hooks = [hook for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]]
    hook_pins = pinned([dep for hook in hooks for dep in hook.get("additional_dependencies", [])])
    constraints = pinned((REPOSITORY_ROOT / "constraints.txt").read_text().splitlines())

    assert hook_pins, "no hook pins a version"
    mismatched = {
        name: (version, constraints.get(name))
        for name, version in hook_pins.items()
        if constraints.get(name) != version
    }
    assert not mismatched, f"hook pin vs constraints.txt: {mismatched}"


def test_the_hooks_are_the_checks_of_the_test_command():
    hook_ids = {
        hook["id"] for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]
    }
    test_command = (REPOSITORY_ROOT / "scripts" / "test.sh").read_text()

    assert hook_ids == {"ruff-check", "ruff-format", "compose-spec", "mypy"}
    for check in ("ruff check .", "ruff format --check .", "mypy dagster_project"):
        assert check in test_command
