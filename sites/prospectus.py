"""One-page site prospectus (PDF) for a site or a comparison, drawn on the server without internet.

matplotlib draws the map from the project's own layers (no tiles): parcels coloured by score,
land use, roads with the motorway, the nearest motorway junction and rail station of each site
(the window is widened until both are in view), optional isochrones, and a legend. Words come
from the text catalogue and numbers are written for the page's language (:mod:`texts`). Text is
embedded as TrueType so it can be searched and copied; the file carries no creation time, so the
same state gives the same bytes. Long texts are wrapped before drawing and map labels that
would collide are dropped, so no two texts on the page overlap (``tests/sites/test_prospectus.py``
measures every text box).
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import qrcode
import shapely
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.profiles import CRITERIA
from errors import ParameterError
from layers.roads import drive_network, motorway_junctions
from layers.transit import stop_modes
from sites.dataset import Dataset
from sites.isochrones import ISOCHRONE_COLOURS
from sites.safe_text import pdf_text
from sites.scored import ScoredSites
from texts import area_m2, date, distance, has, minutes, number, percent, text

A4 = (8.27, 11.69)
VIRIDIS = mpl.colormaps["viridis"]
ROAD_WIDTH = {"motorway": 2.4, "motorway_link": 1.0, "trunk": 1.8, "primary": 1.6, "secondary": 1.2, "tertiary": 0.9}
MOTORWAY_COLOUR = "#c2410c"
ROAD_COLOUR = "#6b6b6b"
SITE_COLOUR = "#ff00ff"
LAND_USE = {"Stadsbygd": "#d95f02", "Landsbygd": "#e6ab02", "Verksamheter": "#7570b3",
            "Transporter och infrastruktur": "#666666", "Grönstruktur": "#1b9e77", "Vatten": "#377eb8"}
#: Smallest side of the map window, metres, and the margin around what must be in view.
MIN_WINDOW_M = 1200.0
MARGIN_M = 250.0
SCALE_STEPS_M = (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


@dataclass(frozen=True)
class _Layout:
    """Where the parts of a page go, in figure fractions."""

    map_box: tuple[float, float, float, float]
    legend_at: tuple[float, float]
    colourbar_box: tuple[float, float, float, float]
    qr_box: tuple[float, float, float, float]
    facts_at: tuple[float, float]
    breakdown_box: tuple[float, float, float, float]


SINGLE = _Layout(map_box=(0.06, 0.47, 0.52, 0.40), legend_at=(0.22, 0.405), colourbar_box=(0.45, 0.385, 0.14, 0.008),
                 qr_box=(0.06, 0.28, 0.12, 0.12), facts_at=(0.62, 0.865), breakdown_box=(0.30, 0.135, 0.64, 0.07))
COMPARE = _Layout(map_box=(0.06, 0.55, 0.56, 0.34), legend_at=(0.655, 0.725), colourbar_box=(0.665, 0.565, 0.2, 0.008),
                  qr_box=(0.74, 0.76, 0.13, 0.13), facts_at=(0.06, 0.515), breakdown_box=(0.30, 0.115, 0.64, 0.12))


def prospectus_pdf(ds: Dataset, scored: ScoredSites, parcel_ids: Sequence[str], *, lang: str = "sv",
                   link: str = "", generated: dt.date | None = None,
                   isochrones: gpd.GeoDataFrame | None = None) -> bytes:
    """A one-page PDF for one site, or a comparison page for 2-4 sites.

    Parameters
    ----------
    ds
        The dataset (for the map layers and the data version).
    scored
        The scored sites the view shows.
    parcel_ids
        One id for a site prospectus, 2-4 for a comparison.
    lang
        ``sv`` or ``en``.
    link
        Share link printed (and drawn as a QR code) on the page.
    generated
        Date printed on the page (today if None); the same state and date give the same bytes.
    isochrones
        Optional isochrone set (:func:`sites.isochrones.site_isochrones`, EPSG:3006) drawn around a single site.

    Returns
    -------
    bytes
        The PDF.
    """
    fig = prospectus_figure(ds, scored, parcel_ids, lang=lang, link=link, generated=generated, isochrones=isochrones)
    buf = io.BytesIO()
    with mpl.rc_context(_RC), PdfPages(buf, metadata={"Title": fig.get_label(), "Creator": "Södra Porten site finder",
                                                       "CreationDate": None}) as pdf:
        pdf.savefig(fig)
    return buf.getvalue()


_RC = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "font.size": 8, "text.parse_math": False}


def prospectus_figure(ds: Dataset, scored: ScoredSites, parcel_ids: Sequence[str], *, lang: str = "sv",
                      link: str = "", generated: dt.date | None = None,
                      isochrones: gpd.GeoDataFrame | None = None) -> Figure:
    """The prospectus page as a matplotlib figure (see :func:`prospectus_pdf`; tests measure its texts)."""
    ids = list(dict.fromkeys(parcel_ids))
    frame = scored.frame.set_index("parcel_id")
    missing = [i for i in ids if i not in frame.index]
    if not ids or missing:
        raise ParameterError(f"unknown or filtered-out parcel(s): {', '.join(missing) or '(none given)'}")
    if len(ids) > 4:
        raise ParameterError("a comparison takes at most 4 sites")
    rows = frame.loc[ids].apply(lambda col: col.map(pdf_text) if col.dtype == object else col)
    day = generated or dt.date.today()
    single = len(ids) == 1
    layout = SINGLE if single else COMPARE
    with mpl.rc_context(_RC):
        fig = Figure(figsize=A4)
        _header(fig, rows, lang, day, single)
        map_ax = fig.add_axes(layout.map_box)
        handles = _map(map_ax, ds, scored, rows, isochrones if single else None, lang, single)
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=layout.legend_at, fontsize=6.5, frameon=False,
                   handlelength=2.2, borderaxespad=0)
        _colourbar(fig.add_axes(layout.colourbar_box), lang)
        if single:
            _facts_single(fig, rows.iloc[0], lang, scored, layout)
        else:
            _facts_table(fig, rows, lang, scored, layout)
        _breakdown(fig, fig.add_axes(layout.breakdown_box), rows, lang, single)
        _footer(fig, ds, lang, link, layout)
        _declutter(fig, map_ax)
        title = text("prospectus.title" if single else "prospectus.compare", lang)
        fig.set_label(f"{title}: {', '.join(rows['designation'])}")
    return fig


def _profile_name(rows: pd.DataFrame, lang: str) -> str:
    key = str(rows["profile"].iloc[0])
    return text(f"profile.{key}", lang) if has(f"profile.{key}") else key


def _header(fig: Figure, rows: pd.DataFrame, lang: str, day: dt.date, single: bool) -> None:
    if single:
        title = f"{text('prospectus.title', lang)}: {rows['designation'].iloc[0]}"
        subtitle = str(rows["area_name"].iloc[0])
    else:  # the sites are named in the table, numbered as on the map
        title = text("prospectus.compare", lang)
        subtitle = text("prospectus.n_sites", lang, n=len(rows))
    fig.text(0.06, 0.955, title, fontsize=16, weight="bold")
    line = f"{subtitle} · {text('prospectus.profile', lang)}: {_profile_name(rows, lang)} · {date(day, lang)}"
    _fitted_text(fig, 0.06, 0.935, line, 0.88, fontsize=9)
    fig.text(0.06, 0.918, text("prospectus.demo", lang), fontsize=8, color="#b35806", weight="bold")


# --------------------------------------------------------------------------- map
def _map(ax, ds: Dataset, scored: ScoredSites, rows: pd.DataFrame, iso: gpd.GeoDataFrame | None, lang: str,
         single: bool) -> list:
    """Draw the map; returns the legend handles."""
    parcels = ds.parcels.set_index("parcel_id")
    site = parcels.loc[rows.index]
    junctions = _nearest_junctions(ds, site, rows)
    stations = _rail_stations(ds)
    near_stations = _nearest_named(stations, site, rows["nearest_rail_stop"], "stop_name")
    box = map_window([site.total_bounds, *(p.bounds for p in junctions.geometry),
                      *(p.bounds for p in near_stations.geometry)], aspect=_aspect(ax),
                     centre=_middle(site.total_bounds))
    x0, y0, x1, y1 = box
    lu = ds.land_use.cx[x0:x1, y0:y1]
    for category, part in lu.groupby("category"):
        part.plot(ax=ax, color=LAND_USE.get(category, "#999"), alpha=0.15, linewidth=0)
    scores = scored.frame.set_index("parcel_id")["score"]
    near = parcels.cx[x0:x1, y0:y1]
    colours = [mpl.colors.to_hex(VIRIDIS(s / 100)) if np.isfinite(s) else "#bdbdbd"
               for s in scores.reindex(near.index).to_numpy()]
    near.plot(ax=ax, color=colours, edgecolor="#555", linewidth=0.2)
    edges = _edges(ds, box)
    for hw, part in edges.groupby("hw"):
        motorway = hw.startswith("motorway")
        part.plot(ax=ax, color=MOTORWAY_COLOUR if motorway else ROAD_COLOUR, linewidth=ROAD_WIDTH.get(hw, 0.4),
                  zorder=3 if motorway else 2)
    site_key = "prospectus.legend_site" if single else "prospectus.legend_sites"
    handles = [Patch(facecolor="none", edgecolor=SITE_COLOUR, linewidth=2, label=text(site_key, lang)),
               Patch(facecolor="#bdbdbd", edgecolor="#555", label=text("prospectus.legend_excluded", lang)),
               Line2D([], [], color=MOTORWAY_COLOUR, linewidth=2.4, label=text("prospectus.legend_motorway", lang)),
               Line2D([], [], color=ROAD_COLOUR, linewidth=1.4, label=text("prospectus.legend_road", lang))]
    if iso is not None and len(iso):
        iso = iso.sort_values("order")
        iso.boundary.plot(ax=ax, color=[ISOCHRONE_COLOURS.get(k, "#4575b4") for k in iso["key"]], linewidth=1.2,
                          linestyle="--", zorder=4)
        for mode, key in (("car", "prospectus.legend_car_iso"), ("pt", "prospectus.legend_pt_iso")):
            part = iso[iso["mode"] == mode]
            if len(part):
                handles.append(Line2D([], [], color=ISOCHRONE_COLOURS.get(part["key"].iloc[-1], "#4575b4"),
                                      linestyle="--", linewidth=1.2, label=text(key, lang)))
    in_view = stations.cx[x0:x1, y0:y1]
    if len(in_view):
        in_view.plot(ax=ax, color="white", edgecolor="black", markersize=30, zorder=5)
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="black",
                              markersize=6, label=text("prospectus.legend_station", lang)))
    if len(junctions):
        junctions.plot(ax=ax, color="#fde047", edgecolor="black", marker="D", markersize=28, zorder=5)
        handles.append(Line2D([], [], marker="D", linestyle="", markerfacecolor="#fde047", markeredgecolor="black",
                              markersize=5, label=text("prospectus.legend_junction", lang)))
    site.boundary.plot(ax=ax, color=SITE_COLOUR, linewidth=2.0, zorder=6)
    for i, (pid, r) in enumerate(site.iterrows(), start=1):
        c = r.geometry.representative_point()
        label = str(rows.loc[pid, "designation"]) if single else str(i)
        ax.annotate(label, (c.x, c.y), fontsize=7 if single else 8, weight="bold", ha="center", va="center", zorder=8,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                    gid="site-label")
    for r in near_stations.itertuples():
        ax.annotate(pdf_text(r.stop_name), (r.geometry.x, r.geometry.y), xytext=(5, 5), textcoords="offset points",
                    fontsize=7, zorder=7, gid="map-label")
    for r in junctions.itertuples():
        label = pdf_text(text("map.junction", lang, name=r.junction_name))
        ax.annotate(label, (r.geometry.x, r.geometry.y), xytext=(5, -9), textcoords="offset points", fontsize=7,
                    zorder=7, gid="map-label")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_aspect("equal")
    if iso is not None and len(iso):
        ax.set_title(text("prospectus.iso", lang), fontsize=7, loc="left")
    _scale_bar(ax, box, lang)
    return handles


def map_window(bounds: Sequence[Sequence[float]], *, aspect: float = 1.0, margin_m: float = MARGIN_M,
               min_side_m: float = MIN_WINDOW_M, centre: tuple[float, float] | None = None
               ) -> tuple[float, float, float, float]:
    """The map extent that holds every box in ``bounds`` with a margin, widened to the axes' shape.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` boxes that must be in view (site, junction, station).
    aspect
        Width / height of the axes, so the equal-scale map fills them.
    margin_m
        Space around the boxes.
    min_side_m
        Smallest height (and width / aspect) of the window.
    centre
        Keep this point (the site) in the middle; otherwise the middle of the boxes.

    Returns
    -------
    tuple
        ``(x0, y0, x1, y1)`` with ``(x1 - x0) / (y1 - y0) == aspect``.
    """
    arr = np.asarray(bounds, dtype=float)
    minx, miny = arr[:, 0].min() - margin_m, arr[:, 1].min() - margin_m
    maxx, maxy = arr[:, 2].max() + margin_m, arr[:, 3].max() + margin_m
    if centre is None:
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    else:
        cx, cy = centre
        minx, maxx = cx - max(cx - minx, maxx - cx), cx + max(cx - minx, maxx - cx)
        miny, maxy = cy - max(cy - miny, maxy - cy), cy + max(cy - miny, maxy - cy)
    height = max(maxy - miny, (maxx - minx) / aspect, min_side_m)
    width = height * aspect
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _middle(bounds: Sequence[float]) -> tuple[float, float]:
    return (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2


def _aspect(ax) -> float:
    box = ax.get_position()
    w, h = ax.figure.get_size_inches()
    return float(box.width * w / (box.height * h))


def _rail_stations(ds: Dataset) -> gpd.GeoDataFrame:
    stops = ds.feed.stops
    if not len(stops):
        return stops
    modes = stop_modes(ds.feed).to_numpy()
    return stops[pd.Series(modes, index=stops.index).str.contains("metro|rail")].drop_duplicates("stop_name")


def _nearest_named(points: gpd.GeoDataFrame, site: gpd.GeoDataFrame, names: pd.Series, column: str
                   ) -> gpd.GeoDataFrame:
    """For each site, the point called as its indicator says that is closest to it (one row per name)."""
    chosen = []
    for (_, geom), name in zip(site.geometry.items(), names, strict=True):
        same = points[points[column] == name]
        if len(same):
            chosen.append(same.index[int(np.argmin(same.distance(geom.centroid).to_numpy()))])
    return points.loc[list(dict.fromkeys(chosen))]


def _nearest_junctions(ds: Dataset, site: gpd.GeoDataFrame, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    junctions = motorway_junctions(ds.roads)
    return _nearest_named(junctions, site, rows["nearest_junction"], "junction_name").drop_duplicates("junction_name")


def _edges(ds: Dataset, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = bbox
    g = drive_network(ds.roads)
    rows = []
    for u, v, d in g.edges(data=True):
        a, b = g.nodes[u], g.nodes[v]
        if not (x0 <= a["x"] <= x1 and y0 <= a["y"] <= y1) and not (x0 <= b["x"] <= x1 and y0 <= b["y"] <= y1):
            continue
        hw = d.get("highway", "")
        rows.append({"hw": hw[0] if isinstance(hw, list) else hw,
                     "geometry": d.get("geometry") or shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=ds.parcels.crs, columns=["hw", "geometry"])


def _scale_bar(ax, box: tuple[float, float, float, float], lang: str) -> None:
    x0, y0, x1, y1 = box
    target = (x1 - x0) / 5
    length = min(SCALE_STEPS_M, key=lambda s: abs(s - target))
    left, base = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.03
    ax.plot([left, left + length], [base, base], color="black", linewidth=2.5, solid_capstyle="butt", zorder=9)
    ax.text(left, base + (y1 - y0) * 0.015, text("prospectus.scale", lang, m=length), fontsize=6, zorder=9,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def _colourbar(ax, lang: str) -> None:
    gradient = np.linspace(0, 1, 256)[None, :]
    ax.imshow(gradient, aspect="auto", cmap=VIRIDIS, extent=(0, 100, 0, 1))
    ax.set_yticks([])
    ax.set_xticks([0, 50, 100], [number(0, lang), number(50, lang), number(100, lang)], fontsize=6)
    ax.tick_params(length=2, pad=1)
    ax.set_title(text("prospectus.legend_score", lang), fontsize=6.5, loc="left", pad=2)


def _declutter(fig: Figure, ax) -> None:
    """Hide map labels that would overlap a text drawn before them (site labels and page texts win)."""
    renderer = _renderer(fig)
    kept = [t.get_window_extent(renderer) for t in fig.texts if t.get_text().strip()]
    kept += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "site-label"]
    kept += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() not in ("site-label", "map-label")]
    inside = ax.get_window_extent(renderer)
    for label in (t for t in ax.texts if t.get_gid() == "map-label"):
        extent = label.get_window_extent(renderer)
        clipped = not (inside.x0 <= extent.x0 and extent.x1 <= inside.x1 and inside.y0 <= extent.y0
                       and extent.y1 <= inside.y1)
        if clipped or any(extent.overlaps(other) for other in kept):
            label.set_visible(False)
        else:
            kept.append(extent)


# --------------------------------------------------------------------------- facts
def _facts(lang: str, scored: ScoredSites) -> list[tuple[str, Callable[[pd.Series], str]]]:
    """(label, value of a row) for each fact, numbers and words in ``lang``."""
    def plan(r: pd.Series) -> str:
        key = f"plan_status.{r['plan_status']}"
        status = text(key, lang) if has(key) else str(r["plan_status"])
        return f"{status} ({r['plan_use_code']})" if r["plan_use_code"] else status

    def excluded_or(value: Callable[[pd.Series], str]) -> Callable[[pd.Series], str]:
        return lambda r: text("prospectus.excluded", lang) if r["excluded"] else value(r)

    return [
        (text("prospectus.score", lang), excluded_or(lambda r: number(r["score"], lang, decimals=1))),
        (text("prospectus.rank", lang), lambda r: "-" if r["excluded"] else number(r["rank"], lang)),
        (text("prospectus.robust", lang, k=scored.top_k),
         lambda r: "-" if r["excluded"] else percent(r.get("p_top_k", np.nan), lang)),
        (text("prospectus.jobs", lang), lambda r: number(r["jobs_est"], lang)),
        (text("prospectus.area", lang), lambda r: area_m2(r["area_m2"], lang)),
        (text("prospectus.plan", lang), plan),
        (text("prospectus.car", lang), lambda r: minutes(r["car_min_to_junction"], lang)),
        (text("column.nearest_junction", lang), lambda r: str(r["nearest_junction"])),
        (text("prospectus.walk", lang), lambda r: distance(r["walk_m_to_rail_stop"], lang)),
        (text("column.nearest_rail_stop", lang), lambda r: str(r["nearest_rail_stop"])),
        (text("prospectus.dep", lang), lambda r: number(r["departures_per_hour_600m"], lang)),
        (text("prospectus.car30", lang), lambda r: number(r["residents_30min_car"], lang)),
        (text("prospectus.pt45", lang), lambda r: number(r["residents_45min_pt"], lang)),
        (text("prospectus.local", lang), lambda r: number(r["local_hire_30min_botkyrka"], lang)),
    ]


def _facts_single(fig: Figure, r: pd.Series, lang: str, scored: ScoredSites, layout: _Layout) -> None:
    """Label above value, one fact under the other, beside the map."""
    x, y = layout.facts_at
    for label, value in _facts(lang, scored):
        fig.text(x, y, label, fontsize=6.5, color="#444")
        _fitted_text(fig, x, y - 0.0105, value(r), 0.94 - x, fontsize=8.5, weight="bold")
        y -= 0.0285
    explanation = textwrap.fill(str(r["explanation"]), 120)
    fig.text(0.06, 0.445, explanation, fontsize=8, style="italic", va="top")


def _facts_table(fig: Figure, rows: pd.DataFrame, lang: str, scored: ScoredSites, layout: _Layout) -> None:
    """One row per fact, one column per site (numbered like the map)."""
    x0, y = layout.facts_at
    label_width, col_width = 0.34, (0.94 - 0.06 - 0.34) / 4
    value_x = [x0 + label_width + col_width * j for j in range(len(rows))]
    for j, (_, r) in enumerate(rows.iterrows()):
        _fitted_text(fig, value_x[j], y, f"{j + 1} {r['designation']}", col_width - 0.008, fontsize=7.5,
                     weight="bold")
    y -= 0.019
    for label, value in _facts(lang, scored):
        _fitted_text(fig, x0, y, label, label_width - 0.01, fontsize=7, color="#333")
        for j, (_, r) in enumerate(rows.iterrows()):
            _fitted_text(fig, value_x[j], y, value(r), col_width - 0.008, fontsize=7.5)
        y -= 0.0155


def _breakdown(fig: Figure, ax, rows: pd.DataFrame, lang: str, single: bool) -> None:
    """Stacked points per criterion; the legend sits below the axis in figure space."""
    names = [text(f"criterion.{c}", lang) for c in CRITERIA]
    left = np.zeros(len(rows))
    bars = []
    for i, c in enumerate(CRITERIA):
        values = rows[f"contrib_{c}"].fillna(0).to_numpy()
        bars.append(ax.barh(range(len(rows)), values, left=left, color=VIRIDIS(i / (len(CRITERIA) - 1)),
                            label=names[i]))
        left += values
    labels = list(rows["designation"]) if single else [f"{i} {d}" for i, d in enumerate(rows["designation"], 1)]
    ax.set_yticks(range(len(rows)), [_clip(str(s), 24) for s in labels])
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 20, 40, 60, 80, 100], [number(v, lang) for v in (0, 20, 40, 60, 80, 100)])
    ax.set_title(f"{text('prospectus.breakdown', lang)} ({text('prospectus.points_heading', lang).lower()}, 0-100)",
                 fontsize=9, loc="left")
    ax.invert_yaxis()
    box = ax.get_position()
    fig.legend(handles=bars, loc="upper left", bbox_to_anchor=(0.06, box.y0 - 0.022), ncol=4, fontsize=6,
               frameon=False, columnspacing=1.0, handlelength=1.2, borderaxespad=0)


def _footer(fig: Figure, ds: Dataset, lang: str, link: str, layout: _Layout) -> None:
    sources = text("prospectus.sources_text", lang, version=ds.manifest_version)
    sources = f"{text('prospectus.sources', lang)}: {sources}"
    fig.text(0.06, 0.052, textwrap.fill(sources, 150), fontsize=6, va="top")
    if link:
        _fitted_text(fig, 0.06, 0.018, f"{text('prospectus.link', lang)}: {link}", 0.88, fontsize=5.5,
                     color="#08519c")
        matrix = _qr(link)
        ax = fig.add_axes(layout.qr_box)
        ax.imshow(~matrix, cmap="gray", interpolation="nearest")
        ax.set_axis_off()


def _clip(value: str, chars: int) -> str:
    """``value`` cut to ``chars`` characters with an ellipsis (URLs and names have no spaces to wrap at)."""
    return value if len(value) <= chars else value[: chars - 1] + "…"


def _renderer(fig: Figure) -> RendererAgg:
    """A renderer to measure texts with, without giving the figure a drawing canvas.

    (With an Agg canvas attached, every geopandas ``plot`` call would redraw the whole page.)
    """
    return RendererAgg(fig.bbox.width, fig.bbox.height, fig.dpi)


def _fitted_text(fig: Figure, x: float, y: float, value: str, width: float, **kwargs: object):
    """``fig.text`` cut with an ellipsis until it is at most ``width`` (figure fraction) wide."""
    label = fig.text(x, y, value, **kwargs)
    renderer = _renderer(fig)
    limit = width * fig.bbox.width
    if label.get_window_extent(renderer).width <= limit:
        return label
    lo, hi = 0, len(value)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        label.set_text(value[:mid] + "…")
        if label.get_window_extent(renderer).width <= limit:
            lo = mid
        else:
            hi = mid - 1
    label.set_text(value[:lo] + "…")
    return label


def _qr(data: str) -> np.ndarray:
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)
