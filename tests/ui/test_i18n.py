"""The app's text helpers read the one catalogue, escape values for markdown and label coded values."""

from __future__ import annotations

from analysis.profiles import CRITERIA, PROFILES
from sites.registry import APPLICATION_STATUSES, SITE_STATUSES
from sites.share import ALL_LAYERS
from ui.i18n import (
    PLAN_STATUS_LABELS,
    TEXT,
    application_status_label,
    column_label,
    criterion_label,
    layer_label,
    mode_label,
    op_category_label,
    owner_label,
    profile_label,
    site_status_label,
    t,
)


def test_t_escapes_text_values_for_markdown_and_writes_numbers_for_the_language():
    assert t("signed_in_as", "sv", name="*Anna*") == "Inloggad som \\*Anna\\*"
    assert t("reg_save_union", "sv", n=3) == "Spara de 3 jämförda fastigheterna som en plats"
    assert t("upload_too_big", "sv", name="plan", mb=1234.5, cap=50) == \
        "plan är 1\u00a0234,5 MB; största tillåtna storlek är 50 MB."


def test_every_coded_value_the_app_shows_has_a_label_in_both_languages():
    for lang in ("sv", "en"):
        for status in SITE_STATUSES:
            assert site_status_label(status, lang) != "", status
        for status in APPLICATION_STATUSES:
            assert application_status_label(status, lang) != "", status
        for c in CRITERIA:
            assert criterion_label(c, lang)
        for key in PROFILES:
            assert profile_label(key, lang)
        for layer in ALL_LAYERS:
            assert layer_label(layer, lang)
    assert site_status_label("available", "sv") == "tillgänglig"
    assert site_status_label("all", "sv") == "alla"
    assert [site_status_label(s, "sv") for s in SITE_STATUSES] != list(SITE_STATUSES)
    assert application_status_label("withdrawn", "sv") == "återtagen"
    assert profile_label("big_box_retail", "sv") == "Sällanköpshandel"
    assert column_label("designation", "sv") == "Fastighet"
    assert column_label("no_such_column", "sv") == "no_such_column"


def test_the_old_table_shapes_still_answer_from_the_catalogue():
    assert TEXT["title"]["sv"] == "Etableringskartan: Södra Porten"
    assert PLAN_STATUS_LABELS["in_progress"] == {"sv": "pågående", "en": "in progress"}
    assert "rank" in TEXT and len(TEXT) > 300


def test_plan_categories_owners_and_modes():
    from layers.zoning import OP_CATEGORIES

    assert [op_category_label(c, "sv") for c in OP_CATEGORIES] == list(OP_CATEGORIES)
    assert op_category_label("Grönstruktur", "en") == "Green structure"
    assert op_category_label("Transporter och infrastruktur", "en") == "Transport and infrastructure"
    assert owner_label("municipal", "sv") == "kommunal" and owner_label("Södra Porten AB", "en") == "Södra Porten AB"
    assert mode_label("rail", "sv") == "pendeltåg"
