"""The data manifest: what each shipped file is, where it comes from, and its checksum."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from errors import ManifestError
from settings import MANIFEST_PATH


def load_manifest(path: Path = MANIFEST_PATH) -> dict:
    """Read ``data/manifest.json``.

    Parameters
    ----------
    path
        Manifest file.

    Returns
    -------
    dict
        The manifest: ``version``, ``notice``, ``files`` (per file: title, format, crs,
        feature_count, sha256, licence, real facts with sources, synthetic parts).
    """
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ManifestError(f"no manifest at {path}; rebuild the demo data with 'python -m data.build_demo'.") from err
    except json.JSONDecodeError as err:
        raise ManifestError(f"{Path(path).name}: not valid JSON ({err}).") from err


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_manifest(manifest: dict, *, root: Path | None = None) -> None:
    """Check that every file the manifest lists exists with the recorded checksum.

    Parameters
    ----------
    manifest
        As returned by ``load_manifest``.
    root
        Folder the manifest's relative ``path`` entries start from (``data/``).

    Raises
    ------
    ManifestError
        Listing every missing or changed file.
    """
    base = Path(root) if root is not None else MANIFEST_PATH.parent
    problems = []
    for name, entry in manifest.get("files", {}).items():
        path = base / entry["path"]
        if not path.exists():
            problems.append(f"{name} is missing at {path}")
        elif file_sha256(path) != entry["sha256"]:
            problems.append(f"{name} differs from the manifest (checksum); rebuild with 'python -m data.build_demo'")
    if problems:
        raise ManifestError("data manifest: " + "; ".join(problems))
