"""The shape of the code: modules per folder, lines per module, the longest functions, import
cycles between modules and docstring coverage of public functions and classes.

    .venv/bin/python benchmarks/code_shape.py [--json]

Reads the source as text (ast); nothing is imported or run. Counts `pipeline/` and `assets/`.
"""

from __future__ import annotations

import ast
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "assets")


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return found


def measure() -> dict[str, object]:
    mods = modules()
    known = set(mods)
    per_folder: dict[str, list[int]] = defaultdict(list)
    functions: list[tuple[int, str]] = []
    public = documented = 0
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        text = path.read_text("utf-8")
        per_folder[str(path.parent.relative_to(ROOT))].append(len(text.splitlines()))
        graph[name] = imports_of(name, path, known)
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                functions.append((length, f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"))
        for node in [*tree.body, *_methods(tree)]:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name.startswith("_"):
                    continue
                public += 1
                documented += ast.get_docstring(node) is not None
    # A package's __init__ importing its own modules is not a cycle worth reporting.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    functions.sort(reverse=True)
    return {
        "modules": len(mods),
        "folders": {
            folder: {
                "modules": len(lines),
                "lines": sum(lines),
                "longest_module": max(lines),
                "median_module": int(statistics.median(lines)),
            }
            for folder, lines in sorted(per_folder.items())
        },
        "longest_functions": [f"{n} lines  {where}" for n, where in functions[:10]],
        "cycles": cycles(graph),
        "docstrings": {"public": public, "documented": documented},
    }


def _methods(tree: ast.Module) -> list[ast.stmt]:
    return [
        item
        for node in tree.body
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
        for item in node.body
    ]


def main() -> None:
    result = measure()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['modules']} modules")
    print(f"{'folder':<28} {'modules':>7} {'lines':>6} {'longest':>7} {'median':>6}")
    for folder, row in result["folders"].items():  # type: ignore[union-attr]
        print(
            f"{folder:<28} {row['modules']:>7} {row['lines']:>6} "
            f"{row['longest_module']:>7} {row['median_module']:>6}"
        )
    print("longest functions:")
    for line in result["longest_functions"]:  # type: ignore[union-attr]
        print(f"  {line}")
    print(f"import cycles: {result['cycles'] or 'none'}")
    doc = result["docstrings"]
    print(
        f"docstrings: {doc['documented']}/{doc['public']} public functions, classes and methods"  # type: ignore[index]
    )


if __name__ == "__main__":
    main()
