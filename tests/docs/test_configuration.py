"""docs/configuration.md lists every environment variable the code reads, and nothing else; every
variable another page names is one of them."""

import re
from functools import cache

import pytest

from tests.docs.pages import PAGES, REPOSITORY_ROOT, code_spans, relative, tokens

CONFIGURATION = REPOSITORY_ROOT / "docs" / "configuration.md"
# Where the code reads a variable: Python's os.environ and dg.EnvVar, the settings' helpers,
# the instance files' `env:`, compose's `${NAME`, and the scripts' `${NAME:-default}`.
READS = {
    "*.py": (
        r"environ(?:\.get)?\(\s*\"([A-Z][A-Z0-9_]+)\"",
        r"environ\[\"([A-Z][A-Z0-9_]+)\"\]",
        r"EnvVar\(\"([A-Z][A-Z0-9_]+)\"",
        r"_positive\(\s*environ,\s*\"([A-Z][A-Z0-9_]+)\"",
        r"required\(\"([A-Z][A-Z0-9_]+)\"",
    ),
    "*.yaml": (r"\{env: ([A-Z][A-Z0-9_]+)\}",),
    "*.yml": (r"\$\{([A-Z][A-Z0-9_]+)",),
    "*.sh": (r"\$\{([A-Z][A-Z0-9_]+):-",),
}
READERS = ("dagster_project", "deploy", "scripts")
ROOT_FILES = ("dagster.yaml", "workspace.yaml", "docker-compose.yml")
# Read by the code but not the project's to document: the system's, the JVM's and Spark's own.
NOT_SETTINGS = {"PATH", "JAVA_TOOL_OPTIONS", "JAVA_HOME", "SPARK_HOME"}
# What the code sets for the tools it starts, described in prose below the table.
SET_BY_THE_CODE = {"PGCONNECT_TIMEOUT", "DBT_SEND_ANONYMOUS_USAGE_STATS"}
VARIABLE = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+")


@cache
def read_by_the_code() -> frozenset[str]:
    names = set()
    for pattern, expressions in READS.items():
        files = [path for folder in READERS for path in (REPOSITORY_ROOT / folder).rglob(pattern)]
        files += [REPOSITORY_ROOT / name for name in ROOT_FILES if name.endswith(pattern[1:])]
        for path in files:
            for expression in expressions:
                names.update(re.findall(expression, path.read_text()))
    return frozenset(names - NOT_SETTINGS)


@cache
def documented() -> frozenset[str]:
    """The variables of the configuration table's first column."""
    names, column, cell = set(), 0, False
    for token in tokens(CONFIGURATION):
        if token.type == "tr_open":
            column = 0
        elif token.type in ("td_open", "th_open"):
            column, cell = column + 1, True
        elif token.type == "inline" and cell and column == 1:
            names.update(
                child.content for child in token.children or [] if child.type == "code_inline"
            )
        elif token.type in ("td_close", "th_close"):
            cell = False
    return frozenset(names)


def test_the_configuration_table_lists_every_variable_the_code_reads():
    assert sorted(read_by_the_code() - documented()) == []


def test_the_configuration_table_lists_only_variables_the_code_reads():
    assert sorted(documented() - read_by_the_code()) == []


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_every_variable_a_page_names_is_a_setting_or_set_by_the_code(page):
    named = {
        span.split("=", 1)[0]
        for span in code_spans(page)
        if VARIABLE.fullmatch(span.split("=", 1)[0])
    }
    known = documented() | SET_BY_THE_CODE | python_constants() | image_arguments()
    assert sorted(name for name in named if name not in known and not dbt_profile(name)) == []


@cache
def python_constants() -> frozenset[str]:
    """Module constants of the project (``GROUP_TIERS``, ``COMPRESSION_LEVELS``, ...)."""
    names = set()
    for path in (REPOSITORY_ROOT / "dagster_project").rglob("*.py"):
        names.update(re.findall(r"(?m)^([A-Z][A-Z0-9_]+)(?::[^=]+)?\s*=", path.read_text()))
    return frozenset(names)


@cache
def image_arguments() -> frozenset[str]:
    """The build arguments and variables of the image (``PYTHON_IMAGE``, ``S3A_JARS``, ...)."""
    dockerfile = (REPOSITORY_ROOT / "deploy" / "Dockerfile").read_text()
    names = re.findall(r"(?m)^ARG ([A-Z][A-Z0-9_]+)", dockerfile)
    names += re.findall(r"(?m)^(?:ENV |\s+)([A-Z][A-Z0-9_]+)=", dockerfile)
    return frozenset(names)


def dbt_profile(name: str) -> bool:
    """A variable dbt_project/profiles.yml reads, which WarehouseResource sets."""
    return f"env_var('{name}'" in (REPOSITORY_ROOT / "dbt_project" / "profiles.yml").read_text()
