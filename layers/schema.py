"""Canonical schemas: coerce mapped columns to their types, fill defaults, collect problems.

Each layer module declares its fields once (name, kind, default, allowed values); ``conform``
applies them to any source after column renaming and raises one ``SchemaError`` listing every
problem it found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from errors import SchemaError, problems_message
from layers.reader import GeometryKind, Source, read_vector, rename_columns, source_label

Kind = Literal["str", "float", "int", "bool", "date"]

_TRUE = {"1", "true", "yes", "ja", "y", "j", "t", "sant"}
_FALSE = {"0", "false", "no", "nej", "n", "f", "falskt", ""}


@dataclass(frozen=True)
class Field:
    """One canonical column.

    Parameters
    ----------
    name
        Canonical snake_case name with its unit (``floor_area_m2``).
    kind
        Value kind the column is coerced to.
    required
        Whether a source must provide it (no default is then used).
    default
        Value used when the source lacks the column.
    allowed
        Allowed values after ``normalise`` (strings only).
    normalise
        Maps source spellings (lower-cased) to canonical values, e.g. ``{"kommun": "municipal"}``.
    minimum, maximum
        Inclusive numeric range.
    """

    name: str
    kind: Kind = "str"
    required: bool = False
    default: Any = None
    allowed: Sequence[str] | None = None
    normalise: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None


def conform(
    df: pd.DataFrame,
    fields: Sequence[Field],
    *,
    label: str,
    extra_checks: Sequence[Callable[[pd.DataFrame], list[str]]] = (),
) -> pd.DataFrame:
    """Return ``df`` with every field present and typed; raise once listing all problems.

    Parameters
    ----------
    df
        Data with canonical column names (after ``rename_columns``).
    fields
        The schema.
    label
        Source name for messages.
    extra_checks
        Functions returning further problems of the conformed frame.

    Returns
    -------
    pandas.DataFrame
        A copy with canonical columns first, in schema order, and the source's other columns after.
    """
    out = df.copy()
    problems: list[str] = []
    for f in fields:
        if f.name not in out.columns:
            if f.required:
                problems.append(f"required column '{f.name}' is missing (columns found: {_cols(df)})")
                continue
            out[f.name] = f.default
        problems += _coerce(out, f)
    if not problems:
        for check in extra_checks:
            problems += check(out)
    if problems:
        raise SchemaError(problems_message(label, problems))
    names = [f.name for f in fields]
    rest = [c for c in out.columns if c not in names]
    return out[names + rest]


def _cols(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns if c != "geometry"]
    return ", ".join(cols[:15]) + (", ..." if len(cols) > 15 else "")


def _rows(mask: pd.Series) -> str:
    idx = [str(i) for i in mask[mask].index[:5]]
    return ", ".join(idx) + (", ..." if int(mask.sum()) > 5 else "")


def _coerce(out: pd.DataFrame, f: Field) -> list[str]:
    col = out[f.name]
    problems: list[str] = []
    if f.kind in ("float", "int"):
        num = pd.to_numeric(
            col.astype("string").str.replace(",", ".", regex=False).str.replace(" ", "", regex=False)
            if col.dtype == object or pd.api.types.is_string_dtype(col)
            else col,
            errors="coerce",
        )
        bad = num.isna() & col.notna() & (col.astype("string").str.strip() != "")
        if bad.any():
            problems.append(
                f"column '{f.name}' has values that are not numbers in rows {_rows(bad)} (e.g. {col[bad].iloc[0]!r})"
            )
        if f.default is not None:
            num = num.fillna(f.default)
        if f.minimum is not None and (num < f.minimum).any():
            problems.append(f"column '{f.name}' has values below {f.minimum} in rows {_rows(num < f.minimum)}")
        if f.maximum is not None and (num > f.maximum).any():
            problems.append(f"column '{f.name}' has values above {f.maximum} in rows {_rows(num > f.maximum)}")
        out[f.name] = num.astype("float64") if f.kind == "float" or num.isna().any() else num.astype("int64")
    elif f.kind == "bool":
        text = col.astype("string").str.strip().str.lower().fillna("")
        unknown = ~text.isin(_TRUE | _FALSE) & ~col.isin([True, False])
        if unknown.any():
            problems.append(
                f"column '{f.name}' must be yes/no (ja/nej, true/false, 1/0); rows {_rows(unknown)} "
                f"hold e.g. {col[unknown].iloc[0]!r}"
            )
        out[f.name] = text.isin(_TRUE).astype(bool)
    elif f.kind == "date":
        dates = pd.to_datetime(col, errors="coerce")
        bad = dates.isna() & col.notna() & (col.astype("string").str.strip() != "")
        if bad.any():
            problems.append(f"column '{f.name}' has values that are not dates (YYYY-MM-DD) in rows {_rows(bad)}")
        out[f.name] = dates.dt.date.astype(object).where(dates.notna(), None)
    else:
        text = col.astype("string").str.strip()
        if f.normalise:
            table = {k.lower(): v for k, v in f.normalise.items()}
            text = text.map(lambda v: table.get(v.lower(), v) if isinstance(v, str) else v).astype("string")
        text = text.where(text != "", pd.NA)
        if f.default is not None:
            text = text.fillna(f.default)
        if f.allowed is not None:
            bad = text.notna() & ~text.isin(list(f.allowed))
            if bad.any():
                found = sorted(set(text[bad].dropna().astype(str)))[:6]
                problems.append(f"column '{f.name}' has unknown values {found}; allowed: {', '.join(f.allowed)}")
        out[f.name] = text.astype(object).where(text.notna(), None)
    return problems


def unique_ids(column: str) -> Callable[[pd.DataFrame], list[str]]:
    """A check that ``column`` holds no duplicates and no blanks."""

    def check(df: pd.DataFrame) -> list[str]:
        ids = df[column]
        problems = []
        if ids.isna().any():
            problems.append(f"column '{column}' is empty in rows {_rows(ids.isna())}")
        dup = ids.duplicated(keep=False) & ids.notna()
        if dup.any():
            problems.append(f"column '{column}' must be unique; repeated: {sorted(set(ids[dup].astype(str)))[:5]}")
        return problems

    return check


def load_layer(
    source: Source,
    *,
    layer: str | None,
    kind: GeometryKind,
    columns: Mapping[str, str],
    fields: Sequence[Field],
    column_map: Mapping[str, str] | None = None,
    assume_crs: str | None = None,
    extra_checks: Sequence[Callable[[pd.DataFrame], list[str]]] = (),
) -> gpd.GeoDataFrame:
    """Read, rename (``columns`` then ``column_map``), conform to ``fields`` and return EPSG:3006.

    The common path of every vector layer; layer modules add only what is special to them.
    """
    gdf = read_vector(source, layer=layer, kind=kind, assume_crs=assume_crs)
    gdf = rename_columns(gdf, {**columns, **(column_map or {})})
    label = source_label(source) + (f" (layer {layer})" if layer else "")
    out = conform(gdf, fields, label=label, extra_checks=extra_checks)
    result = gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs).reset_index(drop=True)
    result.attrs["warnings"] = gdf.attrs.get("warnings", [])
    return result
