"""Build the folium map from prepared layers (a pure function: same inputs, same map)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
from branca.element import MacroElement
from folium.plugins import Draw, MarkerCluster
from jinja2 import Template
from PIL import Image

from sites.isochrones import ISOCHRONE_COLOURS
from sites.safe_text import html_text
from ui.assets import localise
from ui.colours import EXCLUDED, POPULATION, legend_gradient, population_gradient

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
LAND_USE_COLOURS = {
    "Stadsbygd": "#d95f02", "Landsbygd": "#e6ab02", "Verksamheter": "#7570b3",
    "Transporter och infrastruktur": "#666666", "Grönstruktur": "#1b9e77", "Vatten": "#377eb8",
}
ROAD_STYLE = {"motorway": ("#e8590c", 4.0), "main": ("#f08c00", 2.5), "street": ("#adb5bd", 1.0)}
LINE_COLOURS = {"metro": "#d7191c", "rail": "#2b83ba", "bus": "#7b3294"}


@dataclass(frozen=True)
class MapLayers:
    """Everything the map shows, already in WGS84.

    Attributes
    ----------
    parcels
        Polygons with ``parcel_id``, ``colour`` and ``tooltip`` (plain text).
    premises, stations, bus_stops, junctions
        Points with a ``label`` column (plain text; line breaks allowed).

    Every text is plain: the builder escapes it (:func:`sites.safe_text.html_text`) where it
    becomes HTML, so a name like ``<img onerror=...>`` shows as text.
    transit_lines
        Lines with ``label`` and ``mode``.
    land_use, change_areas, constraints
        Polygons with ``category``/``name``/``kind``.
    population
        ``(png_data_url, [[south, west], [north, east]])`` or None.
    """

    parcels: gpd.GeoDataFrame
    premises: gpd.GeoDataFrame | None = None
    stations: gpd.GeoDataFrame | None = None
    bus_stops: gpd.GeoDataFrame | None = None
    junctions: gpd.GeoDataFrame | None = None
    transit_lines: gpd.GeoDataFrame | None = None
    land_use: gpd.GeoDataFrame | None = None
    change_areas: gpd.GeoDataFrame | None = None
    constraints: gpd.GeoDataFrame | None = None
    population: tuple[str, list[list[float]]] | None = None
    selected: gpd.GeoDataFrame | None = None
    score_grid: gpd.GeoDataFrame | None = None
    registry_sites: gpd.GeoDataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    visible: Mapping[str, bool] = field(default_factory=dict)


def build_map(layers: MapLayers, *, center: tuple[float, float], zoom: int, basemap: bool = True,
              legend_title: str = "Score", excluded_label: str = "excluded", drawing: bool = False,
              labels: Mapping[str, str] | None = None) -> folium.Map:
    """A Leaflet map of the layers, with every asset served from the app.

    Parameters
    ----------
    layers
        Prepared layers.
    center
        (lat, lon).
    zoom
        Leaflet zoom level.
    basemap
        Show OpenStreetMap tiles (the project layers show without them, e.g. offline).
    legend_title, excluded_label
        Legend texts in the user's language.
    labels
        Legend texts of the other layers and symbols (keys as in :data:`LEGEND_KEYS`); English
        fallbacks where missing.

    Returns
    -------
    folium.Map
    """
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True)
    text = {**LEGEND_FALLBACK, **dict(labels or {})}
    if basemap:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19).add_to(m)
    show = dict(layers.visible)
    if layers.roads is not None and len(layers.roads):
        roads = folium.FeatureGroup(name=html_text(text["roads"]), control=True)
        for cls in ("street", "main", "motorway"):
            part = layers.roads[layers.roads["road_class"] == cls]
            if len(part):
                colour, weight = ROAD_STYLE[cls]
                folium.GeoJson(_escaped(part, ["name"]), name=cls, interactive=False,
                               style_function=lambda f, c=colour, w=weight: {"color": c, "weight": w,
                                                                             "opacity": 0.9}).add_to(roads)
        roads.add_to(m)
    if layers.population is not None and show.get("population", False):
        url, bounds = layers.population
        folium.raster_layers.ImageOverlay(url, bounds=bounds, opacity=0.55, name="population").add_to(m)
    if layers.land_use is not None and show.get("land_use", False):
        folium.GeoJson(_escaped(layers.land_use, ["category"]), name="land_use",
                       style_function=lambda f: {"fillColor": LAND_USE_COLOURS.get(f["properties"]["category"], "#999"),
                                                 "color": "#555", "weight": 0.5, "fillOpacity": 0.25},
                       tooltip=folium.GeoJsonTooltip(["category"], labels=False)).add_to(m)
    if layers.constraints is not None and show.get("constraints", False):
        folium.GeoJson(_escaped(layers.constraints, ["kind", "name"]), name="constraints",
                       style_function=lambda f: {"color": "#b2182b", "weight": 1, "fillColor": "#b2182b",
                                                 "fillOpacity": 0.18, "dashArray": "4 3"},
                       tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    if layers.change_areas is not None and show.get("change_areas", False):
        folium.GeoJson(_escaped(layers.change_areas, ["name"]), name="change_areas",
                       style_function=lambda f: {"color": "#e7298a", "weight": 2, "fill": False, "dashArray": "8 4"},
                       tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    if layers.registry_sites is not None and len(layers.registry_sites):
        folium.GeoJson(_escaped(layers.registry_sites, ["label"]), name="registry",
                       style_function=lambda f: {"color": "#e66101", "weight": 3, "fill": False, "dashArray": "2 4"},
                       tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(m)
    if layers.transit_lines is not None and show.get("transit", True):
        for row in layers.transit_lines.itertuples():
            colour = LINE_COLOURS.get(row.mode, "#555")
            folium.PolyLine([(y, x) for x, y in row.geometry.coords], color=colour,
                            weight=3 if row.mode != "bus" else 1.5, opacity=0.7, tooltip=html_text(row.label)).add_to(m)
    if layers.stations is not None and show.get("transit", True):
        for row in layers.stations.itertuples():
            folium.CircleMarker((row.geometry.y, row.geometry.x), radius=6, color="#000", weight=1.5,
                                fill=True, fill_color="#ffffff", fill_opacity=1, tooltip=html_text(row.label)).add_to(m)
    if layers.bus_stops is not None and show.get("bus_stops", False):
        for row in layers.bus_stops.itertuples():
            folium.CircleMarker((row.geometry.y, row.geometry.x), radius=3, color="#7b3294", fill=True,
                                fill_opacity=1, tooltip=html_text(row.label)).add_to(m)
    if layers.junctions is not None and show.get("junctions", True):
        for row in layers.junctions.itertuples():
            folium.CircleMarker((row.geometry.y, row.geometry.x), radius=8, color="#000", fill=True,
                                fill_color="#ffd700", fill_opacity=1, weight=2, tooltip=html_text(row.label)).add_to(m)
    if layers.premises is not None and show.get("premises", False):
        cluster = MarkerCluster(name="premises").add_to(m)
        for row in layers.premises.itertuples():
            popup = folium.Popup(html_text(row.label), max_width=260)
            folium.CircleMarker((row.geometry.y, row.geometry.x), radius=5, color="#08519c", fill=True,
                                fill_opacity=0.9, popup=popup).add_to(cluster)
    if drawing:
        Draw(export=False, position="topleft", draw_options={"polyline": False, "circle": False, "marker": False,
                                                             "circlemarker": False, "rectangle": True,
                                                             "polygon": True}).add_to(m)
    legend = _legend_html(legend_title, excluded_label, _legend_rows(layers, show, text))
    m.add_child(_Legend(legend))
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    return localise(m)


def score_layer(layers: MapLayers) -> folium.FeatureGroup:
    """The layers that change with the score or the selection, as one feature group.

    streamlit-folium swaps a feature group in place, so a weight change redraws these without
    rebuilding the map (which keeps its position, zoom and other layers).
    """
    group = folium.FeatureGroup(name="scores")
    if layers.isochrones is not None:
        for row in layers.isochrones.sort_values("order", ascending=False).itertuples():
            colour = ISOCHRONE_COLOURS.get(row.key, "#4575b4")
            folium.GeoJson(row.geometry.__geo_interface__, name=row.key,
                           style_function=lambda f, c=colour: {"color": c, "weight": 2, "fillColor": c,
                                                               "fillOpacity": 0.08},
                           tooltip=html_text(row.label)).add_to(group)
    if layers.score_grid is not None:
        folium.GeoJson(layers.score_grid[["parcels", "best_score", "colour", "geometry"]], name="score_grid",
                       style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#666",
                                                 "weight": 0.3, "fillOpacity": 0.45},
                       tooltip=folium.GeoJsonTooltip(["parcels", "best_score"])).add_to(group)
    folium.GeoJson(
        _escaped(layers.parcels, ["tooltip"], keep=["parcel_id", "colour"]), name="parcels",
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#333333", "weight": 0.6,
                                  "fillOpacity": 0.8},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(["tooltip"], labels=False),
    ).add_to(group)
    if layers.selected is not None and len(layers.selected):
        folium.GeoJson(layers.selected[["geometry"]], name="selected",
                       style_function=lambda f: {"color": "#ff00ff", "weight": 4, "fill": False}).add_to(group)
    return group


def _escaped(gdf: gpd.GeoDataFrame, columns: list[str], keep: list[str] | None = None) -> gpd.GeoDataFrame:
    """Text ``columns`` HTML-escaped (tooltips insert HTML), plus ``keep`` columns and the geometry."""
    return gdf[[*(keep or []), *columns, "geometry"]].assign(**{c: gdf[c].map(html_text) for c in columns})


LEGEND_FALLBACK = {
    "roads": "Roads", "motorway": "Motorway", "main_road": "Main road", "street": "Street", "metro": "Metro line",
    "rail": "Commuter rail", "bus": "Bus line", "station": "Station", "bus_stop": "Bus stop",
    "junction": "Motorway junction", "premises": "Premises", "change_area": "Change area (plan)",
    "constraint": "Constraint (ancient remains, nature)", "saved_site": "Saved site", "selected": "Selected site",
    "population": "Residents per cell", "land_use": "Plan land use", "car_10": "Car 10 min", "car_20": "Car 20 min",
    "car_30": "Car 30 min", "pt_45": "Public transport 45 min", "few": "few", "many": "many",
}
LEGEND_KEYS = tuple(LEGEND_FALLBACK)


class _Legend(MacroElement):
    """The legend as a Leaflet control in the bottom-left corner (stacked above the scale bar)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "sitefinder-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html


def _swatch(kind: str, colour: str, extra: str = "") -> str:
    if kind == "line":
        return f'<span style="display:inline-block;width:18px;height:0;border-top:3px {extra or "solid"} {colour};' \
               'vertical-align:middle;margin-right:6px"></span>'
    if kind == "dot":
        return f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:{colour};' \
               f'border:1px solid #000;vertical-align:middle;margin-right:6px;{extra}"></span>'
    return f'<span style="display:inline-block;width:14px;height:10px;background:{colour};{extra};' \
           'vertical-align:middle;margin-right:6px"></span>'


def _legend_rows(layers: MapLayers, show: Mapping[str, bool], text: Mapping[str, str]) -> list[str]:
    """One legend row per symbol of the layers drawn now."""
    rows: list[tuple[str, str]] = []
    if layers.roads is not None and len(layers.roads):
        rows += [(_swatch("line", ROAD_STYLE["motorway"][0]), text["motorway"]),
                 (_swatch("line", ROAD_STYLE["main"][0]), text["main_road"]),
                 (_swatch("line", ROAD_STYLE["street"][0]), text["street"])]
    if show.get("transit", True) and layers.transit_lines is not None:
        modes = set(layers.transit_lines["mode"])
        rows += [(_swatch("line", LINE_COLOURS[m]), text[m]) for m in ("metro", "rail", "bus") if m in modes]
    if show.get("transit", True) and layers.stations is not None:
        rows.append((_swatch("dot", "#ffffff"), text["station"]))
    if show.get("bus_stops", False) and layers.bus_stops is not None:
        rows.append((_swatch("dot", LINE_COLOURS["bus"], "width:6px;height:6px"), text["bus_stop"]))
    if show.get("junctions", True) and layers.junctions is not None:
        rows.append((_swatch("dot", "#ffd700"), text["junction"]))
    if show.get("premises", False) and layers.premises is not None:
        rows.append((_swatch("dot", "#08519c"), text["premises"]))
    if show.get("land_use", False) and layers.land_use is not None:
        for category in sorted(set(layers.land_use["category"])):
            rows.append((_swatch("box", LAND_USE_COLOURS.get(category, "#999"), "opacity:0.6"),
                         f"{text['land_use']}: {category}"))
    if show.get("change_areas", False) and layers.change_areas is not None:
        rows.append((_swatch("line", "#e7298a", "dashed"), text["change_area"]))
    if show.get("constraints", False) and layers.constraints is not None:
        rows.append((_swatch("box", "#b2182b", "opacity:0.35"), text["constraint"]))
    if layers.registry_sites is not None and len(layers.registry_sites):
        rows.append((_swatch("line", "#e66101", "dotted"), text["saved_site"]))
    if layers.selected is not None and len(layers.selected):
        rows.append((_swatch("line", "#ff00ff"), text["selected"]))
    if layers.isochrones is not None and len(layers.isochrones):
        for key, label in (("car 10 min", "car_10"), ("car 20 min", "car_20"), ("car 30 min", "car_30"),
                           ("public transport 45 min", "pt_45")):
            if key in set(layers.isochrones["key"]):
                rows.append((_swatch("line", ISOCHRONE_COLOURS[key]), text[label]))
    out = [f"<div>{sym}{html_text(label)}</div>" for sym, label in rows]
    if show.get("population", False) and layers.population is not None:
        out.append(f"<div style=\"margin-top:4px\">{html_text(text['population'])}</div>"
                   f"<div style=\"width:160px;height:10px;background:{population_gradient()}\"></div>"
                   f"<div style=\"display:flex;justify-content:space-between;width:160px\">"
                   f"<span>{html_text(text['few'])}</span><span>{html_text(text['many'])}</span></div>")
    return out


def _legend_html(title: str, excluded_label: str, rows: list[str]) -> str:
    return (
        '<div style="background:rgba(255,255,255,0.94);padding:6px 8px;border-radius:4px;font:12px sans-serif;'
        'box-shadow:0 1px 4px rgba(0,0,0,.3);max-height:260px;overflow-y:auto;color:#222">'
        f"<b>{html_text(title)}</b><div style=\"width:160px;height:10px;background:{legend_gradient()}\"></div>"
        '<div style="display:flex;justify-content:space-between;width:160px"><span>0</span><span>50</span>'
        "<span>100</span></div>"
        f'<div><span style="display:inline-block;width:12px;height:10px;background:{EXCLUDED}"></span> '
        f"{html_text(excluded_label)}</div>" + "".join(rows) + "</div>"
    )


def population_png(values: np.ndarray) -> str:
    """A PNG data URL of residents per cell (yellow-orange-red, transparent where nobody lives)."""
    v = np.asarray(values, dtype="float64")
    top = np.percentile(v[v > 0], 99) if (v > 0).any() else 1.0
    t = np.clip(v / top, 0, 1)
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in POPULATION], dtype=float)
    idx = t * (len(stops) - 1)
    lo = np.floor(idx).astype(int).clip(0, len(stops) - 2)
    frac = (idx - lo)[..., None]
    rgb = stops[lo] * (1 - frac) + stops[lo + 1] * frac
    alpha = np.where(v > 0, 200, 0)[..., None]
    img = Image.fromarray(np.concatenate([rgb, alpha], axis=-1).astype("uint8"), mode="RGBA")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
