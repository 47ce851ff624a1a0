"""The layers keep their boundaries, checked on the imports (ast) of every module.

    web ──► engine (public), engine.app, engine.core
    cli ──► engine.app, engine.core, engine.tools (never web)
    app ──► engine.core, engine.storage (never flask, web, cli)
    storage ──► sqlalchemy, alembic, engine.errors
    core ──► stdlib, SpiffWorkflow, lxml, marshmallow, jsonschema, engine.errors
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_THIRD_PARTY = {"SpiffWorkflow", "lxml", "marshmallow", "jsonschema", "zoneinfo", "tzdata"}
WEB_FRAMEWORK = {"flask", "flask_babel", "werkzeug", "jinja2", "web"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, relative imports resolved; ``from a import b``
    counts as ``a`` and ``a.b`` (b may be a module)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def _modules(folder: str) -> list[Path]:
    paths = sorted((ROOT / folder).rglob("*.py"))
    return [p for p in paths if "migrations" not in p.parts]


def _within(module: str, prefixes: set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("path", _modules("engine/core"), ids=lambda p: p.name)
def test_core_imports_only_the_standard_library_spiffworkflow_and_engine_errors(path):
    for module in _imports(path):
        if _top(module) == "engine":
            # `from engine.core import x` lists engine.core.x; `from .. import errors` would list engine.errors
            assert _within(module, {"engine.core", "engine.errors"}) or module == "engine", (path, module)
        else:
            assert _top(module) in sys.stdlib_module_names | CORE_THIRD_PARTY | {"__future__"}, (path, module)


@pytest.mark.parametrize("path", _modules("engine/storage"), ids=lambda p: p.name)
def test_storage_knows_no_core_app_or_web(path):
    for module in _imports(path):
        assert not _within(module, {"engine.core", "engine.app", "engine.cli", "engine.tools", "engine.worker"}), \
            (path, module)
        assert _top(module) not in WEB_FRAMEWORK, (path, module)


@pytest.mark.parametrize("path", _modules("engine/app"), ids=lambda p: p.name)
def test_app_knows_no_web_cli_or_tools(path):
    for module in _imports(path):
        assert _top(module) not in WEB_FRAMEWORK | {"click"}, (path, module)
        assert not _within(module, {"engine.cli", "engine.tools", "engine.worker"}), (path, module)


@pytest.mark.parametrize("path", _modules("engine"), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_in_the_engine_imports_the_web_layer(path):
    """Also the CLI: `werkpad serve` is the web app's own command (web/serve.py)."""
    assert not {_top(m) for m in _imports(path)} & WEB_FRAMEWORK, path


@pytest.mark.parametrize("path", _modules("web"), ids=lambda p: p.name)
def test_web_uses_the_engine_through_its_public_modules(path):
    import engine

    allowed = {"engine.errors", "engine.app", "engine.core", "engine.worker"} | {f"engine.{n}" for n in engine.__all__}
    if path.name == "serve.py":  # the `werkpad serve` entry may load the demo data
        allowed.add("engine.tools.demo")
    for module in _imports(path):
        if _top(module) == "engine" and module != "engine":
            assert _within(module, allowed), (path, module)
            assert not _within(module, {"engine.storage", "engine.cli"}), (path, module)


def test_the_engine_and_its_entry_points_load_without_flask():
    code = "import sys, engine, engine.cli, engine.worker; assert 'flask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ})
