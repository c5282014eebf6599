"""The layout's rules, read from the source: who may import whom, and no import cycles.

Every import counts, at the top of a module or inside a function (an import tucked into a
function is still a dependency; hiding one is how cycles crept in before).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = sys.stdlib_module_names

# (package, what it must never import, why)
NEVER = [
    ("device", ("kiosk",), "hardware knows nothing of the application"),
    ("kiosk.core", ("kiosk", "flask", "sqlalchemy", "sqlite3"), "the shared vocabulary is pure"),
    (
        "kiosk.rules",
        (
            "kiosk.store",
            "kiosk.backend",
            "kiosk.services",
            "kiosk.web",
            "kiosk.hub",
            "kiosk.link",
            "flask",
            "sqlalchemy",
            "sqlite3",
        ),
        "rules are pure: facts in, amounts and reasons out",
    ),
    (
        "kiosk.link",
        ("flask", "kiosk.web", "kiosk.hub", "kiosk.services"),
        "the protocol stands between both ends",
    ),
    (
        "kiosk.services",
        ("flask", "kiosk.web", "kiosk.hub", "sqlite3"),
        "use cases know no web framework, no SQL",
    ),
    (
        "kiosk.speech",
        ("flask", "kiosk.web", "kiosk.hub", "kiosk.services", "kiosk.store", "sqlite3"),
        "what is said is composed from data and voiced offline: no web framework, no storage",
    ),
    ("kiosk.web", ("kiosk.hub",), "the kiosk app is not the hub"),
    ("kiosk.hub", ("kiosk.web", "kiosk.services"), "the hub is not the kiosk app, nor its use cases"),
    (
        "kiosk.imports",
        ("flask", "kiosk.web", "kiosk.hub", "kiosk.services", "sqlite3"),
        "loading data needs no screen; the store runs its SQL",
    ),
]
# kiosk.core may use these of ours: the ID-number rules live beside the card parsers.
CORE_ALLOWED = ("kiosk.core", "device.idnumber")
# ...and one library, for one module: the table writer writes XLSX through openpyxl.
CORE_LIBRARIES = {"kiosk.core.tables": ("openpyxl",)}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, absolute names, from any place in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return found


MODULES = {module_name(p): p for top in ("kiosk", "device") for p in (ROOT / top).rglob("*.py")}
GRAPH = {name: {m for m in imports_of(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize(("package", "forbidden", "why"), NEVER, ids=[rule[0] for rule in NEVER])
def test_never_imports(package, forbidden, why):
    broken = sorted(
        f"{name} imports {target}"
        for name, path in MODULES.items()
        if within(name, package)
        for target in imports_of(path)
        if any(within(target, bad) for bad in forbidden)
        and not (package == "kiosk.core" and any(within(target, ok) for ok in CORE_ALLOWED))
    )
    assert broken == [], f"{package} must not import {forbidden} ({why})"


def test_core_and_rules_import_only_the_standard_library_and_what_they_may():
    allowed = {"kiosk.core": CORE_ALLOWED, "kiosk.rules": ("kiosk.core", "kiosk.rules")}
    for package, ours in allowed.items():
        for name, path in MODULES.items():
            if not within(name, package):
                continue
            for target in imports_of(path):
                top = target.split(".")[0]
                library = top in CORE_LIBRARIES.get(name, ())
                assert (
                    top in STDLIB or top == "__future__" or library or any(within(target, ok) for ok in ours)
                ), f"{name} imports {target}"


# (what may import it, the only modules that may, why): narrow edges that a NEVER rule cannot say.
ONLY = [
    (
        "kiosk.store",
        (
            "kiosk.store",
            "kiosk.services",
            "kiosk.imports",
            "kiosk.link.relay",
            "kiosk.hub.publish",  # reads a county's validated store
            "kiosk.hub.snapshots",  # writes a township's store for a snapshot
            "kiosk.cli",
        ),
        "the kiosk's file is reached through its use cases",
    ),
    ("sqlite3", ("kiosk.store",), "all of the kiosk's SQL is in the store"),
    ("sqlalchemy", ("kiosk.hub",), "the hub's database is the hub's"),
]


@pytest.mark.parametrize(("target", "allowed", "why"), ONLY, ids=[rule[0] for rule in ONLY])
def test_only_these_import(target, allowed, why):
    broken = sorted(
        f"{name} imports {imported}"
        for name, path in MODULES.items()
        if not any(within(name, ok) for ok in allowed)
        for imported in imports_of(path)
        if within(imported, target)
    )
    assert broken == [], f"only {allowed} may import {target} ({why})"


def reads_environment(path: Path) -> bool:
    """Does the module touch os.environ or os.getenv (directly, or as `from os import environ`)?"""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        attribute = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv")
        if attribute and isinstance(node.value, ast.Name) and node.value.id == "os":  # type: ignore[attr-defined]
            return True
        named = isinstance(node, ast.ImportFrom) and node.module == "os"
        if named and any(alias.name in ("environ", "getenv") for alias in node.names):  # type: ignore[attr-defined]
            return True
    return False


def test_only_the_config_reads_the_environment():
    readers = sorted(
        name for name, path in MODULES.items() if within(name, "kiosk") and reads_environment(path)
    )
    assert readers == ["kiosk.config"]


def test_no_module_imports_anothers_private_names():
    """`from x import _name` across modules: a helper used in two places is public, with a name that says so."""
    broken = sorted(
        f"{name} imports {node.module}.{alias.name}"
        for name, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("kiosk", "device"))
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    )
    assert broken == []


def test_back_office_views_hold_no_sql():
    views = [name for name in MODULES if within(name, "kiosk.hub.office")]
    assert views and all(not any(within(t, "sqlalchemy") for t in imports_of(MODULES[v])) for v in views)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(GRAPH) == []


# -- the tests' own layout ------------------------------------------------------------------------------
TESTS = ROOT / "tests"
CROSS_CUTTING = {"e2e", "helpers"}  # whole-product tests, and helpers that are not tests


def test_tests_mirror_the_packages():
    """tests/<part>/ for each package part (kiosk/<part>, or device); only this file at the top."""
    parts = {p.name for p in (ROOT / "kiosk").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - CROSS_CUTTING <= parts | {"device"}, folders - CROSS_CUTTING - parts - {"device"}
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == ["test_layout.py"]


def test_no_test_imports_another_test_module():
    broken = []
    for path in TESTS.rglob("*.py"):
        for target in imports_of_test(path):
            if target.startswith("tests.") and not target.startswith("tests.helpers"):
                broken.append(f"{path.relative_to(ROOT)} imports {target}")
    assert broken == []


def test_pcscd_is_stopped_by_process_id_never_by_name():
    named = [
        str(path.relative_to(ROOT))
        for path in [*TESTS.rglob("*.py"), *(ROOT / "scripts").rglob("*"), *(ROOT / "bench").rglob("*.py")]
        if path.is_file()
        and path.name != "test_layout.py"
        and any(word in path.read_text(errors="replace") for word in ("pkill", "killall"))
    ]
    assert named == []


def imports_of_test(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found
