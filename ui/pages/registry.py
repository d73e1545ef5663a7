"""Platser och markanvisning: candidate sites, applications, shortlists and allocation decisions.

Forms act on what the officer saw: the site versions and shortlist rows rendered with a form are
kept in session state and used at submit, so a change made meanwhile by someone else is refused by
the registry's version check instead of being overwritten (issue 9).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.matching import DEFAULT_MATCH_WEIGHTS
from analysis.profiles import PROFILES
from errors import SiteFinderError
from sites.registry import SITE_STATUSES
from sites.safe_text import markdown_text as md
from ui.auth import officer_name
from ui.data import bundle, registry, registry_url, shortlists, uploads_key
from ui.i18n import column_label, profile_label, t
from ui.state import K, flash, show_flash


def page() -> None:
    """Draw the page."""
    lang = st.session_state[K.LANG]
    st.title(t("page_registry", lang))
    cache = bundle(uploads_key())
    try:
        reg = registry(registry_url())
    except SiteFinderError as err:
        st.error(md(str(err)))
        return
    who = officer_name()
    show_flash()
    tab_sites, tab_apps, tab_short = st.tabs([t("reg_sites", lang), t("reg_apps", lang), t("reg_shortlist", lang)])
    with tab_sites:
        status_filter = st.selectbox(t("reg_filter", lang), ["all", *SITE_STATUSES], key="reg_filter",
                                     format_func=lambda x: t(f"status_{x}", lang))
        listed = reg.sites(status=None if status_filter == "all" else status_filter)
        if listed:
            st.dataframe(pd.DataFrame([{column_label("id", lang): s["id"], t("col_name", lang): s["name"],
                                        t("col_status", lang): t(f"status_{s['status']}", lang),
                                        t("col_area_m2", lang): round(s["area_m2"]),
                                        t("col_version", lang): s["version"]} for s in listed]),
                         hide_index=True, width="stretch", key="reg_sites_table")
            shown_versions = st.session_state.get(K.REG_EDIT_SHOWN, {})
            with st.form("edit_site"):
                ids = [s["id"] for s in listed]
                names = {s["id"]: s["name"] for s in listed}
                site_id = st.selectbox(t("reg_site", lang), ids, key="reg_edit_id",
                                       format_func=lambda i: f"{i}: {names[i]}")
                new_status = st.selectbox(t("col_status", lang), SITE_STATUSES, key="reg_edit_status",
                                          format_func=lambda x: t(f"status_{x}", lang))
                new_notes = st.text_input(t("reg_new_notes", lang), key="reg_edit_notes")
                archive = st.checkbox(t("reg_archive", lang), key="reg_edit_archive")
                if st.form_submit_button(t("reg_update", lang)):
                    changes = {"status": new_status, **({"notes": new_notes} if new_notes else {})}
                    try:
                        version = reg.update_site(who, site_id, shown_versions.get(site_id, -1), **changes)
                        if archive:
                            reg.archive_site(who, site_id, version)
                        flash("success", t("reg_updated", lang))
                        st.rerun()
                    except SiteFinderError as err:
                        st.error(md(str(err)))
            st.session_state[K.REG_EDIT_SHOWN] = {s["id"]: s["version"] for s in listed}
    with tab_apps:
        with st.form("application"):
            company = st.text_input(t("reg_company", lang), key="app_company")
            profile_key = st.selectbox(t("profile", lang), list(PROFILES), key="app_profile",
                                       format_func=lambda k: profile_label(k, lang))
            c1, c2, c3 = st.columns(3)
            need = c1.number_input(t("reg_need", lang), 0.0, 500_000.0, 10_000.0, step=500.0, key="app_need")
            jobs = c2.number_input(t("jobs", lang), 0, 10_000, 50, key="app_jobs")
            entry = c3.number_input(t("reg_entry", lang), 0, 10_000, 10, key="app_entry")
            trips = c1.number_input(t("reg_trips", lang), 0, 100_000, 100, key="app_trips")
            timing = c2.text_input(t("reg_timing", lang), key="app_timing")
            innovation = c3.checkbox(t("reg_innovation", lang), key="app_innovation")
            if st.form_submit_button(t("reg_register", lang)):
                try:
                    reg.add_application(who, company=company, profile=profile_key, area_need_m2=need, jobs=int(jobs),
                                        entry_level_jobs=int(entry), timing=timing,
                                        vehicle_trips_per_day=int(trips), innovation=innovation)
                    st.success(t("reg_registered", lang, company=company))
                except SiteFinderError as err:
                    st.error(md(str(err)))
        apps = reg.applications()
        if apps:
            table = pd.DataFrame(apps)[["id", "company", "profile", "area_need_m2", "jobs", "entry_level_jobs",
                                        "status"]]
            table["profile"] = table["profile"].map(lambda k: profile_label(k, lang) if k in PROFILES else k)
            table["status"] = table["status"].map(lambda x: t(f"status_{x}", lang))
            st.dataframe(table.rename(columns={c: t(f"col_{c}", lang) if c != "id" else column_label("id", lang)
                                               for c in table.columns}),
                         hide_index=True, width="stretch", key="reg_apps_table")
    with tab_short:
        with st.expander(t("reg_match_weights", lang)):
            match_weights = {c: st.slider(t(f"match_{c}", lang), 0.0, 1.0, float(w), 0.05, key=f"mw_{c}")
                             for c, w in DEFAULT_MATCH_WEIGHTS.items()}
        if not any(v > 0 for v in match_weights.values()):
            st.warning(t("all_zero", lang))
            match_weights = dict(DEFAULT_MATCH_WEIGHTS)
        shortlist = shortlists(reg, cache, match_weights, lang)
        if shortlist is None:
            st.caption(t("reg_need_both", lang))
        else:
            labels = {c: t(f"col_{c}", lang) for c in ("application", "site", "rank", "rank_for_site", "score", "why")}
            st.dataframe(shortlist[["application", "site", "rank", "score", "why"]].rename(columns=labels),
                         hide_index=True, width="stretch", key="reg_shortlist_table")
            st.markdown(f"**{t('reg_per_site', lang)}**")
            per_site = shortlist.sort_values(["site", "rank_for_site"])
            st.dataframe(per_site[["site", "rank_for_site", "application", "score", "why"]].rename(columns=labels),
                         hide_index=True, width="stretch", key="reg_per_site_table")
            shown_pairs = st.session_state.get(K.REG_PAIRS_SHOWN, {})
            chosen_label = st.session_state.get("reg_pair")  # the label chosen on the page as it was shown
            with st.form("allocate"):
                pairs = {f"{r.application} -> {r.site} (#{r.application_id} / #{r.site_id})":
                         (int(r.application_id), int(r.site_id), int(r.application_version), int(r.site_version))
                         for r in shortlist.itertuples()}
                st.selectbox(t("reg_allocate_pair", lang), list(pairs), key="reg_pair")
                if st.form_submit_button(t("reg_allocate", lang)):
                    chosen = shown_pairs.get(chosen_label)
                    if chosen is None:
                        st.error(t("reg_pair_changed", lang))
                    else:
                        app_id, site_id, app_version, site_version = chosen
                        try:
                            reg.record_decision(who, app_id, site_id, match_weights, application_version=app_version,
                                                site_version=site_version)
                            st.success(t("reg_allocated", lang))
                        except SiteFinderError as err:
                            st.error(md(str(err)))
            st.session_state[K.REG_PAIRS_SHOWN] = pairs


if __name__ == "__main__":
    page()
