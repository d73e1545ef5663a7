"""The registry on SQLite and PostgreSQL/PostGIS: saving, editing, conflicts, audit, crash safety."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from sites.registry import ConflictError, RegistryError, migrate, open_registry

BOTKYRKA = box(655_000, 6_555_000, 668_000, 6_572_000)
PLOT = box(661_000, 6_569_000, 661_100, 6_569_080)  # 8,000 m2


def test_save_edit_archive_and_audit(url):
    reg = open_registry(url, municipality=BOTKYRKA)
    sid = reg.add_site("anna", name="Hågelby hage A1", status="available", geometry=PLOT, plan_status="in_progress",
                       plan_use_code="Z", parcel_ids=("p1", "p2"), building_right_m2=4000, notes="near the school")
    site = reg.sites()[0]
    assert site["area_m2"] == 8000 and site["parcel_ids"] == ("p1", "p2") and site["version"] == 1
    assert site["geometry"].equals(PLOT)
    v2 = reg.update_site("bo", sid, 1, status="reserved", notes="reserved for applicant 3")
    assert v2 == 2 and reg.sites()[0]["status"] == "reserved"
    reg.archive_site("anna", sid, 2)
    assert reg.sites() == [] and len(reg.sites(include_archived=True)) == 1
    trail = reg.audit_trail(entity="site", entity_id=sid)
    assert [e["action"] for e in trail] == ["create", "update", "archive"]
    assert trail[1]["who"] == "bo"
    assert trail[1]["old"]["status"] == "available" and trail[1]["new"]["status"] == "reserved"


def test_revision_moves_with_every_change_and_only_then(url):
    reg = open_registry(url, municipality=BOTKYRKA)
    assert reg.revision() == 0
    sid = reg.add_site("anna", name="A", status="available", geometry=PLOT)
    first = reg.revision()
    reg.sites()
    reg.audit_trail()
    assert reg.revision() == first > 0, "reading does not move it"
    reg.update_site("bo", sid, 1, notes="x")
    assert reg.revision() > first


def test_lost_update_is_refused(url):
    reg = open_registry(url)
    sid = reg.add_site("anna", name="Saltmossen B2", status="available", geometry=PLOT)
    reg.update_site("anna", sid, 1, notes="Anna's note")
    with pytest.raises(ConflictError, match=r"changed by someone else.*reload"):
        reg.update_site("bo", sid, 1, notes="Bo's note, written on the old version")
    assert reg.sites()[0]["notes"] == "Anna's note"


def test_invalid_input_is_refused_with_reasons(url):
    reg = open_registry(url, municipality=BOTKYRKA)
    with pytest.raises(RegistryError, match="unknown status 'sold'"):
        reg.add_site("a", name="X", status="sold", geometry=PLOT)
    with pytest.raises(RegistryError, match="outside the municipality"):
        reg.add_site("a", name="X", status="idea", geometry=box(700_000, 6_600_000, 700_100, 6_600_100))
    with pytest.raises(RegistryError, match="building right cannot be negative"):
        reg.add_site("a", name="X", status="idea", geometry=PLOT, building_right_m2=-5)
    with pytest.raises(RegistryError, match="plot area needed must be above zero"):
        reg.add_application("a", company="AB", profile="logistics", area_need_m2=-100, jobs=10)
    assert reg.sites() == [] and reg.applications() == [] and reg.audit_trail() == []


def test_decision_is_logged_with_the_weights(url):
    reg = open_registry(url)
    sid = reg.add_site("anna", name="Plot", status="available", geometry=PLOT)
    aid = reg.add_application("anna", company="Logistik AB", profile="logistics", area_need_m2=8000, jobs=90,
                              entry_level_jobs=30)
    reg.record_decision("nämnden", aid, sid, {"many_jobs": 0.5, "area_fit": 0.5}, application_version=1,
                        site_version=1)
    assert reg.applications()[0]["status"] == "allocated" and reg.sites()[0]["status"] == "allocated"
    decision = reg.audit_trail(entity="application", entity_id=aid)[-1]
    assert decision["action"] == "allocate" and decision["weights"] == {"many_jobs": 0.5, "area_fit": 0.5}


def test_postgis_geometry_column(pg_url):
    reg = open_registry(pg_url)
    reg.add_site("a", name="P", status="idea", geometry=PLOT)
    with create_engine(pg_url).connect() as conn:
        area, srid = conn.execute(text("SELECT ST_Area(geom), ST_SRID(geom) FROM sites")).one()
    assert area == pytest.approx(8000) and srid == 3006


def test_old_schema_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # version 1: no building_right_m2 column
        conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1)"))
        conn.execute(text(
            "CREATE TABLE sites (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, status VARCHAR(20) NOT NULL, "
            "area_m2 FLOAT NOT NULL, plan_status VARCHAR(20) NOT NULL, plan_use_code VARCHAR(4), parcel_ids TEXT "
            "NOT NULL, geometry_wkt TEXT NOT NULL, notes TEXT NOT NULL, contact VARCHAR(200) NOT NULL, archived "
            "BOOLEAN NOT NULL, version INTEGER NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)"))
        conn.execute(text("INSERT INTO sites VALUES (1, 'Old', 'idea', 10, 'none', NULL, '[]', "
                          f"'{shapely.to_wkt(PLOT)}', '', '', 0, 1, '2025-01-01', '2025-01-01')"))
        conn.execute(text("CREATE TABLE audit (id INTEGER PRIMARY KEY, at DATETIME NOT NULL, who VARCHAR(200) NOT "
                          "NULL, entity VARCHAR(20) NOT NULL, entity_id INTEGER NOT NULL, action VARCHAR(20) NOT NULL, "
                          "old TEXT NOT NULL, new TEXT NOT NULL, weights TEXT NOT NULL)"))
        conn.execute(text("INSERT INTO audit VALUES (1, '2025-01-01', 'a', 'site', 1, 'create', '{}', '{}', '{}')"))
    assert migrate(engine) == 3
    reg = open_registry(f"sqlite:///{path}")
    assert reg.sites()[0]["name"] == "Old" and reg.sites()[0]["building_right_m2"] is None
    reg.update_site("a", 1, 1, building_right_m2=500)
    with engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):  # v3: old trail guarded too
        conn.execute(text("DELETE FROM audit WHERE id = 1"))
    assert [e["action"] for e in reg.audit_trail()] == ["create", "update"]


def test_killed_writer_leaves_the_database_consistent(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    reg = open_registry(url)
    reg.add_site("a", name="Before", status="idea", geometry=PLOT)
    writer = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(os.getcwd())!r})
        from shapely.geometry import box
        from sqlalchemy import create_engine, insert
        from sites.registry import open_registry, sites, _now
        open_registry({url!r})
        with create_engine({url!r}).begin() as conn:
            conn.execute(insert(sites).values(name="Half-written", status="idea", area_m2=1, plan_status="none",
                         parcel_ids="[]", geometry_wkt="POLYGON EMPTY", notes="", contact="", archived=False,
                         version=1, created_at=_now(), updated_at=_now()))
            print("inside", flush=True)
            os.kill(os.getpid(), 9)  # die mid-transaction, before commit and before its audit entry
    """)
    proc = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9 and "inside" in proc.stdout
    reg = open_registry(url)
    assert [s["name"] for s in reg.sites()] == ["Before"]
    assert [e["action"] for e in reg.audit_trail()] == ["create"]
    with create_engine(url).connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_unusable_database_gives_a_clear_message(tmp_path):
    with pytest.raises(RegistryError, match=r"cannot be used.*SITEFINDER_DATABASE_URL"):
        open_registry("nonsense://nowhere")
    with pytest.raises(RegistryError, match="could not open the registry database"):
        open_registry(f"sqlite:///{tmp_path / 'missing-folder' / 'reg.sqlite'}")
