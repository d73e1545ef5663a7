"""Karta: the officer's map explorer (map large, the site panel beside it, the ranking below)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from analysis.profiles import CRITERIA
from errors import SiteFinderError
from settings import DISPLAY_CRS
from sites import export
from sites.display import display_parcels
from sites.prospectus import prospectus_pdf
from sites.registry import SITE_STATUSES
from sites.safe_text import markdown_link
from sites.safe_text import markdown_text as md
from sites.scored import ScoredSites, Scorer
from sites.selection import drawn_area
from sites.share import DEFAULT_CENTER, DEFAULT_ZOOM, ViewState, encode, investor_link
from sites.tiles import positions
from ui.auth import link_secret, officer_name
from ui.boundary import guarded
from ui.cache import DatasetCache
from ui.colours import EXCLUDED, viridis
from ui.data import (
    bundle,
    indicators,
    isochrone_overlays,
    legend_labels,
    map_overlays,
    parcel_tiles,
    prewarm_networks,
    registry,
    registry_layer,
    registry_url,
    saved_parcel_ids,
    scored,
    scored_ready,
    scorer,
    site_isochrones,
    static_layers,
    uploads_key,
)
from ui.i18n import (
    PLAN_STATUS_LABELS,
    area_m2,
    column_label,
    criterion_label,
    number,
    op_category_label,
    owner_label,
    percent,
    t,
)
from ui.map_builder import MapLayers, build_map, score_layer
from ui.parcel_map import MapClick, painted_version, parcel_map, scores_version
from ui.sidebar import Choices, SidebarSlots, chosen, sidebar, weight_sliders
from ui.state import K, notice, share_url, view_state


def page() -> None:
    """Draw the page."""
    lang = st.session_state[K.LANG]
    # The sidebar's ~40 widgets go after the map: a weight change reaches the map without waiting
    # for them. On a session's first run they are left to a second run, started when the map
    # reports its first tiles drawn: Streamlit loads each kind of widget's script on first use, and
    # loading them held the map's frame back by ~0.5 s (of 2.3 s, measured in headless Chromium)
    # when the second run followed at once. Drawing mode has no such report: it reruns at once.
    first = not st.session_state.get(K.CONTROLS_DRAWN)
    choices = chosen()
    slots = SidebarSlots.make()
    st.title(t("title", lang))
    st.warning(t("demo", lang))
    # Notices and the spinner sit in a container of their own: shown or not, they never shift the
    # elements after them (a shift gives the map a new place in the page and rebuilds its frame).
    notices = st.container()
    # Shown once; a first run hands its notices to the second run, which draws the page again.
    shown: list[tuple[str, str]] = st.session_state.pop(K.NOTICES, [])
    if st.session_state.get(K.LINK_NOTES):
        shown.append(("info", t("link_notes", lang) + ": "
                      + "; ".join(md(n) for n in st.session_state.pop(K.LINK_NOTES))))
    message = st.session_state.pop(K.UPLOAD_MESSAGE, None)
    if message:
        shown.append(message)
    for kind, text in shown:
        notice(kind, text, notices)
    with notices, st.spinner(t("computing", lang)):
        cache = bundle(uploads_key())
        table = indicators(cache, lang).table
    ds = cache.dataset
    selected = st.session_state.get(K.SELECTED)
    if selected and selected not in set(ds.parcels["parcel_id"]):
        shown.append(("info", t("unknown_site", lang, site=selected)))
        notice(*shown[-1], notices)
        st.session_state[K.SELECTED] = selected = None
    col_map, col_panel = st.columns([2, 1])
    with col_map:
        st.toggle(t("draw_mode", lang), key=K.DRAW_MODE, help=t("draw_mode_help", lang))
    st.session_state[K.PAGE_DRAWN_WITH] = _drawn_with()

    def draw_panel() -> ScoredSites:
        result = scored(cache, choices.profile, choices.weights, choices.filters, lang, table, choices.car_period)
        with col_panel:
            site_panel(result, cache, lang)
            save_forms(result, cache, lang)
        return result

    # Whatever is ready goes first: after a click (scores known) the panel, before the new parcel's
    # isochrones; after a weight change the map's new colours, before ranks, robustness and texts.
    # In drawing mode the map goes first: what it returns (the drawn area) feeds the save form.
    panel_first = not st.session_state.get(K.DRAW_MODE) and scored_ready(
        cache, choices.profile, choices.weights, choices.filters, lang, choices.car_period)
    if panel_first:
        result = draw_panel()
    map_view(cache, col_map, slots.weights, first)
    if first:
        slots.top.caption(t("controls_loading", lang))
    else:
        sidebar(lang, slots, weights=False)
    if not panel_first:
        result = draw_panel()
    ranking(result, lang)
    state = view_state(choices.filters, choices.visible)
    st.query_params.from_dict(encode(state))
    share_panel(state, lang)
    exports(result, lang)
    if first:
        st.session_state[K.NOTICES] = shown
        st.session_state[K.CONTROLS_DRAWN] = True
        if st.session_state.get(K.DRAW_MODE):
            st.rerun()
        _controls_fallback()
    else:
        st.session_state[K.CONTROLS_SHOWN] = True


@st.fragment(run_every=4)
def _controls_fallback() -> None:
    """Draw the controls after ~4 s should the map never report its first view (its frame failed)."""
    runs = st.session_state.get(K.FALLBACK_RUNS, 0)
    st.session_state[K.FALLBACK_RUNS] = runs + 1
    if runs and not st.session_state.get(K.CONTROLS_SHOWN):  # not in the page's own run
        st.rerun(scope="app")


def _drawn_with() -> tuple:
    """What the page outside the map shows: the sliders' weights (as set, before any fallback) and the site."""
    ss = st.session_state
    return tuple(ss.get(K.weight(c)) for c in CRITERIA), ss.get(K.SELECTED)


@st.fragment
@guarded
def map_view(cache: DatasetCache, col_map: DeltaGenerator, weights_slot: DeltaGenerator, first: bool) -> None:
    """The map and the weight sliders: a weight change reruns them alone, then the page follows.

    Its arguments are those of the page's last full run (Streamlit keeps them for the fragment's
    reruns): the containers to write into, and whether that run was the session's first (the
    controls wait for the map's first view). Everything else is read from the session state.

    A fragment: moving a weight slider reruns only this function, so the map gets its new colours
    without waiting for the ~60 other elements of the page (their redrawing in the browser held the
    repaint back by ~0.2 s). Once the map reports the new colours on screen, a full run brings the
    ranking, the site panel, the share link and the exports up to date. Should the map never report
    (its frame failed), the full run follows at once. A click on the map also reruns the page at once.
    """
    ss = st.session_state
    alone = ss.get(K.MAP_RUN_OF) == ss.get(K.SCRIPT_RUNS)  # a rerun of this fragment, not of the page
    ss[K.MAP_RUN_OF] = ss.get(K.SCRIPT_RUNS)
    choices = chosen()
    lang = ss[K.LANG]
    table = indicators(cache, lang).table
    selected = ss.get(K.SELECTED)
    behind = alone and _drawn_with() != ss.get(K.PAGE_DRAWN_WITH)  # the page shows other weights
    version = None
    with col_map:
        if ss.get(K.DRAW_MODE):
            drawing_map(cache, choices, lang, scored(cache, choices.profile, choices.weights, choices.filters,
                                                     lang, table, choices.car_period), selected)
        else:
            version = tile_map(cache, choices, lang, scorer(cache, choices.profile, table, choices.car_period),
                               selected, report_painted=first or behind)
    if not first:
        with weights_slot:
            weight_sliders(lang)
    if not alone:
        return
    reported = painted_version(ss.get(f"explorer_map_{cache.key}"))
    if reported is not None:
        ss[K.MAP_REPORTS] = True
    if (not ss.get(K.CONTROLS_SHOWN) or ss.get(K.DRAW_MODE) or selected != ss.get(K.PAGE_DRAWN_WITH, ((), None))[1]
            or (behind and (reported == version or not ss.get(K.MAP_REPORTS)))):
        st.rerun(scope="app")


INDICATOR_ROWS = ("jobs_est", "developable_m2", "plot_ratio_used", "car_min_to_junction", "walk_m_to_rail_stop",
                  "departures_per_hour_600m", "departures_per_hour_1200m", "residents_30min_car", "residents_45min_pt",
                  "labour_gravity_pt", "local_hire_30min_botkyrka", "readiness_index", "op_category")


def tile_map(cache: DatasetCache, choices: Choices, lang: str, sc: Scorer, selected: str | None, *,
             report_painted: bool = False) -> str:
    """Every parcel from vector tiles, coloured in the browser; a click selects a parcel.

    Returns
    -------
    str
        The version of the scores sent (what the map reports once it shows them).
    """
    ds = cache.dataset
    ids = ds.parcels["parcel_id"]
    scores = sc.quick(choices.weights, choices.filters, robustness=False).map_scores()
    overlays, legend_rows = map_overlays(cache, tuple(sorted(k for k, v in choices.visible.items() if v)), lang)
    extra, iso_rows = isochrone_overlays(cache, selected, lang) if selected else ([], [])
    legend_rows = [*legend_rows, *iso_rows]
    saved = saved_parcel_ids(cache)
    click = parcel_map(
        parcel_tiles(cache), scores, ids, selected=positions(ids, [selected] if selected else []),
        saved=positions(ids, saved), overlays=[*overlays, *extra],
        legend={"title": t("score", lang), "low": "0", "high": "100", "items": [
            {"label": t("excluded", lang), "colour": EXCLUDED}, {"label": t("legend_selected", lang),
                                                                  "colour": "#ffffff", "outline": "#d7191c"},
            {"label": t("legend_saved_site", lang), "colour": "#ffffff", "outline": "#7b3294"}, *legend_rows]},
        texts={"score": t("score", lang), "rank": t("map_rank", lang), "excluded": t("excluded", lang),
               "filtered": t("map_filtered", lang)},
        locale="sv-SE" if lang == "sv" else "en-GB", height=680, key=f"explorer_map_{cache.key}",
        # Uploaded data: a new map for the new data, fitted to it; the demo opens where the link says.
        center=None if st.session_state.get(K.UPLOADS) else st.session_state.get(K.MAP_CENTER, DEFAULT_CENTER),
        zoom=None if st.session_state.get(K.UPLOADS) else st.session_state.get(K.MAP_ZOOM, DEFAULT_ZOOM),
        on_click=_map_clicked, report_painted=report_painted)
    if click is not None and click.clicks != st.session_state.get(K.MAP_CLICKS):  # a click not yet handled
        _map_clicked(click)
        if click.parcel_id != selected:
            st.rerun(scope="app")
    prewarm_networks(cache)
    return scores_version(scores)


def _map_clicked(click: MapClick) -> None:
    """A new click on the map selects its parcel (before the rerun, so that one rerun shows it)."""
    if click.clicks != st.session_state.get(K.MAP_CLICKS):
        st.session_state[K.MAP_CLICKS] = click.clicks
        st.session_state[K.SELECTED] = click.parcel_id


def drawing_map(cache: DatasetCache, choices: Choices, lang: str, result: ScoredSites,
                selected: str | None) -> None:
    """The folium map with drawing tools: draw a polygon or rectangle to save it as a site."""
    ds = cache.dataset
    static = static_layers(cache)
    scores = result.frame["score"].reindex(ds.parcels.index)
    shown = display_parcels(ds.parcels.loc[result.frame.index], scores.loc[result.frame.index])
    parcels_view = shown.to_crs(DISPLAY_CRS).merge(
        result.frame[["parcel_id", "designation", "score", "rank", "excluded"]], on="parcel_id")
    parcels_view["colour"] = viridis(parcels_view["score"].to_numpy())
    parcels_view["tooltip"] = parcels_view["designation"]
    sel_geom = parcels_view[parcels_view["parcel_id"] == selected]
    view = MapLayers(parcels=parcels_view, selected=sel_geom if len(sel_geom) else None,
                     registry_sites=registry_layer(ds), visible=choices.visible,
                     **{k: v for k, v in static.items() if k != "parcels_wgs84"})
    fmap = build_map(view, center=st.session_state.get(K.MAP_CENTER, DEFAULT_CENTER),
                     zoom=st.session_state.get(K.MAP_ZOOM, DEFAULT_ZOOM), basemap=choices.basemap,
                     legend_title=t("score", lang), excluded_label=t("excluded", lang),
                     labels=legend_labels(lang), drawing=True)
    out = st_folium(fmap, key="map", height=680, use_container_width=True, feature_group_to_add=score_layer(view),
                    returned_objects=["all_drawings"])
    st.session_state[K.DRAWN] = drawn_area((out or {}).get("all_drawings"))


def site_panel(result: ScoredSites, cache: DatasetCache, lang: str) -> None:
    """Facts, indicators, contributions and robustness of the selected parcel."""
    st.subheader(t("site", lang))
    frame = result.frame
    names = dict(zip(frame["parcel_id"], frame["designation"], strict=True))
    st.session_state[K.SITE_PICK] = st.session_state.get(K.SELECTED) if st.session_state.get(K.SELECTED) in names \
        else None
    st.selectbox(t("pick_site_select", lang), list(names), key=K.SITE_PICK, format_func=names.get,
                 placeholder=t("pick_site_placeholder", lang), on_change=_picked)
    pid = st.session_state.get(K.SELECTED)
    row = frame.loc[frame["parcel_id"] == pid]
    if row.empty:
        st.info(t("pick_site", lang))
        return
    r = row.iloc[0]
    st.markdown(f"### {md(r['designation'])}")
    status = PLAN_STATUS_LABELS.get(r["plan_status"], {}).get(lang, r["plan_status"])
    st.markdown(f"**{md(r['area_name'])}** · {md(area_m2(r['area_m2'], lang))} · "
                f"{md(owner_label(r['owner_type'], lang))} · {md(status)}"
                + (f" ({md(r['plan_use_code'])})" if r["plan_use_code"] else ""))
    if r["excluded"]:
        st.warning(md(r["explanation"]))
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(t("score", lang), number(r["score"], lang, decimals=1), help=md(r["explanation"]))
        c2.metric(t("fact_rank", lang), f"{int(r['rank'])}")
        c3.metric(t("top_k", lang, k=result.top_k), percent(r["p_top_k"], lang),
                  help=t("top_k_help", lang, k=result.top_k))
        st.caption(f"{t('rank_range', lang)}: {int(r['rank_p05'])}-{int(r['rank_p95'])} · {md(r['explanation'])}")
        contrib = pd.DataFrame({"criterion": [criterion_label(c, lang) for c in CRITERIA],
                                "points": [r[f"contrib_{c}"] for c in CRITERIA]})
        st.markdown(f"**{t('contributions', lang)}**")
        st.altair_chart(contribution_chart(contrib, t("points", lang)), width="stretch")
    with_place = {"car_min_to_junction": "nearest_junction", "walk_m_to_rail_stop": "nearest_rail_stop"}
    decimals = {"car_min_to_junction": 1, "plot_ratio_used": 2, "readiness_index": 2}
    rows = []
    for col in INDICATOR_ROWS:
        value = r[col]
        shown = str(op_category_label(value, lang)) if col == "op_category" else number(value, lang,
                                                                                         decimals=decimals.get(col, 0))
        if col in with_place:
            shown += f" ({r[with_place[col]]})"
        rows.append((t(f"indicator.{col}", lang), shown))
    indicators_table = pd.DataFrame(rows, columns=[column_label("indicator", lang), column_label("value", lang)])
    st.dataframe(indicators_table, hide_index=True, width="stretch")
    iso = site_isochrones(cache, pid)
    st.download_button(t("prospectus", lang), data=lambda: prospectus_pdf(
        cache.dataset, result, [pid], lang=lang, link=share_url(st.query_params.to_dict()), isochrones=iso),
        file_name=f"prospekt_{r['designation'].replace(' ', '_').replace(':', '-')}.pdf", mime="application/pdf",
        key="dl_prospectus", on_click="ignore")
    st.download_button(t("download_isochrones", lang), lambda: export.geojson_text(iso[["key", "geometry"]]),
                       file_name=f"isochrones_{r['designation'].replace(' ', '_')}.geojson",
                       mime="application/geo+json", key="dl_iso")



def contribution_chart(contrib: pd.DataFrame, points_label: str) -> alt.Chart:
    """Points per criterion as horizontal bars with whole labels (Streamlit's bar chart cuts them)."""
    return alt.Chart(contrib).mark_bar(color="#21918c").encode(
        x=alt.X("points:Q", title=points_label),
        y=alt.Y("criterion:N", sort=None, title=None, axis=alt.Axis(labelLimit=0, labelOverlap=False)),
        tooltip=["criterion", alt.Tooltip("points:Q", format=".1f")],
    ).properties(height=26 * len(contrib))


def _picked() -> None:
    st.session_state[K.SELECTED] = st.session_state.get(K.SITE_PICK)


def save_forms(result: ScoredSites, cache: DatasetCache, lang: str) -> None:
    """Save the selected parcel or a drawn area as a candidate site in the registry."""
    ds = cache.dataset
    try:
        reg = registry(registry_url())
    except SiteFinderError as err:
        st.error(md(str(err)))
        return
    who = officer_name()
    selected = st.session_state.get(K.SELECTED)
    frame = result.frame.set_index("parcel_id")
    if selected and selected in frame.index:
        row = frame.loc[selected]
        with st.form("save_site"):
            name = st.text_input(t("reg_name", lang), value=row["designation"], key="reg_name")
            status = st.selectbox("Status", SITE_STATUSES, index=1, key="reg_status")
            notes = st.text_area(t("reg_notes", lang), key="reg_notes")
            contact = st.text_input(t("reg_contact", lang), key="reg_contact")
            if st.form_submit_button(t("reg_save", lang)):
                parcel = ds.parcels.loc[ds.parcels["parcel_id"] == selected].iloc[0]
                try:
                    reg.add_site(who, name=name, status=status, geometry=parcel.geometry, notes=notes,
                                 contact=contact, plan_status=parcel["plan_status"],
                                 plan_use_code=parcel["plan_use_code"], parcel_ids=(selected,))
                    st.success(t("reg_saved", lang, name=name))
                except SiteFinderError as err:
                    st.error(md(str(err)))
    drawn = st.session_state.get(K.DRAWN)
    if drawn is not None:
        with st.form("save_drawn"):
            drawn_name = st.text_input(t("reg_name", lang), value=t("reg_drawn_default", lang), key="drawn_name")
            st.caption(area_m2(drawn.area, lang))
            if st.form_submit_button(t("reg_save_drawn", lang)):
                try:
                    reg.add_site(who, name=drawn_name, status="idea", geometry=drawn)
                    st.success(t("reg_saved", lang, name=drawn_name))
                except SiteFinderError as err:
                    st.error(md(str(err)))


def ranking(result: ScoredSites, lang: str) -> None:
    """Top sites as a selectable table."""
    st.subheader(t("ranking", lang))
    top = result.top(25)
    table = pd.DataFrame({column_label("rank", lang): top["rank"],
                          column_label("designation", lang): top["designation"],
                          column_label("area_name", lang): top["area_name"],
                          column_label("score", lang): top["score"].round(1),
                          column_label("jobs_est", lang): top["jobs_est"].round(0),
                          column_label("top_k_pct", lang, k=result.top_k): (top["p_top_k"] * 100).round(0),
                          column_label("area_m2", lang): top["area_m2"].round(0),
                          column_label("why", lang): top["explanation"]})
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="ranking_table")
    rows = event.selection.rows if event is not None else []
    if rows:
        pid = top["parcel_id"].iloc[rows[0]]
        if pid != st.session_state.get(K.SELECTED):
            st.session_state[K.SELECTED] = pid
            st.rerun()


def share_panel(state: ViewState, lang: str) -> None:
    """The link to this view, and a signed read-only link for investors."""
    st.subheader(t("share", lang))
    st.caption(t("share_help", lang))
    # Links as markdown (copy with the browser's "copy link"): st.code would load a 1.6 MB syntax
    # highlighter into every first render of this page.
    url = share_url(encode(state))
    st.markdown(markdown_link(url, url))
    c1, c2 = st.columns([1, 2])
    days = c1.number_input(t("valid_days", lang), 1, 365, 30, key="link_days")
    expires = dt.date.today() + dt.timedelta(days=int(days))
    c2.markdown(f"**{t('investor_link', lang)}** ({t('valid_until', lang)} {expires.isoformat()})")
    investor = share_url(investor_link(state, link_secret(), expires=expires))
    st.markdown(markdown_link(investor, investor))


def export_files(result: ScoredSites) -> dict[str, tuple[Callable[[], str | bytes], str, str]]:
    """Label -> (builder, file name, MIME type) of the scored set's downloads (built only when called)."""

    def geojson() -> str:
        out = result.export_frame()
        meta = {"profile": result.frame["profile"].iloc[0] if len(out) else "", "weights": result.weights_dict()}
        return export.geojson_text(out, metadata=meta)

    def gpkg() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scored_sites.gpkg"
            export.write_gpkg(result.export_frame(), path)
            return path.read_bytes()

    return {"GeoJSON (WGS84)": (geojson, "scored_sites.geojson", "application/geo+json"),
            "GeoPackage (EPSG:3006)": (gpkg, "scored_sites.gpkg", "application/geopackage+sqlite3"),
            "CSV": (lambda: export.csv_text(result.export_frame()), "scored_sites.csv", "text/csv")}


def exports(result: ScoredSites, lang: str) -> None:
    """Download the filtered, scored set; each file is built when its button is clicked, not on every rerun."""
    st.subheader(t("exports", lang))
    for column, (label, (build, name, mime)) in zip(st.columns(3), export_files(result).items(), strict=True):
        column.download_button(label, build, file_name=name, mime=mime, key=f"dl_{name.rsplit('.', 1)[1]}",
                               on_click="ignore")


if __name__ == "__main__":
    page()
