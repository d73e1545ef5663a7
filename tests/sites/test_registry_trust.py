"""Issue 9, cases 4 and 5 (repository side): registry decisions, validation and the append-only audit.

Each test is named after the case it closes and ran against the code before the change, where it
failed: decisions allocated archived, allocated or unknown records; archived sites could be
edited; inf/NaN numbers, unknown plan statuses and profiles were stored; a stored unknown profile
reached the shortlist; the audit table could be changed through SQL; and on PostgreSQL over-long,
NUL-containing or out-of-range values raised driver errors quoting the SQL instead of a project
error.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import unicodedata
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from errors import ArchivedRecordError, ConflictError, DecisionError, RegistryError, SiteFinderError
from sites.registry import open_registry

PLOT = box(661_000, 6_569_000, 661_100, 6_569_080)  # 8,000 m2
OTHER = box(661_200, 6_569_000, 661_300, 6_569_080)
WEIGHTS = {"area_fit": 0.5, "many_jobs": 0.5}


def _registry_with_pair(url: str):
    reg = open_registry(url)
    sid = reg.add_site("anna", name="Plot A", status="available", geometry=PLOT)
    aid = reg.add_application("anna", company="Logistik AB", profile="logistics", area_need_m2=8000, jobs=90)
    return reg, aid, sid


def _state(reg) -> tuple:
    """Everything a refused call must leave unchanged."""
    return ([(s["id"], s["status"], s["version"], s["archived"]) for s in reg.sites(include_archived=True)],
            [(a["id"], a["status"], a["version"]) for a in reg.applications(include_archived=True)],
            len(reg.audit_trail()))


def _no_sql(err: BaseException) -> None:
    message = str(err)
    for word in ("INSERT", "UPDATE ", "SELECT", "psycopg", "sqlite3", "/"):
        assert word not in message, message


# ---------------------------------------------------------------- case 4: decisions
def test_case4_decision_records_the_pair_and_versions_shown(url):
    reg, aid, sid = _registry_with_pair(url)
    other = reg.add_site("anna", name="Plot B", status="available", geometry=OTHER)
    reg.record_decision("nämnden", aid, other, WEIGHTS, application_version=1, site_version=1)
    by_id = {s["id"]: s for s in reg.sites()}
    assert by_id[other]["status"] == "allocated" and by_id[other]["version"] == 2
    assert by_id[sid]["status"] == "available" and by_id[sid]["version"] == 1
    app_entry = reg.audit_trail(entity="application", entity_id=aid)[-1]
    site_entry = reg.audit_trail(entity="site", entity_id=other)[-1]
    assert app_entry["new"] == {"status": "allocated", "site_id": other, "site_version": 1}
    assert site_entry["new"] == {"status": "allocated", "application_id": aid, "application_version": 1}
    assert app_entry["old"] == {"status": "open"} and site_entry["old"] == {"status": "available"}


def test_case4_decision_refuses_unknown_ids(url):
    reg, aid, sid = _registry_with_pair(url)
    before = _state(reg)
    with pytest.raises(DecisionError, match=r"(?s)there is no application 999.*reload the shortlist"):
        reg.record_decision("x", 999, sid, WEIGHTS, application_version=1, site_version=1)
    with pytest.raises(DecisionError, match="there is no site 998"):
        reg.record_decision("x", aid, 998, WEIGHTS, application_version=1, site_version=1)
    for bad in (0, -1, 2**40, "1; DROP TABLE sites", 1.5, True, None):
        with pytest.raises(RegistryError, match="is not a site id") as err:
            reg.record_decision("x", aid, bad, WEIGHTS, application_version=1, site_version=1)
        _no_sql(err.value)
    assert _state(reg) == before


def test_case4_decision_refuses_archived_site(url):
    reg, aid, sid = _registry_with_pair(url)
    reg.archive_site("anna", sid, 1)
    before = _state(reg)
    with pytest.raises(DecisionError, match=rf"site {sid} \('Plot A'\) is archived"):
        reg.record_decision("x", aid, sid, WEIGHTS, application_version=1, site_version=2)
    assert _state(reg) == before
    assert reg.sites(include_archived=True)[0]["status"] == "available"


def test_case4_decision_refuses_already_allocated_site(url):
    reg, aid, sid = _registry_with_pair(url)
    second = reg.add_application("bo", company="Lager AB", profile="logistics", area_need_m2=7000, jobs=40)
    reg.record_decision("x", aid, sid, WEIGHTS, application_version=1, site_version=1)
    before = _state(reg)
    with pytest.raises(DecisionError, match=r"is 'allocated', not available"):
        reg.record_decision("x", second, sid, WEIGHTS, application_version=1, site_version=2)
    assert _state(reg) == before


def test_case4_decision_refuses_site_not_available_and_closed_application(url):
    reg, aid, sid = _registry_with_pair(url)
    idea = reg.add_site("anna", name="Idea", status="idea", geometry=OTHER)
    with pytest.raises(DecisionError, match="is 'idea', not available"):
        reg.record_decision("x", aid, idea, WEIGHTS, application_version=1, site_version=1)
    other = reg.add_site("anna", name="Plot C", status="available", geometry=box(661_400, 6_569_000, 661_500,
                                                                                  6_569_080))
    reg.record_decision("x", aid, sid, WEIGHTS, application_version=1, site_version=1)
    before = _state(reg)
    with pytest.raises(DecisionError, match=r"is 'allocated', not open") as err:  # one site per application
        reg.record_decision("x", aid, other, WEIGHTS, application_version=2, site_version=1)
    assert "reload the shortlist" in str(err.value)
    assert _state(reg) == before


def test_case4_decision_lists_every_reason_at_once(url):
    reg, aid, sid = _registry_with_pair(url)
    reg.record_decision("x", aid, sid, WEIGHTS, application_version=1, site_version=1)
    with pytest.raises(DecisionError) as err:
        reg.record_decision("x", aid, sid, WEIGHTS, application_version=2, site_version=2)
    assert "not open" in str(err.value) and "not available" in str(err.value)


def test_case4_stale_shortlist_is_refused(url):
    reg, aid, sid = _registry_with_pair(url)
    shown_site, shown_app = reg.sites()[0]["version"], reg.applications()[0]["version"]
    reg.update_site("bo", sid, shown_site, notes="visited; soil survey pending")  # after the page was drawn
    before = _state(reg)
    with pytest.raises(ConflictError, match=rf"site {sid} is now at version 2, the shortlist showed version 1"):
        reg.record_decision("x", aid, sid, WEIGHTS, application_version=shown_app, site_version=shown_site)
    with pytest.raises(ConflictError, match=rf"application {aid} is now at version 1, the shortlist showed "
                                            "version 3"):
        reg.record_decision("x", aid, sid, WEIGHTS, application_version=3, site_version=2)
    assert _state(reg) == before


def test_case4_decision_weights_are_checked(url):
    reg, aid, sid = _registry_with_pair(url)
    for weights, reason in (({"area_fit": math.nan}, "the weight of area_fit is nan"),
                            ({"area_fit": math.inf}, "the weight of area_fit is inf"),
                            ({"area_fit": -0.2}, "cannot be negative"),
                            ({"bribe": 1.0}, "unknown weight 'bribe'")):
        with pytest.raises(RegistryError, match=reason):
            reg.record_decision("x", aid, sid, weights, application_version=1, site_version=1)
    assert reg.sites()[0]["status"] == "available"


def test_case4_archived_site_cannot_be_edited(url):
    reg, _, sid = _registry_with_pair(url)
    reg.archive_site("anna", sid, 1)
    before = _state(reg)
    with pytest.raises(ArchivedRecordError, match=r"is archived and cannot be edited"):
        reg.update_site("bo", sid, 2, status="available", notes="revived")
    with pytest.raises(ArchivedRecordError, match="archived already"):
        reg.archive_site("bo", sid, 2)
    assert _state(reg) == before
    assert isinstance(ArchivedRecordError("x"), SiteFinderError)


def test_case4_update_refuses_unknown_fields_and_sites(url):
    reg, _, sid = _registry_with_pair(url)
    with pytest.raises(RegistryError, match="a site has no field archived, version"):
        reg.update_site("bo", sid, 1, archived=False, version=7)
    with pytest.raises(RegistryError, match="there is no site 4242"):
        reg.update_site("bo", 4242, 1, notes="x")


# ---------------------------------------------------------------- case 4: values
def test_case4_non_finite_and_negative_numbers_refused(url):
    reg = open_registry(url)
    app = {"company": "AB", "profile": "office", "area_need_m2": 2000.0, "jobs": 100}
    for change, reason in (({"area_need_m2": math.inf}, "the plot area needed is inf; enter a finite number"),
                           ({"area_need_m2": math.nan}, "the plot area needed is nan"),
                           ({"area_need_m2": 0.0}, "the plot area needed must be above zero"),
                           ({"area_need_m2": 2e7}, "the most accepted is 10,000,000"),
                           ({"jobs": -3}, "the number of jobs cannot be negative"),
                           ({"jobs": 12.5}, "the number of jobs must be a whole number"),
                           ({"jobs": True}, "the number of jobs must be a number, not bool"),
                           ({"jobs": 10**12}, "the most accepted is 100,000"),
                           ({"vehicle_trips_per_day": math.inf}, "the number of vehicle trips per day is inf")):
        with pytest.raises(RegistryError, match=reason) as err:
            reg.add_application("x", **{**app, **change})
        _no_sql(err.value)
    for change, reason in (({"building_right_m2": math.inf}, "the building right is inf"),
                           ({"building_right_m2": math.nan}, "the building right is nan"),
                           ({"building_right_m2": -1.0}, "the building right cannot be negative")):
        with pytest.raises(RegistryError, match=reason):
            reg.add_site("x", name="P", status="idea", geometry=PLOT, **change)
    with warnings.catch_warnings():  # shapely warns about the NaN it is asked to build
        warnings.simplefilter("ignore", RuntimeWarning)
        nan_corner = Polygon([(661_000, 6_569_000), (math.nan, 6_569_000), (661_000, 6_569_080)])
    with pytest.raises(RegistryError, match="infinite or missing coordinates"):
        reg.add_site("x", name="P", status="idea", geometry=nan_corner)
    assert reg.sites() == [] and reg.applications() == [] and reg.audit_trail() == []


def test_case4_unknown_enums_refused(url):
    reg = open_registry(url)
    with pytest.raises(RegistryError, match=r"unknown plan status 'approved-ish'; choose one of none, in_progress"):
        reg.add_site("x", name="P", status="idea", geometry=PLOT, plan_status="approved-ish")
    with pytest.raises(RegistryError, match="unknown plan use code 'Q'"):
        reg.add_site("x", name="P", status="idea", geometry=PLOT, plan_use_code="Q")
    with pytest.raises(RegistryError, match=r"unknown profile 'spaceport'; choose one of logistics"):
        reg.add_application("x", company="AB", profile="spaceport", area_need_m2=100, jobs=1)
    sid = reg.add_site("x", name="P", status="idea", geometry=PLOT)
    with pytest.raises(RegistryError, match="unknown status 'sold'"):
        reg.update_site("x", sid, 1, status="sold")
    with pytest.raises(RegistryError, match="unknown site status 'gone'"):
        reg.sites(status="gone")
    assert len(reg.audit_trail()) == 1


def test_case4_validation_lists_all_problems_at_once(url):
    reg = open_registry(url)
    with pytest.raises(RegistryError) as err:
        reg.add_application("x", company=" ", profile="spaceport", area_need_m2=math.nan, jobs=5,
                            entry_level_jobs=-1, timing="t" * 41)
    message = str(err.value)
    assert message.startswith("application: 5 problems:")
    for part in ("the company name is empty", "unknown profile 'spaceport'", "the plot area needed is nan",
                 "the number of entry-level jobs cannot be negative", "the timing is 41 characters long"):
        assert part in message


# ---------------------------------------------------------------- case 4: rows from older data
def test_case4_unknown_profile_row_is_left_out_with_a_warning(url, caplog):
    reg, _, sid = _registry_with_pair(url)
    engine = create_engine(url)
    with engine.begin() as conn:  # an older version, or a direct write, stored a profile we do not know
        conn.execute(text("INSERT INTO applications (company, profile, area_need_m2, jobs, entry_level_jobs, timing, "
                          "vehicle_trips_per_day, innovation, status, archived, version, created_at, updated_at) "
                          "VALUES ('Rymd AB', 'spaceport', 5000, 10, 0, '', 0, false, 'open', false, 1, "
                          "'2025-01-01', '2025-01-01')"))
        conn.execute(text("INSERT INTO sites (name, status, area_m2, plan_status, parcel_ids, geometry_wkt, notes, "
                          "contact, archived, version, created_at, updated_at) VALUES ('Odd', 'sold', 8000, "
                          f"'unknown', '[]', '{PLOT.wkt}', '', '', false, 1, '2025-01-01', '2025-01-01')"))
    engine.dispose()
    with caplog.at_level(logging.WARNING, logger="sites.registry"):
        listed = reg.applications()
        sites_listed = reg.sites()
    assert [a["company"] for a in listed] == ["Logistik AB"] and listed[0]["problems"] == ()
    assert [s["name"] for s in sites_listed] == ["Plot A"]
    assert any("left out" in r.message and "spaceport" in r.message for r in caplog.records)
    assert any("left out" in r.message and "'sold'" in r.message for r in caplog.records)
    flagged = {a["company"]: a["problems"] for a in reg.applications(include_unusable=True)}
    assert flagged["Rymd AB"] and "unknown profile 'spaceport'" in flagged["Rymd AB"][0]
    odd = next(s for s in reg.sites(include_unusable=True) if s["name"] == "Odd")
    assert odd["problems"] == ("unknown status 'sold'",)
    bad_id = next(a["id"] for a in reg.applications(include_unusable=True) if a["company"] == "Rymd AB")
    with pytest.raises(DecisionError, match="unknown profile 'spaceport'"):
        reg.record_decision("x", bad_id, sid, WEIGHTS, application_version=1, site_version=1)


# ---------------------------------------------------------------- case 4: the audit and the engine
def test_case4_engine_is_private(tmp_path):
    reg = open_registry(f"sqlite:///{tmp_path / 'r.sqlite'}")
    assert not hasattr(reg, "engine")
    public = [name for name in dir(reg) if not name.startswith("_")]
    assert not any(isinstance(getattr(reg, name), Engine) for name in public)
    with pytest.raises(AttributeError):
        reg.engine = create_engine("sqlite://")  # no attribute can be added to hand it out either


def test_case4_audit_is_append_only_sqlite(tmp_path):
    path = tmp_path / "r.sqlite"
    reg, _, _ = _registry_with_pair(f"sqlite:///{path}")
    trail = reg.audit_trail()
    conn = sqlite3.connect(path)  # raw SQL, not the repository
    try:
        for sql in ("UPDATE audit SET who = 'someone else'", "DELETE FROM audit", f"DELETE FROM audit WHERE id = "
                    f"{trail[-1]['id']}", "INSERT OR REPLACE INTO audit SELECT * FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
            conn.rollback()
        conn.execute("INSERT INTO audit (at, who, entity, entity_id, action, old, new, weights) VALUES "
                     "('2026-01-01', 'dba', 'site', 1, 'note', '{}', '{}', '{}')")  # appending still works
        conn.commit()
    finally:
        conn.close()
    assert reg.audit_trail()[:len(trail)] == trail and len(reg.audit_trail()) == len(trail) + 1


def test_case4_audit_is_append_only_postgres(pg_url):
    reg, _, _ = _registry_with_pair(pg_url)
    trail = reg.audit_trail()
    engine = create_engine(pg_url)
    for sql in ("UPDATE audit SET who = 'someone else'", "DELETE FROM audit", "TRUNCATE audit"):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql))
    engine.dispose()
    assert reg.audit_trail() == trail


# ---------------------------------------------------------------- case 5: text on PostgreSQL (and SQLite)
def test_case5_nul_text_refused(url):
    reg = open_registry(url)
    with pytest.raises(RegistryError, match=r"the site name contains the control character U\+0000 at position 4"
                       ) as err:
        reg.add_site("x", name="Bad\x00name", status="idea", geometry=PLOT)
    _no_sql(err.value)
    for field, label in (("company", "the company name"), ("timing", "the timing")):
        with pytest.raises(RegistryError, match=rf"{label} contains the control character U\+0000"):
            reg.add_application("x", **{"company": "AB", "profile": "office", "area_need_m2": 100.0, "jobs": 1,
                                        field: "A\x00B"})
    sid = reg.add_site("x", name="Good", status="idea", geometry=PLOT)
    with pytest.raises(RegistryError, match=r"the notes field contains the control character U\+0000"):
        reg.update_site("x", sid, 1, notes="line\x00")
    with pytest.raises(RegistryError, match=r"the officer name contains the control character"):
        reg.update_site("ev\x00il", sid, 1, notes="ok")
    with pytest.raises(RegistryError, match=r"a parcel id contains the control character"):
        reg.add_site("x", name="P", status="idea", geometry=PLOT, parcel_ids=("p\x00",))
    assert [s["name"] for s in reg.sites()] == ["Good"] and len(reg.audit_trail()) == 1


def test_case5_over_long_text_refused_and_limits_fit(url):
    reg = open_registry(url)
    with pytest.raises(RegistryError, match="the site name is 201 characters long; shorten it to at most 200") as err:
        reg.add_site("x", name="N" * 201, status="idea", geometry=PLOT)
    _no_sql(err.value)
    with pytest.raises(RegistryError, match="the contact is 5,000 characters long"):
        reg.add_site("x", name="P", status="idea", geometry=PLOT, contact="c" * 5000)
    with pytest.raises(RegistryError, match="the notes field is 4,001 characters long"):
        reg.add_site("x", name="P", status="idea", geometry=PLOT, notes="n" * 4001)
    with pytest.raises(RegistryError, match="the officer name is 201 characters long"):
        reg.add_site("o" * 201, name="P", status="idea", geometry=PLOT)
    with pytest.raises(RegistryError, match="the company name is 201 characters long"):
        reg.add_application("x", company="C" * 201, profile="office", area_need_m2=100.0, jobs=1)
    # exactly at the limits, with non-ASCII letters (PostgreSQL counts characters, not bytes)
    sid = reg.add_site("ö" * 200, name="Å" * 200, status="idea", geometry=PLOT, contact="é" * 200,
                       notes="ä\n" * 2000)
    aid = reg.add_application("x", company="Ä" * 200, profile="office", area_need_m2=100.0, jobs=1, timing="ü" * 40)
    site = reg.sites()[0]
    assert site["id"] == sid and site["name"] == "Å" * 200 and site["notes"] == "ä\n" * 1999 + "ä"
    assert reg.applications()[0]["id"] == aid and reg.applications()[0]["timing"] == "ü" * 40


def test_case5_control_and_unstorable_characters_refused(url):
    reg = open_registry(url)
    for bad, code in (("\x1b[31mred", "001B"), ("Plot\u202eA1", "202E"), ("half \ud800 pair", "D800"),
                      ("two\nlines", "000A"), ("del\x7f", "007F")):
        with pytest.raises(RegistryError, match=rf"U\+{code}") as err:
            reg.add_site("x", name=bad, status="idea", geometry=PLOT)
        _no_sql(err.value)
    reg.add_site("x", name="Hågelby 1:2 – östra", status="idea", geometry=PLOT, notes="rad 1\nrad 2\tflik")
    assert reg.sites()[0]["notes"] == "rad 1\nrad 2\tflik"


def test_case5_out_of_range_ids_and_versions_refused(url):
    reg, aid, sid = _registry_with_pair(url)
    for call in (lambda: reg.update_site("x", 2**31, 1, notes="n"),
                 lambda: reg.update_site("x", sid, 2**40, notes="n"),
                 lambda: reg.archive_site("x", sid, "1"),
                 lambda: reg.audit_trail(entity_id=2**63),
                 lambda: reg.record_decision("x", aid, sid, WEIGHTS, application_version=2**31, site_version=1)):
        with pytest.raises(RegistryError) as err:
            call()
        _no_sql(err.value)
    assert reg.sites()[0]["version"] == 1


def test_case4_existing_postgres_database_gets_the_audit_guard(pg_url):
    _registry_with_pair(pg_url)
    engine = create_engine(pg_url)
    with engine.begin() as conn:  # make it a version-2 database as the previous release left it
        conn.execute(text("DROP TRIGGER audit_no_change ON audit"))
        conn.execute(text("DROP TRIGGER audit_no_truncate ON audit"))
        conn.execute(text("UPDATE schema_version SET version = 2"))
        conn.execute(text("UPDATE audit SET who = 'rewritten' WHERE id = 1"))  # possible before the migration
    reopened = open_registry(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_version")).scalar() == 3
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit WHERE id = 1"))
    engine.dispose()
    assert [e["who"] for e in reopened.audit_trail()] == ["rewritten", "anna"]


_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def _unstorable(text_: str, allowed: str = "") -> bool:
    return any((unicodedata.category(c) in ("Cc", "Cs") and c not in allowed) or c in _BIDI for c in text_)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=260), notes=st.text(max_size=60))
def test_case5_any_text_is_stored_exactly_or_refused_with_a_project_error(url, name, notes):
    expect_refusal = (not name.strip() or len(name.strip()) > 200 or _unstorable(name.strip())
                      or _unstorable(notes.strip(), allowed="\n\r\t"))
    reg = open_registry(url)
    try:
        sid = reg.add_site("x", name=name, status="idea", geometry=PLOT, notes=notes)
    except RegistryError as err:  # a driver error (NUL, length, encoding) would not be a RegistryError
        _no_sql(err)
        assert expect_refusal, str(err)
        return
    assert not expect_refusal
    stored = next(s for s in reg.sites() if s["id"] == sid)
    assert (stored["name"], stored["notes"]) == (name.strip(), notes.strip())


def test_case4_simultaneous_decisions_allocate_a_site_once(url):
    reg, first, sid = _registry_with_pair(url)
    second = reg.add_application("bo", company="Lager AB", profile="logistics", area_need_m2=7000, jobs=40)
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def decide(aid: int) -> None:
        own = open_registry(url)  # each officer's server process has its own connection pool
        start.wait()
        try:
            own.record_decision(f"officer {aid}", aid, sid, WEIGHTS, application_version=1, site_version=1)
            outcomes[aid] = "allocated"
        except (DecisionError, ConflictError) as err:
            outcomes[aid] = type(err).__name__

    threads = [threading.Thread(target=decide, args=(aid,)) for aid in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2 and list(outcomes.values()).count("allocated") == 1, outcomes
    winner = next(aid for aid, outcome in outcomes.items() if outcome == "allocated")
    assert [(a["id"], a["status"]) for a in reg.applications()] == [
        (aid, "allocated" if aid == winner else "open") for aid in (first, second)]
    site_entries = [e for e in reg.audit_trail(entity="site", entity_id=sid) if e["action"] == "allocate"]
    assert [e["new"]["application_id"] for e in site_entries] == [winner]
