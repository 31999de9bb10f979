"""The repository as a starter template, step for step as docs/template.md says, in a copy of
the repository and with the real `dg` CLI of the venv.

A copy holds the files `git ls-files` lists (tracked and new, not ignored) plus the dbt manifest
the set-up step prepares. Every command runs in the copy on the embedded default deployment
(no DAGSTER_DEPLOYMENT, no other setting), with a DAGSTER_HOME of its own and PYTHONPATH on the
copy, so it imports the copy's package and never this checkout's. A load costs a few seconds of
CPU, so dropping a group is checked with one process per group: the definitions load and
`tests/test_definitions.py` passes; the rest of the suite is not run in the copies.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
TEMPLATE_GUIDE = "docs/template.md"
EXAMPLE_GROUPS = ("ecommerce", "marketing", "logs", "iot", "hybrid", "warehouse", "spark", "dbt")
# The dbt models are built on the warehouse and hybrid groups' tables (the guide, step 4).
DROPPED_WITH = {"warehouse": ("dbt",), "hybrid": ("dbt",)}
DBT_DOCKERFILE_LINES = (
    "COPY dbt_project ./dbt_project",
    "&& dagster-dbt project prepare-and-package",
)
TIER_LINE = '"sales": Tier.SMALL,'
NO_TIER_MESSAGE = (
    "Asset 'daily_sales' is in group 'sales', which has no tier: add the line "
    '`"sales": Tier.SMALL,` to GROUP_TIERS in dagster_project/tiers.py'
)


def template_guide() -> str:
    return (REPOSITORY_ROOT / TEMPLATE_GUIDE).read_text()


def copy_repository(destination: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPOSITORY_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    manifest = Path("dbt_project/target/manifest.json")
    (destination / manifest.parent).mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPOSITORY_ROOT / manifest, destination / manifest)
    return destination


def run(copy: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    """``command`` in ``copy``, as a user of the copy runs it after `source scripts/activate.sh`."""
    dagster_home = copy / ".local" / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copy2(copy / "dagster.yaml", dagster_home / "dagster.yaml")
    environ = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(VENV_BIN.parent),
        "HOME": os.environ.get("HOME", str(copy)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(copy),
        "DAGSTER_HOME": str(dagster_home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        command, cwd=copy, env=environ, capture_output=True, text=True, timeout=300
    )
    if check:
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


def remove_line(path: Path, fragment: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if fragment not in line]
    assert len(kept) == len(lines) - 1, f"one line of {path} holds {fragment!r}"
    path.write_text("".join(kept))


def drop_group(copy: Path, group: str) -> None:
    """The guide's steps 1 to 3 for one example group."""
    shutil.rmtree(copy / "dagster_project" / "defs" / group)
    shutil.rmtree(copy / "tests" / "defs" / group)
    if group == "dbt":
        shutil.rmtree(copy / "dbt_project")
        for fragment in DBT_DOCKERFILE_LINES:
            remove_line(copy / "deploy" / "Dockerfile", fragment)
    else:
        remove_line(copy / "dagster_project" / "tiers.py", f'    "{group}": Tier.')


@pytest.fixture(scope="module")
def pristine_copy(tmp_path_factory) -> Path:
    return copy_repository(tmp_path_factory.mktemp("template"))


@pytest.fixture
def template(pristine_copy: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine_copy, tmp_path / "repository", symlinks=True))


def test_a_scaffolded_group_loads_and_materializes_once_bound_to_a_tier(template: Path):
    section = template_guide()
    asset_module = textwrap.dedent(re.search(r"```python\n(.*?)```", section, re.DOTALL)[1])
    assert f"`{TIER_LINE}`" in section
    definitions = (template / "dagster_project" / "definitions.py").read_text()

    run(template, "dg", "scaffold", "defs", "dagster.asset", "sales/assets.py")
    module = template / "dagster_project" / "defs" / "sales" / "assets.py"
    assert module.is_file()
    module.write_text(asset_module)

    unbound = run(template, "python", "-c", "import dagster_project.definitions", check=False)
    assert unbound.returncode != 0
    assert NO_TIER_MESSAGE in unbound.stderr

    tiers = template / "dagster_project" / "tiers.py"
    opening = "GROUP_TIERS: dict[str, Tier] = {\n"
    assert opening in tiers.read_text()
    tiers.write_text(tiers.read_text().replace(opening, f"{opening}    {TIER_LINE}\n"))
    listed = run(template, "dg", "list", "defs", "--json")
    assert '"asset_key": "daily_sales"' in listed.stdout

    launched = run(template, "dg", "launch", "--assets", "daily_sales")
    assert "RUN_SUCCESS" in launched.stdout + launched.stderr
    assert (template / ".local" / "storage" / "small" / "daily_sales.pkl").is_file()
    assert (template / "dagster_project" / "definitions.py").read_text() == definitions


def test_the_guide_names_the_example_groups_and_the_dbt_lines_the_drop_test_uses():
    section = template_guide()
    assert all(f"`{group}`" in section for group in EXAMPLE_GROUPS)
    assert all(f"`{fragment}" in section for fragment in DBT_DOCKERFILE_LINES)


@pytest.mark.parametrize("group", EXAMPLE_GROUPS)
def test_an_example_group_drops_and_the_rest_loads(template: Path, group: str):
    for dropped in (group, *DROPPED_WITH.get(group, ())):
        drop_group(template, dropped)

    result = run(
        template,
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_definitions.py",
    )
    assert " passed" in result.stdout
    if "dbt" in (group, *DROPPED_WITH.get(group, ())):
        run(template, "bash", "-c", "source scripts/lib/environment.sh && prepare_dbt_manifest")
