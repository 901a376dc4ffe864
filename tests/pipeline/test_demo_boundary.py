"""The demo's fakes (fake broker, chat.db writer, demo books) live in pipeline/demo and production
code never imports them: only the CLI's demo entry points may, inside the function that needs
them, so importing the CLI or any asset never loads a fake."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DEMO = "pipeline.demo"
# The demo's own entry points in the CLI: `homeclerk demo`, and the ui's and serve's demo broker.
ENTRY_POINTS = {
    "pipeline/cli/demo.py": {"_demo"},
    "pipeline/cli/servers.py": {"_ui", "_serve", "_demo_broker"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """Absolute names an import statement loads, with relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        anchor = ".".join(package[: len(package) - node.level])
        base = f"{anchor}.{base}" if base else anchor
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def demo_imports(source: str, module: str) -> list[tuple[str, int, str]]:
    """(enclosing function or "<module>", line, imported name) for each import of the demo in
    `source`, the text of `module`."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name if where == "<module>" else where
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in _imported(child, module):
                    if name == DEMO or name.startswith(DEMO + "."):
                        found.append((where, child.lineno, name))
                        break
            visit(child, inner)

    visit(ast.parse(source), "<module>")
    return found


def production_modules() -> list[Path]:
    files = [*ROOT.joinpath("assets").rglob("*.py"), *ROOT.joinpath("pipeline").rglob("*.py")]
    demo_dir = ROOT / "pipeline" / "demo"
    return sorted(p for p in files if demo_dir not in p.parents)


def test_production_modules_never_import_the_demo() -> None:
    modules = production_modules()
    assert len(modules) > 50, "the scan found the production modules"
    offenders = []
    for path in modules:
        allowed = ENTRY_POINTS.get(path.relative_to(ROOT).as_posix(), set())
        source = path.read_text(encoding="utf-8")
        for where, line, name in demo_imports(source, _module_name(path)):
            if where not in allowed:
                offenders.append(f"{path.relative_to(ROOT)}:{line} ({where}) imports {name}")
    assert offenders == []


def test_the_demo_fakes_live_in_the_demo_package() -> None:
    for fake in ("broker", "chatdb_writer", "books"):
        assert (ROOT / "pipeline" / "demo" / f"{fake}.py").is_file()
    assert sorted(p.name for p in (ROOT / "pipeline" / "demo" / "broker_responses").iterdir()) == [
        "holdings.json",
        "mf_holdings.json",
        "profile.json",
    ]
    # Nothing demo-only is left in a domain package.
    leftovers = [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.joinpath("assets").rglob("*")
        if p.stem in {"demo", "demo_server", "chatdb_writer", "demo_responses"}
    ]
    assert leftovers == []


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("from pipeline.demo.broker import FakeKiteServer\n", "<module>"),
        ("def f():\n    from .demo import build\n", "f"),
        ("def g():\n    import pipeline.demo.books\n", "g"),
    ],
)
def test_the_scan_sees_every_form_of_import(source: str, where: str) -> None:
    # A scan that found nothing would pass the guard above vacuously.
    found = demo_imports(source, "pipeline.probe")
    assert [w for w, _, _ in found] == [where]
