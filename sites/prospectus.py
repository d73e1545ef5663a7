"""One-page site prospectus (PDF) for a site or a comparison, drawn on the server without internet.

matplotlib draws the map from the project's own layers (no tiles), the score breakdown and the
facts; text is embedded as TrueType so it can be searched and copied; the file carries no
creation time, so the same state gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import qrcode
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from analysis.profiles import CRITERIA, CRITERION_LABELS, PROFILES
from errors import ParameterError
from layers.roads import drive_network
from sites.dataset import Dataset
from sites.scored import ScoredSites

A4 = (8.27, 11.69)
VIRIDIS = mpl.colormaps["viridis"]
ROAD_WIDTH = {"motorway": 2.2, "motorway_link": 1.0, "primary": 1.6, "secondary": 1.2, "tertiary": 0.9}
LAND_USE = {"Stadsbygd": "#d95f02", "Landsbygd": "#e6ab02", "Verksamheter": "#7570b3",
            "Transporter och infrastruktur": "#666666", "Grönstruktur": "#1b9e77", "Vatten": "#377eb8"}
TEXT = {
    "sv": {"title": "Etableringsprospekt", "compare": "Jämförelse av platser", "profile": "Verksamhetstyp",
           "score": "Poäng", "rank": "Rang", "jobs": "Jobbpotential", "area": "Tomtarea", "plan": "Planstatus",
           "car": "Bil till E4/E20", "walk": "Gång till tunnelbana/pendeltåg", "dep": "Avgångar/h inom 600 m (07-09)",
           "car30": "Invånare inom 30 min med bil", "pt45": "Invånare inom 45 min kollektivt",
           "local": "Botkyrkabor inom 30 min kollektivt", "peak": "morgonrusning", "free_flow": "fritt flöde",
           "breakdown": "Poängens delar", "sources": "Data och källor",
           "link": "Länk till vyn", "demo": "DEMONSTRATIONSDATA: påhittade fastigheter och tidtabeller.",
           "excluded": "Utesluten", "robust": "Sannolikhet topp-{k}", "iso": "Restid: bil 30 min, kollektivt 45 min"},
    "en": {"title": "Site prospectus", "compare": "Site comparison", "profile": "Establishment profile",
           "score": "Score", "rank": "Rank", "jobs": "Jobs potential", "area": "Plot area", "plan": "Plan status",
           "car": "Car to E4/E20", "walk": "Walk to metro/rail", "dep": "Departures/h within 600 m (07-09)",
           "car30": "Residents within 30 min by car", "pt45": "Residents within 45 min by public transport",
           "local": "Botkyrka residents within 30 min by public transport", "peak": "morning peak",
           "free_flow": "free flow", "breakdown": "Score breakdown", "sources": "Data and sources",
           "link": "Link to this view", "demo": "DEMONSTRATION DATA: synthetic parcels and timetables.",
           "excluded": "Excluded", "robust": "Probability of top {k}", "iso": "Travel time: car 30 min, PT 45 min"},
}


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
        Optional ``key``/geometry polygons (EPSG:3006) drawn around a single site.

    Returns
    -------
    bytes
        The PDF.
    """
    ids = list(dict.fromkeys(parcel_ids))
    frame = scored.frame.set_index("parcel_id")
    missing = [i for i in ids if i not in frame.index]
    if not ids or missing:
        raise ParameterError(f"unknown or filtered-out parcel(s): {', '.join(missing) or '(none given)'}")
    if len(ids) > 4:
        raise ParameterError("a comparison takes at most 4 sites")
    text = TEXT.get(lang, TEXT["en"])
    rows = frame.loc[ids]
    day = generated or dt.date.today()
    with mpl.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans", "font.size": 8}):
        fig = Figure(figsize=A4)
        _header(fig, rows, text, day, len(ids) == 1, scored)
        map_box = (0.06, 0.47, 0.52, 0.40) if len(ids) == 1 else (0.06, 0.50, 0.52, 0.37)
        _map(fig.add_axes(map_box), ds, scored, ids, isochrones if len(ids) == 1 else None, text)
        _facts(fig, rows, text, scored)
        box = (0.30, 0.16, 0.64, 0.08) if len(ids) == 1 else (0.30, 0.125, 0.64, 0.03 + 0.028 * len(ids))
        _breakdown(fig.add_axes(box), rows, text, lang)
        _footer(fig, ds, text, link, single=len(ids) == 1)
        buf = io.BytesIO()
        with PdfPages(buf, metadata={"Title": f"{text['title']}: {', '.join(rows['designation'])}",
                                     "Creator": "Södra Porten site finder", "CreationDate": None}) as pdf:
            pdf.savefig(fig)
    return buf.getvalue()


def _header(fig: Figure, rows, text: dict, day: dt.date, single: bool, scored: ScoredSites) -> None:
    profile = PROFILES.get(str(rows["profile"].iloc[0]).removeprefix("custom (").rstrip(")"))
    name = (profile.name_sv if text is TEXT["sv"] else profile.name_en) if profile else rows["profile"].iloc[0]
    title = f"{text['title']}: {rows['designation'].iloc[0]}" if single else f"{text['compare']}"
    fig.text(0.06, 0.955, title, fontsize=16, weight="bold")
    subtitle = rows["area_name"].iloc[0] if single else ", ".join(rows["designation"])
    fig.text(0.06, 0.935, f"{subtitle} · {text['profile']}: {name} · {day.isoformat()}", fontsize=9)
    fig.text(0.06, 0.918, text["demo"], fontsize=8, color="#b35806", weight="bold")


def _map(ax, ds: Dataset, scored: ScoredSites, ids: list[str], iso: gpd.GeoDataFrame | None, text: dict) -> None:
    parcels = ds.parcels.set_index("parcel_id")
    site = parcels.loc[ids]
    minx, miny, maxx, maxy = site.total_bounds
    pad = max(maxx - minx, maxy - miny, 600) * 0.6 + 300
    x0, x1 = (minx + maxx) / 2 - pad, (minx + maxx) / 2 + pad
    y0, y1 = (miny + maxy) / 2 - pad, (miny + maxy) / 2 + pad
    window = gpd.GeoSeries.from_xy([x0, x1], [y0, y1]).total_bounds
    lu = ds.land_use.cx[window[0]:window[2], window[1]:window[3]]
    for category, part in lu.groupby("category"):
        part.plot(ax=ax, color=LAND_USE.get(category, "#999"), alpha=0.18, linewidth=0)
    scores = scored.frame.set_index("parcel_id")["score"]
    near = parcels.cx[x0:x1, y0:y1]
    colours = [mpl.colors.to_hex(VIRIDIS(s / 100)) if np.isfinite(s) else "#bdbdbd"
               for s in scores.reindex(near.index).to_numpy()]
    near.plot(ax=ax, color=colours, edgecolor="#555", linewidth=0.2)
    edges = _edges(ds, (x0, y0, x1, y1))
    for hw, part in edges.groupby("hw"):
        part.plot(ax=ax, color="#444" if hw.startswith("motorway") else "#777", linewidth=ROAD_WIDTH.get(hw, 0.4))
    if iso is not None and len(iso):
        iso.boundary.plot(ax=ax, color=["#d73027" if "car" in k else "#4575b4" for k in iso["key"]], linewidth=1.0,
                          linestyle="--")
    stops = ds.feed.stops.cx[x0:x1, y0:y1]
    rail = stops[stops["stop_id"].str.startswith(("T-", "J-"))] if len(stops) else stops
    if len(rail):
        rail.plot(ax=ax, color="white", edgecolor="black", markersize=30, zorder=5)
        for r in rail.itertuples():
            ax.annotate(r.stop_name, (r.geometry.x, r.geometry.y), xytext=(4, 4), textcoords="offset points",
                        fontsize=7)
    site.boundary.plot(ax=ax, color="#ff00ff", linewidth=2.0, zorder=6)
    for pid, r in site.iterrows():
        c = r.geometry.centroid
        ax.annotate(scored.frame.set_index("parcel_id").loc[pid, "designation"], (c.x, c.y), fontsize=7,
                    weight="bold", ha="center", va="center", zorder=7)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_aspect("equal")
    ax.set_title(text["iso"] if iso is not None else "", fontsize=7, loc="left")
    ax.text(0.01, 0.01, "SWEREF 99 TM · 500 m" + " " * 2, transform=ax.transAxes, fontsize=6)
    ax.plot([x1 - 600, x1 - 100], [y0 + 80, y0 + 80], color="black", linewidth=2)


def _edges(ds: Dataset, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    import shapely

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


def _facts(fig: Figure, rows, text: dict, scored: ScoredSites) -> None:
    when = f" ({text[scored.car_period]})" if scored.car_period in text else ""
    labels = [(text["score"], lambda r: text["excluded"] if r["excluded"] else f"{r['score']:.1f}"),
              (text["rank"], lambda r: "-" if r["excluded"] else f"{int(r['rank'])}"),
              (text["robust"].format(k=scored.top_k), lambda r: "-" if r["excluded"] else f"{r['p_top_k']:.0%}"),
              (text["jobs"], lambda r: f"{r['jobs_est']:,.0f}"),
              (text["area"], lambda r: f"{r['area_m2']:,.0f} m²"),
              (text["plan"], lambda r: f"{r['plan_status']} {r['plan_use_code'] or ''}".strip()),
              (text["car"] + when, lambda r: f"{r['car_min_to_junction']:.1f} min ({r['nearest_junction']})"),
              (text["walk"], lambda r: f"{r['walk_m_to_rail_stop']:,.0f} m ({r['nearest_rail_stop']})"),
              (text["dep"], lambda r: f"{r['departures_per_hour_600m']:.0f}"),
              (text["car30"] + when, lambda r: f"{r['residents_30min_car']:,.0f}"),
              (text["pt45"], lambda r: f"{r['residents_45min_pt']:,.0f}"),
              (text["local"], lambda r: f"{r['local_hire_30min_botkyrka']:,.0f}")]
    single = len(rows) == 1
    x0, y = (0.61, 0.86) if single else (0.06, 0.455)
    value_x = [x0 + 0.20] if single else [0.46 + 0.125 * j for j in range(len(rows))]
    if not single:
        for j, (_, r) in enumerate(rows.iterrows()):
            fig.text(value_x[j], y + 0.018, r["designation"], fontsize=7.5, weight="bold")
    for label, value in labels:
        fig.text(x0, y, label, fontsize=7, color="#333")
        for j, (_, r) in enumerate(rows.iterrows()):
            fig.text(value_x[j], y, value(r), fontsize=7.5, weight="bold")
        y -= 0.029 if single else 0.015
    if len(rows) == 1:
        fig.text(0.06, 0.445, rows["explanation"].iloc[0], fontsize=8, style="italic", wrap=True)


def _breakdown(ax, rows, text: dict, lang: str) -> None:
    names = [CRITERION_LABELS[c][0 if lang == "sv" else 1] for c in CRITERIA]
    left = np.zeros(len(rows))
    for i, c in enumerate(CRITERIA):
        values = rows[f"contrib_{c}"].fillna(0).to_numpy()
        ax.barh(range(len(rows)), values, left=left, color=VIRIDIS(i / (len(CRITERIA) - 1)), label=names[i])
        left += values
    ax.set_yticks(range(len(rows)), rows["designation"])
    ax.set_xlim(0, 100)
    ax.set_xlabel(text["score"])
    ax.set_title(text["breakdown"], fontsize=9, loc="left")
    below = -0.35 if len(rows) == 1 else -0.6 / len(rows)
    ax.legend(fontsize=5.5, loc="upper center", bbox_to_anchor=(0.45, below), ncol=4, frameon=False)
    ax.invert_yaxis()


def _footer(fig: Figure, ds: Dataset, text: dict, link: str, *, single: bool) -> None:
    fig.text(0.06, 0.045, f"{text['sources']}: Södra Porten demo data {ds.manifest_version}; stations SL GTFS "
             "(Trafiklab, CC0); boundaries SCB; road alignment Trafikverket/OSM-style XML. © OpenStreetMap "
             "contributors where OSM data is loaded.", fontsize=6, wrap=True)
    if link:
        fig.text(0.06, 0.025, f"{text['link']}: {link[:160]}", fontsize=5.5, color="#08519c")
        matrix = _qr(link)
        box = (0.06, 0.28, 0.12, 0.12) if single else (0.70, 0.70, 0.14, 0.14)
        ax = fig.add_axes(box)
        ax.imshow(~matrix, cmap="gray", interpolation="nearest")
        ax.set_axis_off()


def _qr(data: str) -> np.ndarray:
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)
