"""The layout's rules (issue #10): an app shell at the top, blueprints imported by the api
package alone, and small modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTOR = ROOT / "connector"
MAX_LOOSE_MODULES = 8
MAX_LINES = 300


def _modules() -> list[Path]:
    return sorted(p for p in CONNECTOR.rglob("*.py") if "__pycache__" not in p.parts)


def _dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> set[str]:
    """Every module `path` imports (for `from a import b`, both `a` and `a.b`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _blueprints() -> set[str]:
    return {
        _dotted(path)
        for path in (CONNECTOR / "api").glob("*.py")
        if "Blueprint(" in path.read_text()
    }


def test_the_api_package_has_blueprints_to_check():
    assert {"connector.api.hubs", "connector.api.instances"} <= _blueprints()


def test_no_module_imports_a_blueprint_but_the_api_package():
    blueprints = _blueprints()
    offenders = [
        f"{_dotted(path)} imports {name}"
        for path in _modules()
        if _dotted(path) != "connector.api"
        for name in sorted(_imported(path) & blueprints)
    ]
    assert not offenders, "blueprints never import each other: " + "; ".join(offenders)


def test_only_the_app_factory_imports_the_api_package_from_outside():
    offenders = [
        _dotted(path)
        for path in _modules()
        if not _dotted(path).startswith("connector.api")
        and _dotted(path) != "connector.app"
        and any(n == "connector.api" or n.startswith("connector.api.") for n in _imported(path))
    ]
    assert not offenders, f"only connector.app wires the api package in: {offenders}"


def test_the_top_of_connector_holds_the_app_shell_only():
    loose = sorted(p.name for p in CONNECTOR.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, f"loose modules in connector/: {loose}"


def test_no_production_module_is_over_300_lines():
    seeders = set((CONNECTOR / "sandbox").glob("seed*.py"))
    long = [
        f"{path.relative_to(ROOT)} ({count} lines)"
        for path in _modules()
        if path not in seeders and (count := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, f"split these along their seams: {long}"


def test_production_code_raises_instead_of_asserting():
    asserts = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assert)
    ]
    assert not asserts, f"raise the error the caller should see instead: {asserts}"


def test_the_readme_layout_names_every_package():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip() for line in section.splitlines() if line.startswith("  ")]
    names = [name for row in rows for name in re.split(r"\s{2,}", row)[0].split(", ")]
    listed = {name.rstrip("/") for name in names if name.endswith("/")}
    packages = {p.parent.name for p in CONNECTOR.glob("*/__init__.py")}
    missing = sorted(packages - listed)
    assert not missing, f"README's layout section does not list: {missing}"
