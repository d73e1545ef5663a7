"""The audit log reads as time, who, what, field: old -> new."""

from __future__ import annotations

import datetime as dt

from sites.audit_log import LOG_COLUMNS, readable_log

AT = dt.datetime(2026, 11, 29, 9, 5)


def test_an_update_is_one_row_per_changed_field_and_labels_apply():
    trail = [{"at": AT, "who": "Anna (password)", "entity": "site", "entity_id": 7, "action": "update",
              "old": {"status": "idea", "notes": "", "contact": "x"},
              "new": {"status": "available", "notes": "Visning", "contact": "x"}}]
    table = readable_log(trail, labels={"site": "Plats", "update": "ändrad", "status": "Status"})
    assert list(table.columns) == LOG_COLUMNS
    assert table[["field", "change"]].values.tolist() == [["Status", "idea -> available"], ["notes", "- -> Visning"]]
    assert set(table["record"]) == {"Plats 7"} and set(table["time"]) == {"2026-11-29 09:05"}


def test_a_created_record_lists_its_values_and_hides_coordinates():
    trail = [{"at": AT, "who": "a", "entity": "site", "entity_id": 1, "action": "create", "old": {},
              "new": {"name": "Eriksberg 3:10", "area_m2": 12690.4, "geometry_wkt": "POLYGON ((...))"}}]
    table = readable_log(trail)
    assert table[["field", "change"]].values.tolist() == [["name", "Eriksberg 3:10"], ["area_m2", "12,690"],
                                                          ["geometry", "…"]]
