"""Residents on a regular grid: a GeoTIFF, or SCB-style grid cells (CSV, GeoPackage, GeoJSON).

SCB publishes population per 1 km and 250 m cell in SWEREF 99 TM; a cell is identified by its
lower-left corner. Whatever the input, the result is a ``PopulationGrid`` in EPSG:3006 whose
total equals the input's total (cells are moved whole, never resampled).
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from pyproj import Transformer
from rasterio.errors import RasterioIOError

from errors import CrsError, DataFormatError, SchemaError
from layers.reader import Source, check_in_sweden, local_file, read_vector, rename_columns, sniff_format
from settings import DEMO_DIR, WORKING_CRS

logger = logging.getLogger(__name__)

DEMO_POPULATION = DEMO_DIR / "population.tif"

#: SCB and common spellings -> canonical names for grid-cell tables.
CELL_COLUMNS: dict[str, str] = {
    "population": "population",
    "pop": "population",
    "befolkning": "population",
    "beftotalt": "population",
    "totalt": "population",
    "antal": "population",
    "folkmangd": "population",
    "pop_tot": "population",
    "e_ll": "e_ll",
    "e_ll_sweref99tm": "e_ll",
    "x_ll": "e_ll",
    "ruta_x": "e_ll",
    "x": "e_ll",
    "easting": "e_ll",
    "e": "e_ll",  # SCB's 1 km grid CSV: n,e = lower-left corner (../shared/realdata/scb-pop-1km-*)
    "n_ll": "n_ll",
    "n_ll_sweref99tm": "n_ll",
    "y_ll": "n_ll",
    "ruta_y": "n_ll",
    "y": "n_ll",
    "northing": "n_ll",
    "n": "n_ll",
    "cell_id": "cell_id",
    "rutid": "cell_id",
    "ruta": "cell_id",
    "id": "cell_id",
    "rut_id": "cell_id",
}
CELL_SIZES = (1000.0, 500.0, 250.0, 100.0)


@dataclass(frozen=True)
class PopulationGrid:
    """Residents per cell on a north-up grid in EPSG:3006.

    Attributes
    ----------
    values
        2-D float array, row 0 at the top (north); 0 where nobody lives.
    transform
        Affine transform of the top-left corner and cell size (metres).
    """

    values: np.ndarray
    transform: Affine

    @property
    def cell_size(self) -> float:
        """Cell width in metres."""
        return float(self.transform.a)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` in EPSG:3006."""
        rows, cols = self.values.shape
        x0, y0 = self.transform.c, self.transform.f
        return (x0, y0 - rows * self.cell_size, x0 + cols * self.cell_size, y0)

    def total(self) -> float:
        """Total residents."""
        return float(self.values.sum())

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``x, y, residents`` of every populated cell centre."""
        rows, cols = np.nonzero(self.values > 0)
        x = self.transform.c + (cols + 0.5) * self.cell_size
        y = self.transform.f - (rows + 0.5) * self.cell_size
        return x, y, self.values[rows, cols].astype("float64")

    def to_points(self) -> gpd.GeoDataFrame:
        """Populated cell centres as points with a ``population`` column."""
        x, y, pop = self.cell_centres()
        return gpd.GeoDataFrame({"population": pop}, geometry=gpd.points_from_xy(x, y), crs=WORKING_CRS)


def load_population(
    source: Source = DEMO_POPULATION,
    *,
    band: int = 1,
    column_map: Mapping[str, str] | None = None,
    cell_size: float | None = None,
) -> PopulationGrid:
    """Load residents per cell from a GeoTIFF or from SCB-style grid cells.

    Parameters
    ----------
    source
        GeoTIFF, CSV of cells (lower-left corner or cell id + population), or polygons of cells
        (GeoPackage, GeoJSON, zipped Shapefile, GeoParquet).
    band
        Raster band holding residents.
    column_map
        Extra column names for cell tables (source -> canonical ``population``/``e_ll``/``n_ll``/``cell_id``).
    cell_size
        Cell size in metres for cell tables; inferred (1000, 500, 250 or 100) if None.

    Returns
    -------
    PopulationGrid
        In EPSG:3006; its total equals the source's total.
    """
    t0 = time.perf_counter()
    with local_file(source) as lf:
        fmt = sniff_format(lf.path)
        if fmt == "tiff":
            grid = _from_raster(lf.path, lf.label, band)
        elif fmt in ("gpkg", "zip", "parquet", "json"):
            cells = read_vector(lf.path, kind="polygon")
            grid = _from_cell_polygons(cells, lf.label, cell_size)
        elif fmt == "unknown":
            grid = _from_table(lf.path.read_bytes(), lf.label, {**CELL_COLUMNS, **(column_map or {})}, cell_size)
        else:
            raise DataFormatError(
                f"{lf.label}: not population data. Expected a GeoTIFF or SCB grid cells "
                f"(CSV with lower-left corner and population, or cell polygons)."
            )
    logger.info(
        "loaded %s: %d x %d cells of %.0f m, %.0f residents, CRS -> %s, %.0f ms",
        lf.label,
        *grid.values.shape,
        grid.cell_size,
        grid.total(),
        WORKING_CRS,
        (time.perf_counter() - t0) * 1000,
    )
    return grid


def _from_raster(path: object, label: str, band: int) -> PopulationGrid:
    try:
        src = rasterio.open(path)
    except RasterioIOError as err:
        raise DataFormatError(f"{label}: the GeoTIFF cannot be read ({err}). Export it again.") from err
    with src:
        if src.crs is None:
            raise CrsError(
                f"{label}: the raster has no coordinate reference system. Assign one in your GIS "
                f"(e.g. EPSG:3006 for SCB grids) and export again."
            )
        if not 1 <= band <= src.count:
            raise DataFormatError(f"{label}: has {src.count} band(s); band {band} does not exist.")
        values = src.read(band, masked=True).astype("float64").filled(0.0)
        values[~np.isfinite(values) | (values < 0)] = 0.0
        transform, crs = src.transform, src.crs
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        raise DataFormatError(f"{label}: the raster is rotated or not north-up; warp it to a north-up grid first.")
    if crs.to_epsg() == 3006:
        grid = PopulationGrid(values, transform)
        check_in_sweden(grid.bounds, label=label, crs_name="EPSG:3006")
        return grid
    rows, cols = np.nonzero(values)
    xs, ys = rasterio.transform.xy(transform, rows, cols)
    x, y = Transformer.from_crs(crs, WORKING_CRS, always_xy=True).transform(np.asarray(xs), np.asarray(ys))
    size = abs(transform.a) if crs.is_projected else 250.0
    size = min(CELL_SIZES, key=lambda c: abs(c - size))
    return cells_to_grid(np.floor(x / size) * size, np.floor(y / size) * size, values[rows, cols], size, label=label)


def _from_cell_polygons(cells: gpd.GeoDataFrame, label: str, cell_size: float | None) -> PopulationGrid:
    cells = rename_columns(cells, CELL_COLUMNS)
    if "population" not in cells.columns:
        raise SchemaError(
            f"{label}: no population column (population, befolkning, beftotalt ...); columns "
            f"found: {', '.join(map(str, cells.columns[:12]))}."
        )
    width = float(np.median(cells.geometry.bounds["maxx"] - cells.geometry.bounds["minx"]))
    size = cell_size or min(CELL_SIZES, key=lambda c: abs(c - width))
    c = cells.geometry.centroid
    return cells_to_grid(
        np.floor(c.x.to_numpy() / size) * size,
        np.floor(c.y.to_numpy() / size) * size,
        _population(cells["population"], label),
        size,
        label=label,
    )


def _from_table(data: bytes, label: str, mapping: Mapping[str, str], cell_size: float | None) -> PopulationGrid:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.splitlines()[0] if text else ""
    if not first or not re.search(r"[;,\t]", first):
        raise DataFormatError(
            f"{label}: not a geodata file or a CSV table of grid cells. Expected a GeoTIFF, "
            f"cell polygons, or a CSV with a cell id or lower-left corner and population."
        )
    sep = max((";", ",", "\t"), key=first.count)
    df = rename_columns(pd.read_csv(io.StringIO(text), sep=sep, dtype=str), mapping)
    if "population" not in df.columns:
        raise SchemaError(
            f"{label}: no population column (population, befolkning, beftotalt ...); columns "
            f"found: {', '.join(map(str, df.columns[:12]))}. Map it with column_map."
        )
    if {"e_ll", "n_ll"} <= set(df.columns):
        e = pd.to_numeric(df["e_ll"], errors="coerce").to_numpy()
        n = pd.to_numeric(df["n_ll"], errors="coerce").to_numpy()
    elif "cell_id" in df.columns:
        e, n = parse_cell_ids(df["cell_id"], label=label)
    else:
        raise SchemaError(
            f"{label}: cells need a lower-left corner (e_ll, n_ll) or a cell id (cell_id, rutid); "
            f"columns found: {', '.join(map(str, df.columns[:12]))}."
        )
    if np.isnan(e).any() or np.isnan(n).any():
        raise SchemaError(f"{label}: some cells have no readable corner coordinates.")
    size = cell_size or infer_cell_size(e, n)
    return cells_to_grid(e, n, _population(df["population"], label), size, label=label)


def _population(values: pd.Series, label: str) -> np.ndarray:
    pop = pd.to_numeric(values.astype("string").str.replace(" ", "").str.replace(",", "."), errors="coerce")
    if pop.isna().any():
        raise SchemaError(f"{label}: population values that are not numbers (e.g. {values[pop.isna()].iloc[0]!r}).")
    if (pop < 0).any():
        raise SchemaError(f"{label}: negative population in {int((pop < 0).sum())} cells.")
    return pop.to_numpy(dtype="float64")


def parse_cell_ids(ids: pd.Series, *, label: str = "cells") -> tuple[np.ndarray, np.ndarray]:
    """Lower-left ``E, N`` from cell ids such as ``659000_6569000`` or SCB's 13-digit ``6590006569000``."""
    text = ids.astype("string").str.strip()
    pair = text.str.extract(r"^(\d+)\D+(\d+)$").astype("float64")
    joined = text.str.extract(r"^(\d{6})(\d{7})$").astype("float64")
    a = pair[0].fillna(joined[0]).to_numpy()
    b = pair[1].fillna(joined[1]).to_numpy()
    if np.isnan(a).any():
        bad = text[np.isnan(a)].iloc[0]
        raise SchemaError(f"{label}: cell id {bad!r} is not 'E_N' or a 13-digit SCB id (6-digit E, 7-digit N).")
    e, n = np.where(a < b, a, b), np.where(a < b, b, a)  # SWEREF 99 TM: N (7 digits) > E (6 digits)
    return e, n


def infer_cell_size(e: np.ndarray, n: np.ndarray) -> float:
    """The largest standard cell size that every corner is a multiple of."""
    for size in CELL_SIZES:
        if np.all(np.mod(e, size) == 0) and np.all(np.mod(n, size) == 0):
            return size
    raise SchemaError("cells: corner coordinates are not on a 100, 250, 500 or 1000 m grid; state the cell size.")


def cells_to_grid(
    e_ll: np.ndarray, n_ll: np.ndarray, population: np.ndarray, cell_size: float, *, label: str = "cells"
) -> PopulationGrid:
    """Burn cells given by their lower-left corners into a grid, summing duplicates.

    Parameters
    ----------
    e_ll, n_ll
        Lower-left corners in EPSG:3006, multiples of ``cell_size``.
    population
        Residents per cell.
    cell_size
        Cell size in metres.
    label
        Source name for messages.

    Returns
    -------
    PopulationGrid
        The smallest grid holding every cell; total equals ``population.sum()``.
    """
    e_ll, n_ll = np.asarray(e_ll, dtype="float64"), np.asarray(n_ll, dtype="float64")
    if len(e_ll) == 0:
        raise DataFormatError(f"{label}: no cells.")
    check_in_sweden(
        (e_ll.min(), n_ll.min(), e_ll.max() + cell_size, n_ll.max() + cell_size), label=label, crs_name="EPSG:3006"
    )
    left, top = e_ll.min(), n_ll.max() + cell_size
    cols = np.rint((e_ll - left) / cell_size).astype(int)
    rows = np.rint((top - cell_size - n_ll) / cell_size).astype(int)
    values = np.zeros((rows.max() + 1, cols.max() + 1))
    np.add.at(values, (rows, cols), np.asarray(population, dtype="float64"))
    return PopulationGrid(values, Affine(cell_size, 0, left, 0, -cell_size, top))
