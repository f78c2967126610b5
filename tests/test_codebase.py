"""For the next engineer: no private Scrapy API, no import cycle (deferred imports included)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import PROJECT

PACKAGE = PROJECT / "newscrawl"
PUBLIC_UNDERSCORE = {"_replace", "_asdict", "_fields"}  # namedtuple's public API


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def trees():
    return {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in modules().items()}


def test_no_private_attribute_of_scrapy_or_twisted_is_used():
    """Every `x._name` is a name newscrawl defines itself (Scrapy's `_retry`, `_spiders`,
    `_create_crawler` were used before; Scrapy offers get_retry_request, the spider-loader
    interface and create_crawler)."""
    parsed = trees()
    own = set(PUBLIC_UNDERSCORE)
    for tree in parsed.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                own.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
    used = []
    for name, tree in parsed.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                if node.attr not in own:
                    used.append(f"{name}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("newscrawl"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private or any(p.startswith("_") and not p.startswith("__") for p in node.module.split(".")):
                    used.append(f"{name}:{node.lineno}: from {node.module} import {', '.join(private)}")
    assert used == []


def test_no_import_cycle_between_newscrawl_modules():
    """Imports inside functions count too: a deferred import that only hides a cycle is still one."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, tree in trees().items():
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("newscrawl"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in known else node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("newscrawl"))
        graph[name] = {d for d in deps if d in known and d != name}

    def cycle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    return path + [start]
                if dep not in seen:
                    seen.add(dep)
                    stack.append((dep, path + [dep]))
        return None

    cycles = [" -> ".join(c) for c in map(cycle_from, sorted(graph)) if c]
    assert cycles == []
