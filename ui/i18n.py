"""Texts of the app in Swedish (default) and English."""

from __future__ import annotations

from analysis.profiles import CRITERION_LABELS, PROFILES
from sites.safe_text import markdown_text

LANGUAGES = {"sv": "Svenska", "en": "English"}

TEXT: dict[str, dict[str, str]] = {
    "title": {"sv": "Etableringskartan: Södra Porten", "en": "Establishment map: Södra Porten"},
    "demo": {"sv": "**Demonstrationsdata.** Stationer, trafikplatser, vägnamn, Södra Portens läge och storlek, "
                   "kommungränser och Botkyrkas befolkning per kommundel är verkliga; fastigheter, lokaler, "
                   "markanvändning, busslinjer och tidtabeller är påhittade. Använd inte för beslut.",
             "en": "**Demonstration data.** Stations, junctions, road names, Södra Porten's position and size, "
                   "municipal boundaries and Botkyrka's district populations are real; parcels, premises, land "
                   "use, bus lines and timetables are synthetic. Do not use for decisions."},
    "profile": {"sv": "Verksamhetstyp", "en": "Establishment profile"},
    "weights": {"sv": "Vikter", "en": "Weights"},
    "profile_params": {"sv": "Profilens antaganden", "en": "Profile assumptions"},
    "m2_per_job": {"sv": "m² BTA per arbetsplats", "en": "m² floor area (BTA) per job"},
    "plot_ratio": {"sv": "Exploateringstal (BTA / tomtarea)", "en": "Plot ratio (BTA / land area)"},
    "min_plot": {"sv": "Minsta tomt (m²)", "en": "Smallest plot (m²)"},
    "all_zero": {"sv": "Alla vikter är noll; profilens vikter används tills någon vikt är över noll.",
                 "en": "All weights are zero; the profile's weights are used until one is above zero."},
    "reset": {"sv": "Återställ till profilens vikter", "en": "Reset to profile defaults"},
    "filters": {"sv": "Filter", "en": "Filters"},
    "area_range": {"sv": "Tomtarea (m²)", "en": "Plot area (m²)"},
    "plan_status": {"sv": "Planstatus", "en": "Plan status"},
    "municipal_only": {"sv": "Endast kommunal mark", "en": "Municipal land only"},
    "vacant_only": {"sv": "Endast lediga", "en": "Vacant only"},
    "categories": {"sv": "ÖP-kategorier", "en": "Plan categories"},
    "area": {"sv": "Område", "en": "Area"},
    "area_sp": {"sv": "Södra Porten", "en": "Södra Porten"},
    "area_all": {"sv": "Hela Botkyrka", "en": "All of Botkyrka"},
    "layers": {"sv": "Kartlager", "en": "Map layers"},
    "basemap": {"sv": "Bakgrundskarta (OpenStreetMap, kräver internet)",
                "en": "Basemap (OpenStreetMap, needs internet)"},
    "language": {"sv": "Språk", "en": "Language"},
    "map": {"sv": "Karta", "en": "Map"},
    "score": {"sv": "Poäng", "en": "Score"},
    "excluded": {"sv": "utesluten", "en": "excluded"},
    "site": {"sv": "Vald plats", "en": "Selected site"},
    "pick_site": {"sv": "Klicka på en fastighet i kartan eller i tabellen.",
                  "en": "Click a parcel on the map or in the table."},
    "ranking": {"sv": "Topplista", "en": "Ranking"},
    "compare": {"sv": "Jämför platser (2-4)", "en": "Compare sites (2-4)"},
    "share": {"sv": "Dela", "en": "Share"},
    "share_help": {"sv": "Länken återskapar exakt den här vyn: profil, vikter, filter, vald och jämförda platser, "
                         "kartlager och språk.",
                   "en": "The link reproduces exactly this view: profile, weights, filters, selected and compared "
                         "sites, map layers and language."},
    "valid_days": {"sv": "Giltig (dagar)", "en": "Valid (days)"},
    "investor_link": {"sv": "Läslänk för investerare, signerad", "en": "Signed read-only link for investors"},
    "valid_until": {"sv": "giltig till", "en": "valid until"},
    "link_notes": {"sv": "Delar av länken kunde inte användas", "en": "Parts of the link could not be used"},
    "sign_in": {"sv": "Logga in", "en": "Sign in"},
    "sign_out": {"sv": "Logga ut", "en": "Sign out"},
    "signed_in_as": {"sv": "Inloggad som {name}", "en": "Signed in as {name}"},
    "your_name": {"sv": "Ditt namn (visas i loggen)", "en": "Your name (shown in the audit log)"},
    "name_needed": {"sv": "Skriv ditt namn; det står i loggen vid varje ändring.",
                    "en": "Enter your name; the audit log records it with every change."},
    "sign_in_wait": {"sv": "För många felaktiga försök. Vänta {s} sekunder och försök igen.",
                     "en": "Too many failed attempts. Wait {s} seconds and try again."},
    "internal_error": {"sv": "Något gick fel i appen. Felet är loggat med id {id}; uppge det till support. "
                             "Ladda om sidan för att fortsätta.",
                       "en": "Something went wrong in the app. The error is logged with id {id}; quote it to "
                             "support. Reload the page to continue."},
    "link_unsigned": {"sv": "länken saknar signatur", "en": "the link is not signed"},
    "link_changed": {"sv": "länken har ändrats eller skapades inte här", "en": "the link has been changed or was not "
                                                                              "made here"},
    "reg_pair_changed": {"sv": "Listan har ändrats sedan den visades; välj paret igen.",
                         "en": "The shortlist changed since it was shown; choose the pair again."},
    "link_expired": {"sv": "länken har gått ut", "en": "the link has expired"},
    "password": {"sv": "Lösenord för handläggare", "en": "Officer password"},
    "wrong_password": {"sv": "Fel lösenord.", "en": "Wrong password."},
    "invalid_link": {"sv": "Den här länken är inte giltig", "en": "This link is not valid"},
    "invalid_link_help": {"sv": "Orsak: {reason}. Be kommunens etableringsenhet om en ny länk.",
                          "en": "Reason: {reason}. Ask the municipality's business office for a new link."},
    "investor_title": {"sv": "Etableringsmöjligheter i Botkyrka", "en": "Establishment opportunities in Botkyrka"},
    "investor_intro": {"sv": "Platser som kommunen delat med dig, bedömda för **{profile}**.",
                       "en": "Sites the municipality has shared with you, assessed for **{profile}**."},
    "jobs": {"sv": "Jobbpotential", "en": "Jobs potential"},
    "plot": {"sv": "Tomt", "en": "Plot"},
    "car_junction": {"sv": "Bil till E4/E20", "en": "Car to E4/E20"},
    "walk_station": {"sv": "Gång till tunnelbana/pendeltåg", "en": "Walk to metro/rail"},
    "departures": {"sv": "Avgångar/h inom 600 m, 07-09", "en": "Departures/h within 600 m, 07-09"},
    "pool_car": {"sv": "Invånare inom 30 min med bil", "en": "Residents within 30 min by car"},
    "pool_pt": {"sv": "Invånare inom 45 min kollektivt", "en": "Residents within 45 min by public transport"},
    "local_hire": {"sv": "Botkyrkabor inom 30 min", "en": "Botkyrka residents within 30 min"},
    "prospectus": {"sv": "Prospekt (PDF)", "en": "Prospectus (PDF)"},
    "prospectus_compare": {"sv": "Jämförelse som PDF", "en": "Comparison as PDF"},
    "unknown_site": {"sv": "Platsen '{site}' i länken finns inte i data och visas inte.",
                     "en": "The site '{site}' in the link is not in the data and is not shown."},
    "registry": {"sv": "Platsregister och markanvisning", "en": "Site registry and allocation"},
    "reg_sites": {"sv": "Platser", "en": "Sites"},
    "reg_apps": {"sv": "Ansökningar", "en": "Applications"},
    "reg_shortlist": {"sv": "Förslag", "en": "Shortlists"},
    "reg_audit": {"sv": "Logg", "en": "Audit trail"},
    "reg_name": {"sv": "Namn", "en": "Name"},
    "reg_notes": {"sv": "Anteckningar (interna)", "en": "Notes (internal)"},
    "reg_contact": {"sv": "Kontakt (intern)", "en": "Contact (internal)"},
    "reg_save": {"sv": "Spara vald fastighet som plats", "en": "Save the selected parcel as a site"},
    "reg_saved": {"sv": "Platsen {name} är sparad.", "en": "Site {name} saved."},
    "reg_update": {"sv": "Ändra status", "en": "Change status"},
    "reg_updated": {"sv": "Status ändrad.", "en": "Status changed."},
    "reg_company": {"sv": "Företag", "en": "Company"},
    "reg_need": {"sv": "Behov av tomtarea (m²)", "en": "Plot area needed (m²)"},
    "reg_entry": {"sv": "Varav instegsjobb", "en": "Of which entry-level jobs"},
    "reg_trips": {"sv": "Fordonsresor per dag", "en": "Vehicle trips per day"},
    "reg_timing": {"sv": "Tidplan", "en": "Timing"},
    "reg_innovation": {"sv": "Innovation (hållbarhet, teknik, kreativitet)",
                       "en": "Innovation (sustainability, technology, creativity)"},
    "reg_register": {"sv": "Registrera ansökan", "en": "Register application"},
    "reg_registered": {"sv": "Ansökan från {company} är registrerad.", "en": "Application from {company} registered."},
    "reg_need_both": {"sv": "Förslag kräver minst en öppen ansökan och en ledig plats.",
                      "en": "Shortlists need at least one open application and one available site."},
    "reg_audit_csv": {"sv": "Logg som CSV", "en": "Audit trail as CSV"},
    "reg_save_union": {"sv": "Spara de {n} jämförda fastigheterna som en plats",
                       "en": "Save the {n} compared parcels as one site"},
    "reg_filter": {"sv": "Visa status", "en": "Show status"},
    "reg_audit_for": {"sv": "Logg för", "en": "Trail for"},
    "reg_match_weights": {"sv": "Vikter för markanvisning", "en": "Allocation weights"},
    "reg_allocate_pair": {"sv": "Ansökan och plats", "en": "Application and site"},
    "reg_allocate": {"sv": "Besluta markanvisning", "en": "Decide allocation"},
    "reg_allocated": {"sv": "Beslutet är loggat med vikterna.", "en": "The decision is logged with the weights."},
    "reg_save_drawn": {"sv": "Spara ritat område som plats", "en": "Save the drawn area as a site"},
    "reg_drawn_default": {"sv": "Ritat område", "en": "Drawn area"},
    "reg_new_notes": {"sv": "Nya anteckningar (tomt = behåll)", "en": "New notes (empty = keep)"},
    "reg_archive": {"sv": "Arkivera (tas inte bort)", "en": "Archive (nothing is deleted)"},
    "reg_per_site": {"sv": "Bästa ansökningar per plats", "en": "Best applications per site"},
    "exports": {"sv": "Exportera", "en": "Export"},
    "upload": {"sv": "Egna data", "en": "Your own data"},
    "data": {"sv": "Data och källor", "en": "Data and sources"},
    "computing": {"sv": "Beräknar restider och indikatorer ...", "en": "Computing travel times and indicators ..."},
    "contributions": {"sv": "Bidrag till poängen", "en": "Contributions to the score"},
    "top_k": {"sv": "Sannolikhet att vara bland de {k} bästa", "en": "Probability of a top-{k} rank"},
    "rank_range": {"sv": "Rang (5-95 %)", "en": "Rank (5th-95th percentile)"},
    "isochrones": {"sv": "Restidsytor", "en": "Isochrones"},
    "download_isochrones": {"sv": "Restidsytor som GeoJSON", "en": "Isochrones as GeoJSON"},
    "upload_ok": {"sv": "{layer}: {n} objekt inlästa från {name}.", "en": "{layer}: {n} features loaded from {name}."},
    "upload_too_big": {"sv": "{name} är {mb:.0f} MB; största tillåtna storlek är {cap} MB.",
                       "en": "{name} is {mb:.0f} MB; the limit is {cap} MB."},
    "use_demo": {"sv": "Återgå till demodata", "en": "Back to the demo data"},
    "open_mode": {"sv": "Öppet lokalt läge: ingen inloggning är konfigurerad.",
                  "en": "Open local mode: no sign-in is configured."},
}

PLAN_STATUS_LABELS = {"adopted": {"sv": "antagen", "en": "adopted"},
                      "in_progress": {"sv": "pågående", "en": "in progress"},
                      "none": {"sv": "ingen detaljplan", "en": "no detailed plan"},
                      "unknown": {"sv": "okänd", "en": "unknown"}}


def t(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (English if missing), formatted with ``values``.

    Text values are escaped for markdown (:func:`sites.safe_text.markdown_text`): every text goes to
    a Streamlit element that renders markdown, and values may come from users or files.
    """
    entry = TEXT[key]
    text = entry.get(lang) or entry["en"]
    if not values:
        return text
    return text.format(**{k: markdown_text(v) if isinstance(v, str) else v for k, v in values.items()})


def criterion_label(criterion: str, lang: str) -> str:
    """Display name of a criterion."""
    sv, en = CRITERION_LABELS[criterion]
    return sv if lang == "sv" else en


def profile_label(key: str, lang: str) -> str:
    """Display name of a profile."""
    p = PROFILES[key]
    return p.name_sv if lang == "sv" else p.name_en
