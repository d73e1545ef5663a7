"""Imports flow one way: app -> sites -> (layers, analysis) -> errors/settings."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_layers_import_no_ui_and_no_higher_package():
    for path, names in _imports("layers").items():
        assert not names & {"streamlit", "streamlit_folium", "folium", "app", "sites", "analysis"}, path


def test_analysis_is_pure():
    for path, names in _imports("analysis").items():
        assert not names & {"streamlit", "streamlit_folium", "folium", "app", "sites", "layers"}, path


def test_only_app_imports_streamlit():
    for package in ("layers", "analysis", "sites", "data"):
        for path, names in _imports(package).items():
            assert not names & {"streamlit", "streamlit_folium"}, path


def test_nothing_below_the_app_imports_the_ui():
    for package in ("layers", "analysis", "sites", "data"):
        for path, names in _imports(package).items():
            assert not names & {"ui", "app", "folium"}, path
