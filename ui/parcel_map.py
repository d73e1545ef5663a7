"""The parcel map: every parcel from vector tiles, coloured in the browser (a Streamlit component).

Why a custom component rather than ``st_folium``: the component's iframe survives reruns and
receives new arguments, so a weight change sends one float32 per parcel (~0.53 MB base64 at
100,000 parcels) and the browser recolours the tiles it already has; the map keeps its view.
With ``st_folium`` a changed map is new HTML (the frame is rebuilt), and a feature group swapped
with ``feature_group_to_add`` still carries every parcel's geometry and style; clicks on a
VectorGrid layer are not reported by ``st_folium`` at all (it reports GeoJSON layers only).

Tiles and ``labels.json`` are written by ``sites.tiles.ensure_tiles`` under ``static/tiles/``
and served by Streamlit's static file serving (``enableStaticServing``) at ``app/static/tiles``;
Leaflet and Leaflet.VectorGrid come from ``static/vendor``. Nothing is loaded from outside the app
unless a ``basemap_url`` is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import streamlit as st
import streamlit.components.v1 as components

from settings import ROOT
from sites.tiles import TileSet, encode_scores
from ui.colours import EXCLUDED, viridis

#: Where tile sets are written: the app's static folder, served at ``app/static/tiles``.
TILES_DIR = ROOT / "static" / "tiles"
#: The score palette sent to the browser: viridis at every whole score 0..100.
PALETTE = tuple(viridis(np.arange(101, dtype="float64")))

_component = components.declare_component("parcel_map", path=str(Path(__file__).parent / "parcel_map_frontend"))


@dataclass(frozen=True)
class MapClick:
    """The last parcel clicked on the map.

    Attributes
    ----------
    parcel_id
        Its id (looked up in Python from the tile index, not trusted from the browser).
    index
        Its position in the parcel table.
    clicks
        Count of clicks in this map so far: a new value means a new click.
    """

    parcel_id: str
    index: int
    clicks: int


def tile_urls(tiles: TileSet, static_dir: Path = ROOT / "static") -> tuple[str, str]:
    """URLs of the tiles and labels relative to the component frame (``../../app/static/...``)."""
    rel = tiles.directory.resolve().relative_to(Path(static_dir).resolve()).as_posix()
    base = f"../../app/static/{rel}"
    return f"{base}/{{z}}/{{x}}/{{y}}.pbf", f"{base}/labels.json"


def click_from_value(value: object, parcel_ids: Sequence[str]) -> MapClick | None:
    """The click the browser reported, or None when it is missing or malformed (never trusted)."""
    if not isinstance(value, Mapping):
        return None
    index, clicks = value.get("index"), value.get("clicks")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(parcel_ids):
        return None
    if not isinstance(clicks, int) or isinstance(clicks, bool):
        return None
    ids = parcel_ids.to_numpy() if hasattr(parcel_ids, "to_numpy") else parcel_ids
    return MapClick(str(ids[index]), index, clicks)


def scores_version(scores: np.ndarray) -> str:
    """The short digest of a score array that the map reports back once it shows those scores."""
    return hashlib.sha1(np.ascontiguousarray(scores, dtype="float32").tobytes()).hexdigest()[:16]


def painted_version(value: object) -> str | None:
    """The scores version the map reports it has painted, or None (never trusted beyond its shape)."""
    if not isinstance(value, Mapping):
        return None
    version = value.get("painted")
    return version if isinstance(version, str) and len(version) == 16 and version.isalnum() else None


def _clicked(key: str, parcel_ids: Sequence[str], on_click: Callable[[MapClick], None]) -> None:
    click = click_from_value(st.session_state.get(key), parcel_ids)
    if click is not None:
        on_click(click)


def overlay_from_frame(frame: gpd.GeoDataFrame, *, name: str, style: Mapping[str, object],
                       tooltip: str | None = None, tolerance_m: float = 0.0) -> dict:
    """An overlay for ``parcel_map``: geometry simplified in metres, WGS84, only the tooltip column.

    Parameters
    ----------
    frame
        Lines, points or polygons in a projected CRS (EPSG:3006).
    name
        Layer name.
    style
        Leaflet path options (``color``, ``weight``, ``fillColor``, ``radius`` for points ...).
    tooltip
        Column shown on hover (as text), or None.
    tolerance_m
        Douglas-Peucker tolerance in metres (0 = as is); 5-20 m keeps roads readable at zoom 12-16.
    """
    geoms = frame.geometry.simplify(tolerance_m, preserve_topology=True) if tolerance_m > 0 else frame.geometry
    cols = {tooltip: frame[tooltip].astype(str).to_numpy()} if tooltip else {}
    out = gpd.GeoDataFrame(cols, geometry=geoms.to_numpy(), crs=frame.crs).to_crs(4326)
    # Six decimals (~0.1 m) are plenty on a map and halve the bytes sent with every rerun.
    # Pointwise: coordinates rounded one by one, no topology rebuilt (a simplified land-use polygon can be
    # invalid, and rebuilding it failed with a GEOS TopologyException).
    out = out.set_geometry(shapely.set_precision(out.geometry.to_numpy(), 1e-6, mode="pointwise"))
    overlay = {"name": name, "data": json.loads(out.to_json(drop_id=True)), "style": dict(style), "tooltip": tooltip}
    overlay["version"] = overlay_version(overlay)
    return overlay


def overlay_version(overlay: Mapping) -> str:
    """A short digest of an overlay's content (stored in the overlay so reruns need not re-hash it)."""
    if "version" in overlay:
        return str(overlay["version"])
    return hashlib.sha1(json.dumps(overlay, sort_keys=True, default=str).encode()).hexdigest()[:16]


#: Most overlay files kept under ``static/tiles/overlays`` (oldest removed first; isochrones add one per site).
MAX_OVERLAY_FILES = 256


def overlays_url(overlays: Sequence[Mapping], static_dir: Path = ROOT / "static") -> str:
    """Write the overlays once as a JSON file named by their content; its URL relative to the map frame.

    The map fetches the file when the URL changes, so a rerun (a weight change) sends its URL and
    not the ~0.3 MB of roads, lines and stations again. Names are SHA-1 digests of the content, as
    unguessable as the tile folders; at most :data:`MAX_OVERLAY_FILES` are kept.
    """
    folder = Path(static_dir) / "tiles" / "overlays"
    version = hashlib.sha1("|".join(overlay_version(o) for o in overlays).encode()).hexdigest()[:20]
    path = folder / f"{version}.json"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        tmp.write_text(json.dumps([dict(o) for o in overlays], separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
        for stale in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-MAX_OVERLAY_FILES]:
            stale.unlink(missing_ok=True)
    return f"../../app/static/{path.relative_to(Path(static_dir)).as_posix()}"


def parcel_map(tiles: TileSet, scores: np.ndarray, parcel_ids: Sequence[str], *, selected: Sequence[int] = (),
               saved: Sequence[int] = (), overlays: Sequence[Mapping] = (), legend: Mapping | None = None,
               texts: Mapping[str, str] | None = None, locale: str = "sv-SE", height: int = 640,
               center: tuple[float, float] | None = None, zoom: int | None = None,
               basemap_url: str | None = None, basemap_attribution: str = "", static_dir: Path = ROOT / "static",
               key: str = "parcel_map", on_click: Callable[[MapClick], None] | None = None,
               report_painted: bool = False) -> MapClick | None:
    """Draw the parcel map and return the last clicked parcel.

    Parameters
    ----------
    tiles
        From ``sites.tiles.ensure_tiles(parcels, TILES_DIR, checksum=...)``.
    scores
        ``sites.tiles.score_array(...)``: one float per parcel in table order (0..100, NaN
        excluded, -1 outside the filters).
    parcel_ids
        Parcel ids in table order (to turn a clicked index into an id).
    selected, saved
        Table positions to outline (``sites.tiles.positions(parcels["parcel_id"], ids)``).
    overlays
        Other layers: ``{"name", "data": GeoJSON FeatureCollection (WGS84), "style": Leaflet path
        options (+ ``radius`` for points), "tooltip": property shown on hover (optional)}``.
    legend
        ``{"title", "low", "high", "items": [{"label", "colour", "outline"}]}`` or None.
    texts
        Hover words: ``score``, ``rank``, ``excluded``, ``filtered``.
    locale
        Number format of the hover (BCP 47, e.g. ``sv-SE``).
    height
        Map height in pixels.
    center, zoom
        Initial view (latitude, longitude); the tile set's bounds when None.
    basemap_url, basemap_attribution
        Optional XYZ basemap (the only thing that may come from outside the app).
    static_dir
        The folder Streamlit serves at ``app/static`` (holds ``tiles.directory``).
    key
        Streamlit element key; keep it stable so the map frame persists.
    on_click
        Called with the new click before the script reruns (so the rerun already shows its
        result, with no second rerun).
    report_painted
        Ask the browser to report which scores it shows once they are on screen (``painted_version``
        of the value): when the first tiles are drawn (or 2.5 s have passed without any), then after
        each repaint with scores not reported yet. The value changes, so the script reruns; a page
        draws what can wait for the map in that rerun.

    Returns
    -------
    MapClick or None
        The last click in this map (compare ``clicks`` with the last one handled).
    """
    scores = np.asarray(scores, dtype="float32")
    if len(scores) != tiles.features:
        raise ValueError(f"{len(scores)} scores for {tiles.features} tiled parcels; pass one per parcel")
    encoded = encode_scores(scores)
    tiles_url, labels_url = tile_urls(tiles, static_dir)
    value = _component(
        tiles_url=tiles_url, labels_url=labels_url, bounds=list(tiles.bounds), min_zoom=tiles.min_zoom,
        max_zoom=tiles.max_zoom, scores=encoded, scores_version=scores_version(scores),
        palette=list(PALETTE), excluded_colour=EXCLUDED, selected=[int(i) for i in selected],
        saved=[int(i) for i in saved], overlays_url=overlays_url(overlays, static_dir), legend=legend,
        texts=dict(texts or {}), locale=locale, height=int(height), center=list(center) if center else None,
        zoom=zoom, basemap_url=basemap_url, basemap_attribution=basemap_attribution,
        report_painted=bool(report_painted), key=key, default=None,
        on_change=None if on_click is None else lambda: _clicked(key, parcel_ids, on_click))
    return click_from_value(value, parcel_ids)
