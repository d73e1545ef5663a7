"""Shared fixtures: paths to the demo data and to the real datasets beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Tests start from an empty registry unless they ask for the demo plots (tests/sites/test_demo_registry.py).
os.environ.setdefault("SITEFINDER_DEMO_REGISTRY", "0")
REALDATA = Path(os.environ.get("SITEFINDER_REALDATA", ROOT.parent / "shared" / "realdata"))


@pytest.fixture(scope="session")
def realdata() -> Path:
    """Folder of real public datasets (``../shared/realdata``); CI has it beside the clone."""
    if not REALDATA.is_dir():
        pytest.fail(f"real test data not found at {REALDATA}; set SITEFINDER_REALDATA to its folder")
    return REALDATA
