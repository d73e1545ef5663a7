"""Shared vector reader: any supported file in, a validated GeoDataFrame in EPSG:3006 out.

Supported inputs are GeoPackage, GeoJSON, zipped Shapefile and GeoParquet, given as a path or
as a file-like object (an upload). The format is recognised from the file's first bytes, not
from its name, so a mislabelled file gets a message about what it really is.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import re
import tempfile
import time
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from errors import CrsError, DataFormatError, GeometryError, problems_message
from settings import REGION, Region

logger = logging.getLogger(__name__)

Source = str | os.PathLike | BinaryIO
GeometryKind = Literal["polygon", "point", "line", "any"]

_KIND_TYPES: dict[str, set[str]] = {
    "polygon": {"Polygon", "MultiPolygon"},
    "point": {"Point", "MultiPoint"},
    "line": {"LineString", "MultiLineString"},
}
MAX_UNZIPPED_BYTES = 1024 * 2**20
"""Largest total unpacked size of a zipped Shapefile."""
MAX_ZIP_RATIO = 100
"""Largest unpacked / packed size ratio of a zip (Shapefiles pack 2-10 times; bombs 1,000+)."""
SUPPORTED = "GeoPackage (.gpkg), GeoJSON (.geojson), zipped Shapefile (.zip) or GeoParquet (.parquet)"


@dataclass(frozen=True)
class LocalFile:
    """A source materialised on disk, with the name to use in messages."""

    path: Path
    label: str


def source_label(source: Source) -> str:
    """A short human name for a source: the file name of a path or an upload."""
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "uploaded file"))).name


@contextlib.contextmanager
def local_file(source: Source, *, default_suffix: str = "") -> Iterator[LocalFile]:
    """Yield a path for ``source``; file-like objects are spooled to a temporary file."""
    label = source_label(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise DataFormatError(f"{label}: file not found at {path}. Check the path or upload the file again.")
        if path.is_dir():
            raise DataFormatError(f"{label}: is a folder, not a file. Point to the file itself (or zip a Shapefile).")
        yield LocalFile(path, label)
        return
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    suffix = Path(label).suffix or default_suffix
    with tempfile.TemporaryDirectory(prefix="sitefinder-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        yield LocalFile(path, label)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small objects.

    Its repeated full passes would otherwise more than double the time of a county's road graph.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def sniff_format(path: Path) -> str:
    """Recognise a file from its first bytes: gpkg, zip, parquet, pbf, json, xml, tiff, empty or unknown."""
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if b"OSMHeader" in head[:24]:
        return "pbf"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") or text.startswith(b"["):
        return "json"
    if text.startswith(b"<"):
        return "xml"
    if not head:
        return "empty"
    return "unknown"


def read_vector(
    source: Source,
    *,
    layer: str | None = None,
    kind: GeometryKind = "any",
    assume_crs: str | None = None,
    column_map: Mapping[str, str] | None = None,
    region: Region = REGION,
) -> gpd.GeoDataFrame:
    """Read a vector layer, check it, and return it in the working CRS.

    Parameters
    ----------
    source
        Path or file-like object of a GeoPackage, GeoJSON, zipped Shapefile or GeoParquet.
    layer
        Layer name inside a GeoPackage or Shapefile name inside a zip; the only layer if None.
    kind
        Geometry kind required: polygon, point, line or any.
    assume_crs
        CRS to use when the file declares none (e.g. ``"EPSG:3006"``); otherwise that is an error.
    column_map
        Source column name (matched case-insensitively) -> canonical name.

    Returns
    -------
    geopandas.GeoDataFrame
        Features in EPSG:3006 with renamed columns; repaired geometries are listed in
        ``gdf.attrs["warnings"]``.

    Raises
    ------
    DataFormatError
        Not a geodata file, a corrupt zip, an unknown layer or an empty layer.
    CrsError
        No CRS (e.g. a Shapefile without .prj) and no ``assume_crs``.
    GeometryError
        Wrong geometry type, geometries beyond repair, or coordinates far outside Sweden.
    """
    t0 = time.perf_counter()
    with local_file(source) as lf:
        gdf = _read_any(lf, layer=layer)
        label = lf.label if layer is None else f"{lf.label} (layer {layer})"
    if gdf.empty:
        raise DataFormatError(f"{label}: the layer has no features. Export the layer again with its features.")
    src_crs = gdf.crs
    if src_crs is None:
        if assume_crs is None and "missing_prj" in gdf.attrs:
            raise CrsError(
                f"{label}: the Shapefile {gdf.attrs['missing_prj']} has no .prj file, so its coordinate "
                f"system is unknown. Add the .prj to the zip (export again from your GIS), or state the CRS "
                f"(e.g. EPSG:3006) when importing."
            )
        if assume_crs is None:
            raise CrsError(
                f"{label}: the layer has no coordinate reference system. Set it in your GIS "
                f"(e.g. SWEREF 99 TM, EPSG:3006) and export again, or state it when importing."
            )
        gdf = gdf.set_crs(assume_crs)
    gdf = _check_geometries(gdf, label=label, kind=kind)
    gdf = gdf.to_crs(region.crs) if not gdf.crs.equals(region.crs) else gdf
    check_in_extent(gdf.total_bounds, label=label, crs_name=str(src_crs or assume_crs), region=region)
    if column_map:
        gdf = rename_columns(gdf, column_map)
    logger.info(
        "loaded %s: %d rows, CRS %s -> %s, %.0f ms",
        label,
        len(gdf),
        _crs_name(src_crs),
        region.crs,
        (time.perf_counter() - t0) * 1000,
    )
    return gdf


def _crs_name(crs: object) -> str:
    if crs is None:
        return "none"
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else str(crs)


def _read_any(lf: LocalFile, *, layer: str | None) -> gpd.GeoDataFrame:
    fmt = sniff_format(lf.path)
    if fmt == "gpkg":
        return _read_gpkg(lf, layer)
    if fmt == "zip":
        return _read_zipped_shapefile(lf, layer)
    if fmt == "parquet":
        try:
            return gpd.read_parquet(lf.path)
        except (ValueError, OSError) as err:
            raise DataFormatError(
                f"{lf.label}: a Parquet file without readable geometry ({err}). Save it as GeoParquet "
                f"(geopandas to_parquet or GDAL's Parquet driver)."
            ) from err
    if fmt == "json":
        return _read_ogr(lf, None, "GeoJSON")
    what = {"empty": "an empty file", "tiff": "a raster (GeoTIFF)", "xml": "an XML file"}.get(fmt, "not a geodata file")
    raise DataFormatError(f"{lf.label}: {what}. Expected {SUPPORTED}.")


def _read_ogr(lf: LocalFile, layer: str | None, what: str, path: str | None = None) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(path or lf.path, layer=layer)
    except UnicodeDecodeError as err:
        raise DataFormatError(
            f"{lf.label}: its text is not UTF-8 (byte 0x{err.object[err.start]:02x} at position {err.start} is "
            f"not valid UTF-8; a Windows-1252 or Latin-1 file?). Save it again with UTF-8 encoding "
            f"(GeoJSON must be UTF-8; in QGIS: Export > Save Features As > Encoding UTF-8)."
        ) from err
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
        raise DataFormatError(
            f"{lf.label}: could not be read as {what} ({_scrub(err, lf)}). Expected {SUPPORTED}."
        ) from err


def _scrub(err: BaseException, lf: LocalFile) -> str:
    """The error's text without server paths (the temporary copy is named by the user's file name)."""
    text = str(err)
    for path in (f"/vsizip/{lf.path}", str(lf.path), str(lf.path.parent)):
        text = text.replace(path, lf.label)
    return text


def _read_gpkg(lf: LocalFile, layer: str | None) -> gpd.GeoDataFrame:
    try:
        layers = [name for name, geom in pyogrio.list_layers(lf.path) if geom is not None]
    except pyogrio.errors.DataSourceError as err:
        raise DataFormatError(f"{lf.label}: an SQLite file that is not a valid GeoPackage ({err}).") from err
    if not layers:
        raise DataFormatError(f"{lf.label}: the GeoPackage has no layer with geometries.")
    if layer is None:
        if len(layers) > 1:
            raise DataFormatError(f"{lf.label}: holds several layers ({', '.join(layers)}); say which one to use.")
        layer = layers[0]
    elif layer not in layers:
        raise DataFormatError(f"{lf.label}: has no layer '{layer}'. Layers found: {', '.join(layers)}.")
    return _read_ogr(lf, layer, "GeoPackage")


def _read_zipped_shapefile(lf: LocalFile, layer: str | None) -> gpd.GeoDataFrame:
    try:
        with zipfile.ZipFile(lf.path) as zf:
            names = zf.namelist()
            _check_zip_size(zf, lf)
            bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError) as err:
        raise DataFormatError(
            f"{lf.label}: the zip archive is corrupt or truncated ({err}). Zip the files again and re-upload."
        ) from err
    if bad is not None:
        raise DataFormatError(f"{lf.label}: the member {bad} of the zip archive is corrupt. Zip the files again.")
    shps = [n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
    if not shps:
        raise DataFormatError(
            f"{lf.label}: the zip holds no Shapefile (.shp); found {', '.join(names[:6]) or 'nothing'}. "
            f"Zip the .shp with its .shx, .dbf and .prj."
        )
    if layer is not None:
        shps = [n for n in shps if Path(n).stem == layer] or shps
    if len(shps) > 1 and layer is None:
        raise DataFormatError(
            f"{lf.label}: holds several Shapefiles ({', '.join(Path(s).stem for s in shps)}); say which one to use."
        )
    shp = shps[0]
    stem = shp[:-4]
    lower = {n.lower() for n in names}
    missing = [ext for ext in (".shx", ".dbf") if f"{stem}{ext}".lower() not in lower]
    if missing:
        raise DataFormatError(
            f"{lf.label}: the Shapefile {Path(shp).name} lacks {' and '.join(missing)}; zip all its parts together."
        )
    gdf = _read_ogr(lf, None, "a zipped Shapefile", path=f"/vsizip/{lf.path}/{shp}")
    if f"{stem}.prj".lower() not in lower:
        gdf = gdf.set_crs(None, allow_override=True)
        gdf.attrs["missing_prj"] = Path(shp).stem
    return gdf


def _check_zip_size(zf: zipfile.ZipFile, lf: LocalFile) -> None:
    """Refuse a zip whose members would unpack to more than the caps, before unpacking anything.

    The sizes come from the archive's central directory; a member whose stream is longer than
    its declared size fails zipfile's CRC/length check later, so the declared sizes bound the work.
    """
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise DataFormatError(
            f"{lf.label}: the zip would unpack to {total / 2**20:,.0f} MB ({total / packed:,.0f} times its packed "
            f"size); the limits are {MAX_UNZIPPED_BYTES / 2**20:,.0f} MB and {MAX_ZIP_RATIO} times. Zip only the "
            f"Shapefile's parts (.shp, .shx, .dbf, .prj), or convert it to GeoPackage."
        )


def _check_geometries(gdf: gpd.GeoDataFrame, *, label: str, kind: GeometryKind) -> gpd.GeoDataFrame:
    """Drop empty geometries, check the type, repair invalid ones; collect then raise once."""
    problems: list[str] = []
    notes: list[str] = list(gdf.attrs.get("warnings", []))
    geom = gdf.geometry
    missing = geom.isna() | geom.is_empty
    if missing.all():
        raise GeometryError(f"{label}: no feature has a geometry. Export the layer with its geometry column.")
    if missing.any():
        notes.append(f"{int(missing.sum())} features without geometry were skipped")
        gdf = gdf.loc[~missing].copy()
    types = set(gdf.geom_type.unique())
    if kind != "any":
        wrong = types - _KIND_TYPES[kind]
        if wrong:
            problems.append(
                f"found {', '.join(sorted(wrong))} geometries where {kind}s are needed "
                f"(e.g. parcels must be areas, not points). Choose the {kind} layer."
            )
    if problems:
        raise GeometryError(problems_message(label, problems))
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        repaired = shapely.make_valid(gdf.geometry.loc[invalid].to_numpy())
        if kind == "polygon":
            repaired = np.array([_polygonal(g) for g in repaired], dtype=object)
        lost = np.array([g is None or g.is_empty for g in repaired])
        ids = [str(i) for i in gdf.index[invalid]]
        if lost.all() and invalid.all():
            raise GeometryError(
                f"{label}: every geometry is invalid and cannot be repaired. Check the layer in your GIS."
            )
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = gpd.GeoSeries(repaired, index=gdf.index[invalid], crs=gdf.crs)
        notes.append(
            f"{int(invalid.sum())} invalid geometries were repaired (rows {', '.join(ids[:10])}"
            f"{', ...' if len(ids) > 10 else ''})"
        )
        if lost.any():
            gdf = gdf.loc[~gdf.geometry.is_empty & gdf.geometry.notna()].copy()
            notes.append(f"{int(lost.sum())} geometries could not be repaired and were dropped")
    for note in notes:
        logger.warning("%s: %s", label, note)
    gdf.attrs["warnings"] = notes
    return gdf


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Keep only the polygon parts of a repaired geometry."""
    if geom is None:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def check_in_sweden(bounds: np.ndarray | tuple, *, label: str, crs_name: str) -> None:
    """``check_in_extent`` for the default region (kept for callers written for Sweden)."""
    check_in_extent(bounds, label=label, crs_name=crs_name, region=REGION)


def check_in_extent(bounds: np.ndarray | tuple, *, label: str, crs_name: str, region: Region = REGION) -> None:
    """Raise when a layer's bounds in the region's CRS lie outside the region's country.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in ``region.crs``.
    label
        Name of the layer for the message.
    crs_name
        The CRS the data declared, to name in the message.
    region
        Working CRS and country extent (settings ``REGION`` by default).
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    sx0, sy0, sx1, sy1 = region.bounds
    if not np.isfinite([minx, miny, maxx, maxy]).all():
        raise GeometryError(f"{label}: coordinates could not be transformed from {crs_name}; check the CRS.")
    if minx >= sx0 and maxx <= sx1 and miny >= sy0 and maxy <= sy1:
        return
    hint = (
        "The coordinates look like degrees or are far away: is the declared CRS "
        f"({crs_name}) right? Data for {region.name} is usually {region.usual_crs}, longitude before "
        "latitude. For data from another country, set SITEFINDER_REGION (sweden, finland, norway, denmark)."
    )
    raise GeometryError(
        f"{label}: coordinates lie far outside {region.name} (E {minx:,.0f}-{maxx:,.0f}, N {miny:,.0f}-{maxy:,.0f} "
        f"in {region.crs}). {hint}"
    )


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-zåäö]+", "_", name.strip().lower()).strip("_")


def rename_columns(df: pd.DataFrame, column_map: Mapping[str, str]) -> pd.DataFrame:
    """Rename columns by a mapping matched case- and punctuation-insensitively.

    A canonical name already present is kept; the first source column mapped to a canonical
    name wins, so a mapping can list several real-world spellings of one field.
    """
    wanted = {_norm(k): v for k, v in column_map.items()}
    renames: dict[str, str] = {}
    taken = set(df.columns)
    for col in df.columns:
        if col == getattr(df, "_geometry_column_name", None):
            continue
        target = wanted.get(_norm(str(col)))
        if target and target != col and target not in taken and target not in renames.values():
            renames[col] = target
    return df.rename(columns=renames)


def read_table_bytes(source: Source) -> bytes:
    """The raw bytes of a path or file-like source."""
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def as_bytes_io(data: bytes, name: str) -> io.BytesIO:
    """A named in-memory file, the shape of an upload."""
    buf = io.BytesIO(data)
    buf.name = name
    return buf
