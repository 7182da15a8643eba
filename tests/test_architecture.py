"""Imports point one way: cli, dashboard and jobs use core; core uses db; db and config use
neither (import-linter keeps the same contracts; these read the files themselves)."""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def imported_packages(package: str, *, skip: tuple[str, ...] = ()) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        if path.name in skip or "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_core_imports_neither_streamlit_nor_huey_nor_the_entrypoints():
    for path, names in imported_packages("core").items():
        assert not names & {"streamlit", "huey", "jobs", "dashboard"}, path


def test_db_holds_persistence_only():
    # `python -m db` keeps its name: db/__main__.py hands over to the command line (cli/).
    for path, names in imported_packages("db", skip=("__main__.py",)).items():
        assert not names & {"core", "cli", "jobs", "dashboard", "streamlit", "huey"}, path


def test_settings_stand_on_nothing_of_ours():
    for path, names in imported_packages("config").items():
        assert not names & {"core", "db", "cli", "jobs", "dashboard"}, path


def test_dashboard_and_jobs_reach_data_through_core():
    for package in ("dashboard", "jobs"):
        for path, names in imported_packages(package).items():
            assert "db" not in names, path


def lines_of(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_module_passes_300_lines_and_no_page_120():
    # Past that a module holds more than one concept: split it by concept.
    modules = [
        path
        for package in ("config", "core", "db", "cli", "jobs", "dashboard")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert [str(path) for path in modules if lines_of(path) > 300] == []
    pages = (ROOT / "dashboard" / "views").glob("*.py")
    assert [str(path) for path in pages if lines_of(path) > 120] == []


def embedded_scripts() -> list[tuple[str, str]]:
    """Python programs held in string constants (run with `python -c` by tests and benches)."""
    found = []
    for folder in ("tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                text = node.value if isinstance(node, ast.Constant) else None
                if isinstance(text, str) and re.search(
                    r"^from (config|core|db|cli|jobs)\.", text, re.M
                ):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


def test_every_embedded_script_imports_names_that_exist():
    # A rename that ruff and mypy cannot see inside a string must not pass unnoticed.
    assert embedded_scripts()
    for where, script in embedded_scripts():
        for node in ast.walk(ast.parse(script)):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name) or importlib.util.find_spec(
                        f"{node.module}.{alias.name}"
                    ), f"{where}: {node.module} has no {alias.name}"
