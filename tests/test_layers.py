"""Layers point one way: the groups under ``defs/`` use the libraries, never the reverse; the
capacity planners are pure; no modules import each other. Read from the source with ``ast``, so
an import inside a function or under ``TYPE_CHECKING`` counts too."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dagster_project"
GROUPS = "dagster_project.defs"
# The top, which assembles the groups: the Definitions, and the deployment's resource table
# (the dbt resource needs the group's DbtProject).
ASSEMBLY = ("dagster_project.definitions", "dagster_project.deployment")
PLANNING = "dagster_project.planning"
NOT_FOR_PLANNING = ("dagster_project.monitoring", GROUPS, "dagster_project.definitions")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def imports_of(module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import of ``module``; ``from a import b`` names the
    module ``a.b`` when it is one, else ``a``."""
    path = MODULES[module]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add((node.lineno, candidate if candidate in MODULES else base))
    return sorted(found)


def internal_imports(module: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imports_of(module) if is_within(name, "dagster_project")]


def where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}"


def test_only_the_groups_and_the_assembly_import_a_group():
    leaks = [
        f"{where(module, line)} imports {name}"
        for module in MODULES
        if not is_within(module, GROUPS) and module not in ASSEMBLY
        for line, name in internal_imports(module)
        if is_within(name, GROUPS)
    ]

    assert not leaks, "a library imports a group under defs/:\n" + "\n".join(leaks)


def test_the_planners_import_no_monitoring_group_or_definitions():
    leaks = [
        f"{where(module, line)} imports {name}"
        for module in MODULES
        if is_within(module, PLANNING)
        for line, name in internal_imports(module)
        if any(is_within(name, forbidden) for forbidden in NOT_FOR_PLANNING)
    ]

    assert not leaks, "planning/ must stay pure:\n" + "\n".join(leaks)


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's strongly
    connected components with more than one module)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for imported in graph[module]:
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return cycles


def test_no_modules_import_each_other():
    graph = {
        module: {name: line for line, name in internal_imports(module) if name in MODULES}
        for module in MODULES
    }
    cycles = [
        "; ".join(
            f"{where(module, line)} imports {name}"
            for module in cycle
            for name, line in graph[module].items()
            if name in cycle
        )
        for cycle in import_cycles(graph)
    ]

    assert not cycles, "modules that import each other:\n" + "\n".join(cycles)


def test_imports_resolve_to_modules_and_packages():
    # Guards the tests above against passing because nothing resolved.
    plan_imports = {name for _, name in internal_imports("dagster_project.planning.plan")}
    capacity_imports = {name for _, name in internal_imports("dagster_project.monitoring.capacity")}

    assert {"dagster_project.planning.inventory", "dagster_project.tiers"} <= plan_imports
    assert "dagster_project.planning" in capacity_imports
    assert import_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [
        ["a", "b", "c"]
    ]
