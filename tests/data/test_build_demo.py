"""The demo builder is deterministic: a rebuild reproduces the committed files byte for byte."""

from __future__ import annotations

import json

import pytest

from data.build_demo import main as build_demo
from layers.manifest import file_sha256, load_manifest
from settings import DEMO_DIR, MANIFEST_PATH


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
def test_rebuild_reproduces_committed_files(tmp_path):
    manifest = build_demo(tmp_path / "demo", tmp_path / "manifest.json")
    committed = load_manifest(MANIFEST_PATH)
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == committed
    for name in committed["files"]:
        assert file_sha256(tmp_path / "demo" / name) == file_sha256(DEMO_DIR / name), name
    assert manifest["version"] == committed["version"]
