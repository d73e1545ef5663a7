"""Exports of scored sites: GeoJSON (RFC 7946), GeoPackage (EPSG:3006) and CSV."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import polars as pl
import pyogrio
import shapely
from pyproj import Transformer

from errors import ParameterError
from settings import DISPLAY_CRS
from sites.safe_text import csv_safe
from texts import has, text

FORMATS = ("geojson", "gpkg", "csv")


def geojson_chunks(gdf: gpd.GeoDataFrame, *, metadata: dict | None = None, precision: int = 7,
                   chunk: int = 5000) -> Iterator[str]:
    """An RFC 7946 FeatureCollection in pieces: WGS84 lon/lat, counter-clockwise exteriors, no ``crs``.

    Written with vectorised shapely calls and polars' JSON writer, so 100,000 parcels with
    all their indicators take about a second; pieces keep memory flat when writing to a file.

    Parameters
    ----------
    gdf
        Features in any CRS.
    metadata
        Written as the foreign member ``"sitefinder"`` of the collection.
    precision
        Decimal places of the coordinates (7 = about 1 cm).
    chunk
        Features per piece.

    Yields
    ------
    str
        Consecutive pieces of the document.
    """
    with ThreadPoolExecutor(1) as pool:  # polars and shapely release the GIL: overlap the two halves
        properties = pool.submit(properties_ndjson, pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
        to_wgs84 = Transformer.from_crs(gdf.crs or DISPLAY_CRS, DISPLAY_CRS, always_xy=True)
        geoms = shapely.orient_polygons(gdf.geometry.to_numpy(), exterior_cw=False)
        geoms = shapely.transform(geoms, lambda xy: np.round(np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])),
                                                             precision))
        geometry_json = shapely.to_geojson(geoms)
        lines = properties.result().splitlines()
    head = {"type": "FeatureCollection"}
    if metadata:
        head["sitefinder"] = metadata
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[\n'
    for start in range(0, len(lines), chunk):
        sep = ",\n" if start else ""
        yield sep + ",\n".join(f'{{"type":"Feature","properties":{p},"geometry":{g}}}' for p, g in
                                zip(lines[start : start + chunk], geometry_json[start : start + chunk], strict=True))
    yield "\n]}\n"


def geojson_text(gdf: gpd.GeoDataFrame, *, metadata: dict | None = None) -> str:
    """The whole GeoJSON document as one string (see ``geojson_chunks``)."""
    with _no_gc():
        return "".join(geojson_chunks(gdf, metadata=metadata))


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: 100,000 new geometry objects trigger many useless passes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def properties_ndjson(props: pd.DataFrame, *, decimals: int = 4) -> str:
    """One JSON object per row (newline-delimited), written by polars' Rust JSON writer.

    Floats are rounded to ``decimals`` places (short numbers are also much faster to write);
    NaN becomes null; dates become ISO strings.
    """
    out = props.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            out[col] = series.round(decimals)
        elif series.dtype == object:
            kind = pd.api.types.infer_dtype(series, skipna=True)
            if kind == "date":
                out[col] = series.map(lambda v: v.isoformat() if isinstance(v, dt.date) else None)
            elif kind not in ("string", "boolean", "empty"):
                out[col] = series.map(lambda v: None if v is None else str(v))
    frame = pl.from_pandas(out, nan_to_null=True)
    return frame.write_ndjson()


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, metadata: dict | None = None) -> None:
    """Write the GeoJSON document to ``path`` (UTF-8), piece by piece."""
    with Path(path).open("w", encoding="utf-8") as fh, _no_gc():
        fh.writelines(geojson_chunks(gdf, metadata=metadata))


def write_gpkg(gdf: gpd.GeoDataFrame, path: Path, *, layer: str = "scored_sites") -> None:
    """Write a GeoPackage layer in the data's own CRS (EPSG:3006)."""
    Path(path).unlink(missing_ok=True)
    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG")


def table_csv(frame: pd.DataFrame) -> str:
    """The one CSV writer of the project.

    Text cells that a spreadsheet would run as a formula (``= + - @``) are neutralised
    (see :mod:`sites.safe_text`); lines end in CRLF as RFC 4180 says, so a line break of either
    kind inside a cell is quoted.
    """
    return csv_safe(pd.DataFrame(frame)).to_csv(index=False, lineterminator="\r\n")


def csv_text(gdf: gpd.GeoDataFrame) -> str:
    """CSV without geometry, with the WGS84 centroid as ``lon``/``lat``."""
    centroids = gdf.geometry.centroid.to_crs(DISPLAY_CRS)
    out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    out["lon"] = centroids.x.round(7).to_numpy()
    out["lat"] = centroids.y.round(7).to_numpy()
    return table_csv(out)


def column_labels(columns: Iterable[str], lang: str) -> dict[str, str]:
    """Human labels of export columns in ``lang`` (catalogue keys ``column.<name>``).

    Columns keep their stable machine names in every file; the labels go into the GeoJSON
    metadata and the app's tables. A column without a catalogue entry is labelled by its name.
    """
    return {c: text(f"column.{c}", lang) if has(f"column.{c}") else c for c in columns}


def write(gdf: gpd.GeoDataFrame, path: Path, fmt: str, *, metadata: dict | None = None) -> None:
    """Write ``gdf`` in ``fmt`` (geojson, gpkg or csv)."""
    if fmt == "geojson":
        write_geojson(gdf, path, metadata=metadata)
    elif fmt == "gpkg":
        write_gpkg(gdf, path)
    elif fmt == "csv":
        Path(path).write_text(csv_text(gdf), encoding="utf-8")
    else:
        raise ParameterError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
