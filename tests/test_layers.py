"""The import rules between layers and domains, read from the source with `ast` (nothing imported).

- No cycle between the domain packages under `assets/` (a domain may use another, not both ways).
- `assets/` never imports `pipeline/` (the domains do not know how homeclerk runs as a program).
- Only the domains' Dagster wrapper modules import Dagster; the rest is plain functions.
- The SMS source knows chat.db and nothing downstream; parsing knows text, not chat.db.
- `pipeline/`'s rooms: no cycle between its modules; `service/` and `platform/` know nothing of the
  command line, `doctor` or the demo; only the command line (and the docs writer) imports `cli/`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
# The modules that wrap a domain for Dagster; everything else under assets/ is plain Python.
DAGSTER_WRAPPERS = {"definitions.py", "resources.py", "schedules.py", "sensors.py"}
# Downstream of the SMS source: sms must not import them.
DOWNSTREAM_OF_SMS = {"transactions", "expenses", "books"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module `path` imports (absolute names; relative imports resolved), at any depth."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                yield node.module or ""


def _asset_modules() -> list[Path]:
    return sorted(ASSETS.rglob("*.py"))


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "assets" else None


def _domain_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _asset_modules():
        source = _domain(_module_name(path))
        if source is None:
            continue
        targets = graph.setdefault(source, set())
        for imported in _imports(path):
            target = _domain(imported)
            if target is not None and target != source:
                targets.add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every domain that can reach itself, with one path that shows how."""
    found = []
    for start in sorted(graph):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append([*path, start])
                    stack.clear()
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return found


def test_the_checker_sees_relative_and_nested_imports(tmp_path: Path) -> None:
    # The rules below are only as good as the import reader; pin its two tricky cases.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph)[0] == ["a", "b", "c", "a"]
    assert not _cycles({"a": {"b"}, "b": set()})
    module = ASSETS / "expenses" / "definitions.py"
    assert "assets.expenses.feed" in set(_imports(module))


def test_no_import_cycle_between_domains() -> None:
    graph = _domain_graph()
    assert {"sms", "transactions", "common"} <= set(graph)
    assert _cycles(graph) == [], f"domain imports form a cycle: {graph}"


def test_assets_never_import_pipeline() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _asset_modules()
        for name in _imports(path)
        if name == "pipeline" or name.startswith("pipeline.")
    ]
    assert offenders == []


def test_only_the_wrapper_modules_import_dagster() -> None:
    users = {
        path.relative_to(ROOT)
        for path in _asset_modules()
        for name in _imports(path)
        if name.split(".")[0] == "dagster"
    }
    assert users, "the reader found no Dagster import at all"
    assert sorted(str(p) for p in users if p.name not in DAGSTER_WRAPPERS) == []


def test_sms_knows_nothing_downstream_and_transactions_nothing_of_sms() -> None:
    graph = _domain_graph()
    assert graph["sms"] & DOWNSTREAM_OF_SMS == set()
    assert "sms" not in graph["transactions"]


def test_every_domain_with_definitions_is_in_the_root() -> None:
    # Adding a domain is one folder plus one line in the root's tuple; a folder left out of the
    # tuple would silently not run.
    from pipeline.definitions import DOMAINS

    with_definitions = {p.parent.name for p in ASSETS.glob("*/definitions.py")}
    listed = {module.__name__.split(".")[1] for module in DOMAINS}
    assert listed == with_definitions
    assert len(DOMAINS) == len(set(DOMAINS))
    assert all(callable(getattr(module, "build_defs", None)) for module in DOMAINS)


def test_loading_the_definitions_leaves_the_heavy_libraries_to_the_runs() -> None:
    # The code server only loads the definitions; pandas, duckdb and httpx cost it ~75 MB
    # resident at idle, so modules import them where they run. (beancount.loader cannot be kept
    # out this way: beancount 3's package __init__ imports it, and it costs ~2 MB.)
    import subprocess
    import sys

    code = (
        "import sys, pipeline.definitions; "
        "loaded = sorted(m for m in ('pandas', 'duckdb', 'httpx') if m in sys.modules); "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


PIPELINE = ROOT / "pipeline"
# What each room of pipeline/ must not import (the rooms below it know nothing of those above).
ROOM_MUST_NOT_IMPORT = {
    "service": {
        "cli",
        "doctor",
        "demo",
        "platform",
        "definitions",
        "materialize",
        "reference_docs",
    },
    "platform": {
        "cli",
        "doctor",
        "demo",
        "service",
        "definitions",
        "materialize",
        "reference_docs",
    },
    "doctor": {"cli", "demo", "reference_docs"},
    "demo": {"cli", "doctor", "reference_docs"},
}


def _pipeline_graph() -> dict[str, set[str]]:
    """Module → the pipeline modules it imports (a package's own __init__ re-exports left out)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PIPELINE.rglob("*.py")):
        name = _module_name(path)
        graph[name] = {
            i
            for i in _imports(path)
            if i.startswith("pipeline.") and i != name and not i.startswith(name + ".")
        }
    return graph


def test_no_import_cycle_between_pipeline_modules() -> None:
    graph = _pipeline_graph()
    assert "pipeline.service.supervisor" in graph
    # A package's __init__ importing its modules for re-export is not a cycle of the code.
    plain = {
        m: t
        for m, t in graph.items()
        if not (PIPELINE / "/".join(m.split(".")[1:]) / "__init__.py").exists()
    }
    assert _cycles(plain) == []


def test_the_rooms_of_pipeline_import_only_downwards() -> None:
    wrong = []
    for module, targets in _pipeline_graph().items():
        room = [*module.split("."), ""][1]
        for target in targets:
            if target.split(".")[1] in ROOM_MUST_NOT_IMPORT.get(room, ()):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_only_the_command_line_imports_cli() -> None:
    users = {
        module
        for module, targets in _pipeline_graph().items()
        if any(t.startswith("pipeline.cli") for t in targets)
    }
    assert {u.split(".")[1] for u in users} <= {"cli", "reference_docs"}
