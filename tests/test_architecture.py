"""The layers of docs/ARCHITECTURE.md, held by reading every module's imports
(with `ast`, so an import inside a function counts too).

`chunshu_union` is the ground floor and imports no app; each app imports only
apps of a lower layer, never a sibling or one above it. Settings, the root
URLconf and the API router name apps by dotted string: that is configuration,
not an import, as in Django itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]

#: Bottom to top. `accounts` sits under `enterprises` (the street's pages read
#: the roles; a user's street is a string foreign key). Apps in one layer do
#: not import each other.
LAYERS = [
    ["chunshu_union"],
    ["accounts"],
    ["notices"],
    ["enterprises"],
    ["members"],
    ["dues", "services", "joining"],
    ["surveys"],
    ["dashboard"],
    ["demo"],
]
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}

#: Known upward imports on their way out, each with where it goes. Only a
#: whole module, never an app; an entry that is no longer needed fails below.
PENDING: dict[str, str] = {}


def imported_packages(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def modules_of(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def _upward(app: str, path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for line, package in imported_packages(path.read_text(encoding="utf-8"))
        if package != app and package in RANK and RANK[package] >= RANK[app]
    ]


def upward_imports(app: str) -> list[str]:
    """Imports of `app` that reach an app of its own layer or above."""
    wrong = []
    for path in modules_of(app):
        if str(path.relative_to(ROOT)) not in PENDING:
            wrong += _upward(app, path)
    return wrong


def test_the_scan_sees_imports_inside_functions_and_ignores_relative_ones():
    source = "import os\nfrom .models import X\ndef f():\n    from dues.rates import y\n"
    assert imported_packages(source) == [(1, "os"), (4, "dues")]


def test_the_ground_floor_imports_no_app():
    assert upward_imports("chunshu_union") == []


@pytest.mark.parametrize("app", [app for layer in LAYERS[1:] for app in layer])
def test_apps_import_downward_only(app):
    if not (ROOT / app).is_dir():
        pytest.skip(f"{app}/ does not exist (yet)")
    assert upward_imports(app) == []


def _in_the_project(path: Path) -> bool:
    """Inside the checkout but not in its virtual environment (make puts
    .venv there, so third-party apps live under ROOT too)."""
    return path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / ".venv")


def test_every_project_app_has_a_layer():
    """A new app must be placed in LAYERS, or the test above would not see it."""
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if _in_the_project(Path(config.path).resolve())
    }
    assert ours - set(RANK) == set()


@pytest.mark.parametrize("name", sorted(PENDING))
def test_a_pending_exception_is_still_needed(name):
    path = ROOT / name
    if not path.exists():
        pytest.skip(f"{name} has moved: remove it from PENDING")
    assert _upward(name.split("/")[0], path), f"{name} imports downward now: remove it from PENDING"


def test_no_production_module_imports_the_demo():
    """The demo street is made by `manage.py load_demo` alone: no app, and
    not the ground floor, may need a line of it."""
    importers = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in RANK
        if app != "demo"
        for path in modules_of(app)
        for line, package in imported_packages(path.read_text(encoding="utf-8"))
        if package == "demo"
    ]
    assert importers == []
