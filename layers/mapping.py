"""Column mapping: real parcel and premises files name their columns in many ways.

``KNOWN_LAYOUTS`` lists the layouts the project knows, each marked *verified* (checked against a
real file in a test) or *assumed* (from documentation or common practice, not yet seen in a
real file). ``suggest_mapping`` proposes a mapping for a file's columns (for the upload form and
the command line), ``parse_mapping`` reads the ``--map`` option, and ``check_mapping`` says what a
mapping still lacks. All pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from errors import ParameterError, SchemaError

LayerKind = Literal["parcels", "premises"]

#: Canonical columns a user may map to, and which of them a file must provide (or let be built).
CANONICAL: dict[str, tuple[str, ...]] = {
    "parcels": ("parcel_id", "designation", "owner_type", "current_use", "built_footprint_share", "vacant",
                "plan_status", "plan_use_code", "max_plot_ratio", "plan_name", "area_name", "new_land",
                "trakt", "block", "enhet"),
    "premises": ("premises_id", "address", "premises_type", "floor_area_m2", "vacant", "vacant_since",
                 "asking_rent_sek_m2_year", "parcel_designation"),
}
REQUIRED: dict[str, tuple[str, ...]] = {"parcels": ("designation",), "premises": ("floor_area_m2",)}


@dataclass(frozen=True)
class Layout:
    """A known file layout: source column -> canonical column.

    Attributes
    ----------
    key, title
        Identifier and human name (with where the file comes from).
    kind
        ``parcels`` or ``premises``.
    columns
        Source column (as in the file) -> canonical name.
    verified
        True only when a test reads a real file of this layout.
    note
        Where the column names come from and what is uncertain.
    """

    key: str
    title: str
    kind: LayerKind
    columns: Mapping[str, str]
    verified: bool
    note: str


KNOWN_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "lm_fastighetsindelning",
        "Lantmäteriet Fastighetsindelning (Nedladdning, GeoPackage layer registerenhetsomradesyta)",
        "parcels",
        {"objektidentitet": "parcel_id", "trakt": "trakt", "block": "block", "enhet": "enhet"},
        verified=False,
        note="Assumed from Lantmäteriet's product description (objektidentitet, trakt, block, enhet, kommunkod): "
        "no real file was available offline. The designation is built as 'Trakt block:enhet'.",
    ),
    Layout(
        "lm_fastighetsindelning_shape",
        "Lantmäteriet Fastighetsindelning as Shapefile (10-character column names)",
        "parcels",
        {"objektiden": "parcel_id", "trakt": "trakt", "block": "block", "enhet": "enhet", "fastbeteck": "designation"},
        verified=False,
        note="Assumed: Shapefile truncates column names to 10 characters.",
    ),
    Layout(
        "municipal_fastighetskarta",
        "A municipality's own parcel layer (FNR and FASTBET, as in many primärkartor)",
        "parcels",
        {"fnr": "parcel_id", "fastbet": "designation", "agare": "owner_type", "planstatus": "plan_status"},
        verified=False,
        note="Assumed from common municipal exports; spellings vary per municipality, map what differs.",
    ),
    Layout(
        "sitefinder",
        "This project's canonical layout (the demo data's parcels.gpkg)",
        "parcels",
        {name: name for name in CANONICAL["parcels"] if name not in ("trakt", "block", "enhet")},
        verified=True,
        note="Verified: the demo parcels load with it (tests/layers/test_demo_data.py).",
    ),
    Layout(
        "municipal_lokalregister",
        "A business office's premises register (lokal_id, adress, lokaltyp, yta)",
        "premises",
        {"lokal_id": "premises_id", "adress": "address", "lokaltyp": "premises_type", "yta": "floor_area_m2",
         "ledig": "vacant", "hyra": "asking_rent_sek_m2_year"},
        verified=False,
        note="Assumed: no national premises register exists; municipal spreadsheets differ.",
    ),
    Layout(
        "sitefinder_premises",
        "This project's canonical premises layout (the demo data's premises.gpkg)",
        "premises",
        {name: name for name in CANONICAL["premises"]},
        verified=True,
        note="Verified: the demo premises load with it.",
    ),
)


def norm(name: str) -> str:
    """A column name lower-cased, punctuation as ``_`` (``'Fastighets-Beteckning'`` -> ``'fastighets_beteckning'``)."""
    return re.sub(r"[^0-9a-zåäö]+", "_", str(name).strip().lower()).strip("_")


def suggest_mapping(columns: Iterable[str], kind: LayerKind = "parcels",
                    synonyms: Mapping[str, str] | None = None) -> dict[str, str]:
    """Propose source column -> canonical column for a file's columns.

    Parameters
    ----------
    columns
        The file's column names.
    kind
        ``parcels`` or ``premises``.
    synonyms
        Extra spellings (source -> canonical) tried after the known layouts, e.g. the loaders'
        ``PARCEL_COLUMNS``.

    Returns
    -------
    dict
        Each canonical column at most once; columns already canonical are left out.
    """
    table: dict[str, str] = {}
    for layout in KNOWN_LAYOUTS:
        if layout.kind == kind:
            for src, dst in layout.columns.items():
                table.setdefault(norm(src), dst)
    for src, dst in (synonyms or {}).items():
        table.setdefault(norm(src), dst)
    cols = [str(c) for c in columns if str(c) != "geometry"]
    present = {c for c in cols if c in CANONICAL[kind]}
    out: dict[str, str] = {}
    for col in cols:
        if col in present:
            continue
        target = table.get(norm(col))
        if target and target not in present and target not in out.values():
            out[col] = target
    return out


def parse_mapping(text: str | None, kind: LayerKind = "parcels") -> dict[str, str]:
    """Read ``--map`` text: ``source=canonical`` pairs separated by commas.

    Raises
    ------
    ParameterError
        On a pair without ``=`` or an unknown canonical name.
    """
    out: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise ParameterError(f"column mapping '{pair.strip()}' must be source=canonical, "
                                 f"e.g. FNR=parcel_id,FASTBET=designation")
        src, dst = (p.strip() for p in pair.split("=", 1))
        if dst not in CANONICAL[kind]:
            raise ParameterError(f"column mapping '{pair.strip()}': '{dst}' is not a {kind} column; "
                                 f"choose one of {', '.join(CANONICAL[kind])}")
        out[src] = dst
    return out


def check_mapping(columns: Iterable[str], mapping: Mapping[str, str], kind: LayerKind = "parcels",
                  *, label: str = "the file") -> None:
    """Raise ``SchemaError`` when a mapping names absent columns or leaves a required one unfilled.

    Parameters
    ----------
    columns
        The file's column names.
    mapping
        Source -> canonical, as from the form or ``parse_mapping``.
    kind
        ``parcels`` or ``premises``.
    label
        File name for the message.
    """
    cols = [str(c) for c in columns if str(c) != "geometry"]
    problems = []
    absent = [src for src in mapping if src not in cols]
    if absent:
        problems.append(f"the mapping names columns the file does not have ({', '.join(absent)}); "
                        f"columns found: {', '.join(cols[:20])}")
    dup = {dst for dst in mapping.values() if list(mapping.values()).count(dst) > 1}
    if dup:
        problems.append(f"several columns are mapped to {', '.join(sorted(dup))}; map one column to each")
    have = set(mapping.values()) | set(cols)
    for need in REQUIRED[kind]:
        built = need == "designation" and {"trakt", "block", "enhet"} <= {norm(c) for c in have}
        if need not in have and not built:
            problems.append(f"no column is mapped to '{need}'; choose the file's column for it "
                            f"(e.g. --map YOUR_COLUMN={need})")
    if problems:
        raise SchemaError(f"{label}: " + "; ".join(problems))
