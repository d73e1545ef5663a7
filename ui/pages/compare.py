"""Jämför: two to four sites side by side (facts apart from score points), their PDF, save as one site."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.profiles import CRITERIA
from errors import SiteFinderError
from sites.prospectus import prospectus_pdf
from sites.safe_text import markdown_text as md
from ui.auth import officer_name
from ui.data import current_result, registry, registry_url
from ui.i18n import criterion_label, t
from ui.sidebar import sidebar
from ui.state import K, share_url

FACTS = (("score", "score", 1), ("rank", "rank", 0), ("jobs", "jobs_est", 0),
         ("car_junction_min", "car_min_to_junction", 1), ("walk_station_m", "walk_m_to_rail_stop", 0),
         ("pool_pt", "residents_45min_pt", 0), ("local_hire", "local_hire_30min_botkyrka", 0))


def page() -> None:
    """Draw the page."""
    lang = st.session_state[K.LANG]
    choices = sidebar(lang)
    lang = st.session_state[K.LANG]
    st.title(t("page_compare", lang))
    cache, result = current_result(choices.profile, choices.weights, choices.filters, lang, choices.car_period)
    ranked = result.frame[~result.frame["excluded"]]
    names = dict(zip(ranked["parcel_id"], ranked["designation"], strict=True))
    st.session_state[K.COMPARE] = [i for i in st.session_state.get(K.COMPARE, []) if i in names][:4]
    ids = st.multiselect(t("compare", lang), list(names), max_selections=4, key=K.COMPARE, format_func=names.get)
    if len(ids) < 2:
        st.caption(t("compare_pick", lang))
        return
    rows = ranked.set_index("parcel_id").loc[ids]
    header = [rows.loc[i, "designation"] for i in ids]
    facts = pd.DataFrame([[round(float(rows.loc[i, col]), nd) if nd else round(float(rows.loc[i, col]))
                           for i in ids] for _, col, nd in FACTS],
                         index=[t(f"fact_{key}", lang) for key, _, _ in FACTS], columns=header)
    st.markdown(f"**{t('compare_facts', lang)}**")
    st.dataframe(facts, width="stretch")
    points = pd.DataFrame([[round(float(rows.loc[i, f"contrib_{c}"]), 1) for i in ids] for c in CRITERIA],
                          index=[criterion_label(c, lang) for c in CRITERIA], columns=header)
    st.markdown(f"**{t('compare_points', lang)}**")
    st.dataframe(points, width="stretch")
    st.bar_chart(points.T, horizontal=True, stack=True)
    st.download_button(t("prospectus_compare", lang), data=lambda: prospectus_pdf(
        cache.dataset, result, ids, lang=lang, link=share_url(st.query_params.to_dict())), file_name="jamforelse.pdf",
        mime="application/pdf", key="dl_compare_pdf", on_click="ignore")
    if st.button(t("reg_save_union", lang, n=len(ids)), key="reg_union"):
        chosen = cache.dataset.parcels[cache.dataset.parcels["parcel_id"].isin(ids)]
        name = " + ".join(chosen["designation"])
        try:
            registry(registry_url()).add_site(officer_name(), name=name, status="idea",
                                              geometry=chosen.union_all(), parcel_ids=tuple(ids))
            st.success(t("reg_saved", lang, name=name))
        except SiteFinderError as err:
            st.error(md(str(err)))


if __name__ == "__main__":
    page()
