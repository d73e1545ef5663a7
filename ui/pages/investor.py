"""The investor page: a signed link's read-only view (the shared sites, their facts, the map, the PDF).

The link is verified on every run and only what its token holds is shown; an investor link
registers this page alone with ``st.navigation``, so no officer page can be reached from it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.profiles import PROFILES
from settings import DISPLAY_CRS
from sites.display import display_parcels
from sites.prospectus import prospectus_pdf
from sites.safe_text import markdown_text as md
from sites.scored import Filters
from sites.share import ALL_LAYERS, read_investor_link
from texts import metres, minutes
from ui.auth import link_secret
from ui.colours import viridis
from ui.data import bundle, indicators, scored, static_layers
from ui.i18n import PLAN_STATUS_LABELS, area_m2, number, profile_label, t
from ui.map_builder import MapLayers, build_map, score_layer
from ui.state import K, share_url


def page() -> None:
    """Read-only view of a signed link: the shared sites, their facts, the map; nothing internal.

    The link is verified on every run, and only what its token holds is shown.
    """
    lang = st.session_state[K.LANG]
    link, reason = read_investor_link(st.query_params.to_dict(), link_secret())
    if link is None:
        st.title(t("invalid_link", lang))
        st.info(t("invalid_link_help", lang, reason=t(reason, lang)))
        return
    lang = link.lang
    st.title(t("investor_title", lang))
    st.warning(t("demo", lang))
    cache = bundle(())
    ds = cache.dataset
    table = indicators(cache, lang).table
    profile = PROFILES[link.profile]
    filters = Filters(min_area_m2=link.min_area_m2, max_area_m2=link.max_area_m2 or float("inf"),
                      plan_statuses=link.plan_statuses, municipal_only=link.municipal_only,
                      vacant_only=link.vacant_only, categories=link.categories,
                      area_names=("Södra Porten",) if link.area == "sp" else ())
    result = scored(cache, profile, link.full_weights(), filters, lang, table)
    frame = result.frame
    shared = [i for i in dict.fromkeys([link.selected, *link.compare]) if i and i in set(frame["parcel_id"])]
    st.markdown(t("investor_intro", lang, profile=profile_label(profile.key, lang)))
    rows = frame.set_index("parcel_id").loc[shared] if shared else frame.head(0).set_index("parcel_id")
    for _, r in rows.iterrows():
        with st.container(border=True):
            st.markdown(f"### {md(r['designation'])} · {md(r['area_name'])}")
            c = st.columns(4)
            c[0].metric(t("score", lang), "-" if r["excluded"] else number(r["score"], lang, decimals=1))
            c[1].metric(t("fact_rank", lang), "-" if r["excluded"] else f"{int(r['rank'])}")
            c[2].metric(t("jobs", lang), number(r["jobs_est"], lang))
            c[3].metric(t("plot", lang), area_m2(r["area_m2"], lang))
            st.caption(md(r["explanation"]))
            st.dataframe(pd.DataFrame([
                (t("car_junction", lang), f"{minutes(r['car_min_to_junction'], lang)} ({r['nearest_junction']})"),
                (t("walk_station", lang), f"{metres(r['walk_m_to_rail_stop'], lang)} ({r['nearest_rail_stop']})"),
                (t("departures", lang), number(r["departures_per_hour_600m"], lang)),
                (t("pool_car", lang), number(r["residents_30min_car"], lang)),
                (t("pool_pt", lang), number(r["residents_45min_pt"], lang)),
                (t("local_hire", lang), number(r["local_hire_30min_botkyrka"], lang)),
                (t("plan_status", lang), PLAN_STATUS_LABELS.get(r["plan_status"], {}).get(lang, r["plan_status"])),
            ], columns=[t("col_indicator", lang), t("col_value", lang)]), hide_index=True, width="stretch")
    static = static_layers(cache)
    scores = frame["score"].reindex(ds.parcels.index)
    shown = display_parcels(ds.parcels.loc[frame.index], scores.loc[frame.index])
    view = shown.to_crs(DISPLAY_CRS).merge(frame[["parcel_id", "designation", "score", "excluded"]], on="parcel_id")
    view["colour"] = viridis(view["score"].to_numpy())
    view["tooltip"] = view["designation"]
    selected = view[view["parcel_id"].isin(shared)]
    layers_ = MapLayers(parcels=view, selected=selected if len(selected) else None,
                        visible={k: k in link.layers for k in ALL_LAYERS},
                        **{k: v for k, v in static.items() if k not in ("parcels_wgs84", "premises")})
    centre = (selected.geometry.union_all().centroid.y, selected.geometry.union_all().centroid.x) if len(selected) \
        else link.center
    fmap = build_map(layers_, center=centre, zoom=link.zoom, legend_title=t("score", lang),
                     excluded_label=t("excluded", lang))
    st_folium(fmap, key="investor_map", height=520, use_container_width=True, feature_group_to_add=score_layer(layers_),
              returned_objects=[])
    if shared:
        st.download_button(t("prospectus", lang), data=lambda: prospectus_pdf(
            ds, result, shared, lang=lang, link=share_url(st.query_params.to_dict())), file_name="prospekt.pdf",
            mime="application/pdf", key="dl_investor_pdf", on_click="ignore")
    if link.expires:
        st.caption(f"{t('valid_until', lang)} {link.expires.isoformat()}")


if __name__ == "__main__":
    page()
