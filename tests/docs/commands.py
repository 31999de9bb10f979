"""What each command of the docs' shell blocks needs to work, checked without running it: the
file it runs exists and is executable, the module imports, the flags are the command's own, the
selection and partition resolve against the definitions, the compose service exists.

``resolve`` returns the problems of one command (empty: it resolves). The commands that are cheap
and offline are also run, by test_commands.py and test_newcomer.py.
"""

import importlib.util
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import dagster as dg
import yaml

from tests.docs.pages import REPOSITORY_ROOT, Command

VENV_BIN = REPOSITORY_ROOT / ".venv" / "bin"
BUILTINS = {"set"}
# Commands that only run where a test already runs them, or that start servers or the whole
# graph: resolved here, and why they are not run.
SCRIPT_FLAGS_IN = {
    "scripts/materialize-all.sh": "scripts/materialize_all.py",
    "scripts/benchmark.sh": "benchmarks",
    "scripts/build-spark-class-archive.sh": "scripts/build_spark_class_archive.py",
    "deploy/native-stack.sh": "deploy/native_stack.py",
}
# Files the code makes at run time, and the module that makes each.
GENERATED = {".local/stack/stack.env": "deploy/native_stack.py"}


@cache
def help_text(*command: str) -> str:
    completed = subprocess.run(
        command,
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    return completed.stdout + completed.stderr


def source_text(target: str) -> str:
    """The Python source of a module, a package (every file) or a file of the repository."""
    path = REPOSITORY_ROOT / target
    if path.is_dir():
        return "\n".join(file.read_text() for file in sorted(path.rglob("*.py")))
    if path.is_file():
        return path.read_text()
    spec = importlib.util.find_spec(target)
    assert spec and spec.origin, target
    origin = Path(spec.origin)
    return source_text(str(origin.parent)) if origin.name == "__init__.py" else origin.read_text()


def flags(words: tuple[str, ...]) -> list[str]:
    return [word.split("=", 1)[0] for word in words if word.startswith("--")]


def resolve(command: Command, definitions: dg.Definitions, variables: frozenset[str]) -> list[str]:
    words, folder = command.words, REPOSITORY_ROOT / command.folder
    program, arguments = words[0], words[1:]
    if program in BUILTINS:
        return []
    if program == "cd":
        return [] if (folder / arguments[0]).is_dir() else [f"no folder {arguments[0]}"]
    if program in ("source", "."):
        return resolve_file(folder, arguments[0])
    if program == "cp":
        return resolve_file(folder, arguments[0])
    if program == "export":
        names = [argument.split("=", 1)[0] for argument in arguments]
        return [
            f"{name} is no setting of docs/configuration.md"
            for name in names
            if name not in variables
        ]
    if program == "docker" and arguments[:1] == ("compose",):
        return resolve_compose(arguments[1:], definitions, variables)
    if program == "dg":
        return resolve_dg(arguments, definitions)
    if program == "dagster":
        return resolve_dagster(arguments, definitions)
    if program == "python" and arguments[:1] == ("-m",):
        return resolve_module(arguments[1], arguments[2:])
    if program == "dbt":
        missing = [
            flag
            for flag in flags(arguments)
            if flag not in help_text("dbt", *arguments[:1], "--help")
        ]
        if "--profiles-dir" in arguments:
            profiles = folder / arguments[arguments.index("--profiles-dir") + 1] / "profiles.yml"
            missing += [] if profiles.is_file() else [f"no {profiles}"]
        return missing
    if program == ".venv/bin/pre-commit":
        text = help_text(str(REPOSITORY_ROOT / program), arguments[0], "--help")
        return [
            f"pre-commit {arguments[0]}: no {flag}" for flag in flags(arguments) if flag not in text
        ]
    return resolve_script(folder, program, arguments)


def resolve_file(folder: Path, name: str) -> list[str]:
    if name in GENERATED:
        maker = (REPOSITORY_ROOT / GENERATED[name]).read_text()
        return [] if Path(name).name in maker else [f"{GENERATED[name]} does not make {name}"]
    return [] if (folder / name).is_file() else [f"no file {name}"]


def resolve_script(folder: Path, program: str, arguments: tuple[str, ...]) -> list[str]:
    script = (folder / program).resolve()
    name = str(script.relative_to(REPOSITORY_ROOT))
    if not (script.is_file() and os.access(script, os.X_OK)):
        return [f"{program} is no executable file of the repository"]
    if name == "scripts/test.sh":
        return resolve_pytest_arguments(arguments)
    if name in SCRIPT_FLAGS_IN:
        text = source_text(SCRIPT_FLAGS_IN[name])
        wanted = [word for word in arguments if word != "--help"]
        return [
            f"{name}: {word} unknown"
            for word in wanted
            if f'"{word}"' not in text and f" {word} " not in text
        ]
    return [f"{name} takes no arguments"] if arguments else []


def resolve_pytest_arguments(arguments: tuple[str, ...]) -> list[str]:
    """scripts/test.sh hands its arguments to pytest: markers must be declared, paths exist."""
    problems, markers = [], pytest_markers()
    for index, word in enumerate(arguments):
        if word == "-m":
            expression = arguments[index + 1]
            unknown = set(re.findall(r"[a-z_]+", expression)) - {"not", "and", "or"} - markers
            problems += [f"marker {marker} is not declared" for marker in sorted(unknown)]
        elif not word.startswith("-") and arguments[index - 1] != "-m":
            problems += [] if (REPOSITORY_ROOT / word).exists() else [f"no test path {word}"]
    return problems


@cache
def pytest_markers() -> frozenset[str]:
    import tomllib

    markers = tomllib.loads((REPOSITORY_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    return frozenset(line.split(":")[0] for line in markers["ini_options"]["markers"])


def resolve_module(module: str, arguments: tuple[str, ...]) -> list[str]:
    if importlib.util.find_spec(module) is None:
        return [f"no module {module}"]
    text = source_text(module)
    usage = help_text(sys.executable, "-m", module, "--help") if flags(arguments) else ""
    problems = [
        f"{module}: no flag {flag}"
        for flag in flags(arguments)
        if f'"{flag}"' not in text and flag not in usage
    ]
    positional = [word for word in arguments if not word.startswith("-")]
    if module == "deploy.spark_cluster" and f'"{positional[0]}"' not in text:
        problems.append(f"{module}: no action {positional[0]}")
    return problems


def resolve_compose(arguments: tuple[str, ...], definitions, variables) -> list[str]:
    subcommand = arguments[0]
    text = help_text("docker-compose", subcommand, "--help")
    if subcommand != "exec":
        return [
            f"docker compose {subcommand}: no {flag}"
            for flag in flags(arguments)
            + [word for word in arguments[1:] if word.startswith("-") and not word.startswith("--")]
            if flag not in text
        ]
    service, inner = arguments[1], arguments[2:]
    services = yaml.safe_load((REPOSITORY_ROOT / "docker-compose.yml").read_text())["services"]
    if service not in services:
        return [f"no compose service {service}"]
    # the image holds the repository's code at its working directory (deploy/Dockerfile)
    return resolve(Command("docker compose exec", inner), definitions, variables)


def dg_options(*subcommand: str) -> set[str]:
    """The options of a ``dg`` subcommand, read from its click command (``dg --help`` prints
    them only to a terminal)."""
    import click
    from dagster_dg_cli.cli import cli

    command: click.Command | None = cli
    for name in subcommand:
        assert isinstance(command, click.Group), subcommand
        command = command.get_command(click.Context(command), name)
    assert command is not None, f"no dg {' '.join(subcommand)}"
    return {option for parameter in command.params for option in parameter.opts}


def resolve_dg(arguments: tuple[str, ...], definitions) -> list[str]:
    subcommand = arguments[:2] if arguments[0] in ("list", "check", "scaffold") else arguments[:1]
    known = dg_options(*subcommand)
    problems = [
        f"dg {' '.join(subcommand)}: no {flag}" for flag in flags(arguments) if flag not in known
    ]
    if subcommand == ("launch",):
        problems += resolve_selection(arguments, "--assets", definitions)
    return problems


def resolve_dagster(arguments: tuple[str, ...], definitions) -> list[str]:
    subcommand = arguments[:2]
    text = help_text("dagster", *subcommand, "--help")
    problems = [
        f"dagster {' '.join(subcommand)}: no {flag}"
        for flag in flags(arguments)
        if flag not in text
    ]
    if "-m" in arguments:
        module = arguments[arguments.index("-m") + 1]
        problems += [] if importlib.util.find_spec(module) else [f"no module {module}"]
    if subcommand == ("asset", "materialize"):
        problems += resolve_selection(arguments, "--select", definitions)
    return problems


def option(arguments: tuple[str, ...], name: str) -> str | None:
    return arguments[arguments.index(name) + 1] if name in arguments else None


def resolve_selection(
    arguments: tuple[str, ...], flag: str, definitions: dg.Definitions
) -> list[str]:
    """The selection names assets, the partition flags suit them: one partitions definition, a
    key it holds, and a range only where a single run can take it."""
    graph = definitions.resolve_asset_graph()
    selection = option(arguments, flag) or ""
    try:
        keys = dg.AssetSelection.from_coercible(selection.split(",")).resolve(graph)
    except dg.DagsterInvalidSubsetError as error:
        return [f"{selection}: {error}"]
    if not keys:
        return [f"{selection} selects nothing"]
    partitionings = {graph.get(key).partitions_def for key in keys}
    partition, partition_range = (
        option(arguments, "--partition"),
        option(arguments, "--partition-range"),
    )
    if len(partitionings) > 1:
        return [f"{selection} mixes partitions definitions"]
    (partitioning,) = partitionings
    if partitioning is None:
        return [f"{selection} is not partitioned"] if partition or partition_range else []
    if not (partition or partition_range):
        return [f"{selection} is partitioned: the command needs --partition"]
    wanted = [partition] if partition else partition_range.split("...")
    problems = [
        f"{key} is no partition of {selection}"
        for key in wanted
        if not partitioning.has_partition_key(key)
    ]
    if partition_range:
        policies = {graph.get(key).backfill_policy for key in keys}
        if policies != {dg.BackfillPolicy.single_run()}:
            problems.append(f"{selection} has no single-run backfill policy for --partition-range")
    return problems
