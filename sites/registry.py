"""The registry of candidate sites and applications, with an append-only audit trail.

A repository over SQLAlchemy Core: an SQLite file by default (created on first use, schema
versioned and migrated), PostgreSQL when ``SITEFINDER_DATABASE_URL`` says so. Every write runs
in one transaction together with its audit entry; an edit names the version it read, and a stale
version is refused (no silent lost updates). Nothing is deleted: records are archived.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from errors import SiteFinderError

SCHEMA_VERSION = 2
SITE_STATUSES = ("idea", "available", "reserved", "allocated", "built")
APPLICATION_STATUSES = ("open", "shortlisted", "allocated", "withdrawn", "rejected")

metadata = MetaData()


def _record_columns() -> list[Column]:
    """Columns every editable record has: archive flag, version for conflict checks, timestamps."""
    return [Column("archived", Boolean, nullable=False, default=False),
            Column("version", Integer, nullable=False, default=1),
            Column("created_at", DateTime, nullable=False),
            Column("updated_at", DateTime, nullable=False)]

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))
sites = Table(
    "sites", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("area_m2", Float, nullable=False),
    Column("building_right_m2", Float),
    Column("plan_status", String(20), nullable=False, default="unknown"),
    Column("plan_use_code", String(4)),
    Column("parcel_ids", Text, nullable=False, default="[]"),
    Column("geometry_wkt", Text, nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("contact", String(200), nullable=False, default=""),
    *_record_columns(),
)
applications = Table(
    "applications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company", String(200), nullable=False),
    Column("profile", String(40), nullable=False),
    Column("area_need_m2", Float, nullable=False),
    Column("jobs", Integer, nullable=False),
    Column("entry_level_jobs", Integer, nullable=False, default=0),
    Column("timing", String(40), nullable=False, default=""),
    Column("vehicle_trips_per_day", Integer, nullable=False, default=0),
    Column("innovation", Boolean, nullable=False, default=False),
    Column("status", String(20), nullable=False, default="open"),
    *_record_columns(),
)
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("who", String(200), nullable=False),
    Column("entity", String(20), nullable=False),
    Column("entity_id", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("old", Text, nullable=False, default="{}"),
    Column("new", Text, nullable=False, default="{}"),
    Column("weights", Text, nullable=False, default="{}"),
)


class RegistryError(ValueError, SiteFinderError):
    """Invalid registry input (negative area, unknown status, geometry outside the municipality)."""


class ConflictError(RuntimeError, SiteFinderError):
    """Someone else saved the record after it was read: reload and apply the change again."""


@dataclass(frozen=True)
class Registry:
    """Repository of sites, applications and the audit trail.

    Attributes
    ----------
    engine
        SQLAlchemy engine (SQLite file or PostgreSQL).
    municipality
        Polygon (EPSG:3006) that site geometries must lie in; None skips the check.
    """

    engine: Engine
    municipality: shapely.Geometry | None = None

    # ------------------------------------------------------------------ sites
    def add_site(self, who: str, *, name: str, status: str, geometry: shapely.Geometry,
                 plan_status: str = "unknown", plan_use_code: str | None = None, parcel_ids: tuple[str, ...] = (),
                 building_right_m2: float | None = None, notes: str = "", contact: str = "") -> int:
        """Save a new candidate site; returns its id."""
        values = self._site_values(name=name, status=status, geometry=geometry, plan_status=plan_status,
                                   plan_use_code=plan_use_code, parcel_ids=parcel_ids,
                                   building_right_m2=building_right_m2, notes=notes, contact=contact)
        now = _now()
        with self.engine.begin() as conn:
            new_id = conn.execute(insert(sites).values(**values, version=1, archived=False, created_at=now,
                                                       updated_at=now)).inserted_primary_key[0]
            self._log(conn, who, "site", new_id, "create", {}, values)
        return int(new_id)

    def update_site(self, who: str, site_id: int, expected_version: int, **changes: Any) -> int:
        """Change fields of a site read at ``expected_version``; returns the new version.

        Raises
        ------
        ConflictError
            When the site was saved by someone else since it was read.
        """
        with self.engine.begin() as conn:
            row = conn.execute(select(sites).where(sites.c.id == site_id)).mappings().first()
            if row is None:
                raise RegistryError(f"there is no site {site_id}")
            current = dict(row)
            merged = {k: current[k] for k in ("name", "status", "plan_status", "plan_use_code", "notes", "contact",
                                              "building_right_m2")}
            merged["geometry"] = shapely.from_wkt(current["geometry_wkt"])
            merged["parcel_ids"] = tuple(json.loads(current["parcel_ids"]))
            merged.update(changes)
            values = self._site_values(**merged)
            result = conn.execute(update(sites).where(sites.c.id == site_id, sites.c.version == expected_version)
                                  .values(**values, version=expected_version + 1, updated_at=_now()))
            if result.rowcount != 1:
                raise ConflictError(f"site {site_id} was changed by someone else (version {current['version']}, "
                                    f"you edited version {expected_version}); reload it and apply your change again")
            old = {k: current[k] for k in values if current.get(k) != values[k]}
            self._log(conn, who, "site", site_id, "update", old, {k: values[k] for k in old})
        return expected_version + 1

    def archive_site(self, who: str, site_id: int, expected_version: int) -> int:
        """Archive a site (nothing is deleted); returns the new version."""
        with self.engine.begin() as conn:
            result = conn.execute(update(sites).where(sites.c.id == site_id, sites.c.version == expected_version)
                                  .values(archived=True, version=expected_version + 1, updated_at=_now()))
            if result.rowcount != 1:
                raise ConflictError(f"site {site_id} was changed by someone else; reload it and try again")
            self._log(conn, who, "site", site_id, "archive", {"archived": False}, {"archived": True})
        return expected_version + 1

    def sites(self, *, include_archived: bool = False, status: str | None = None) -> list[dict]:
        """Sites as dicts (geometry as shapely), newest first."""
        query = select(sites).order_by(sites.c.id.desc())
        if not include_archived:
            query = query.where(sites.c.archived.is_(False))
        if status:
            query = query.where(sites.c.status == status)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        for r in rows:
            r["geometry"] = shapely.from_wkt(r.pop("geometry_wkt"))
            r["parcel_ids"] = tuple(json.loads(r["parcel_ids"]))
        return rows

    def _site_values(self, *, name: str, status: str, geometry: shapely.Geometry, plan_status: str,
                     plan_use_code: str | None, parcel_ids: tuple[str, ...], building_right_m2: float | None,
                     notes: str, contact: str) -> dict:
        problems = []
        if not name or not name.strip():
            problems.append("a site needs a name")
        if status not in SITE_STATUSES:
            problems.append(f"unknown status '{status}'; choose one of {', '.join(SITE_STATUSES)}")
        if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append("a site needs an area (polygon) geometry in EPSG:3006")
        elif not geometry.is_valid:
            problems.append("the site's geometry is invalid (self-intersecting); redraw it")
        elif self.municipality is not None and not self.municipality.buffer(1).contains(geometry):
            problems.append("the site lies outside the municipality")
        if building_right_m2 is not None and building_right_m2 < 0:
            problems.append("the building right cannot be negative")
        if problems:
            raise RegistryError("; ".join(problems))
        area = float(geometry.area)
        if area <= 0:
            raise RegistryError("the site's area must be above zero")
        return {"name": name.strip(), "status": status, "area_m2": round(area, 1), "plan_status": plan_status,
                "plan_use_code": plan_use_code, "parcel_ids": json.dumps(list(parcel_ids)),
                "geometry_wkt": shapely.to_wkt(geometry, rounding_precision=2), "notes": notes, "contact": contact,
                "building_right_m2": building_right_m2}

    # ------------------------------------------------------------------ applications
    def add_application(self, who: str, *, company: str, profile: str, area_need_m2: float, jobs: int,
                        entry_level_jobs: int = 0, timing: str = "", vehicle_trips_per_day: int = 0,
                        innovation: bool = False) -> int:
        """Register an application for land; returns its id."""
        problems = []
        if not company.strip():
            problems.append("an application needs a company name")
        if area_need_m2 <= 0:
            problems.append("the plot area needed must be above zero")
        if jobs < 0 or entry_level_jobs < 0 or vehicle_trips_per_day < 0:
            problems.append("jobs and vehicle trips cannot be negative")
        if entry_level_jobs > jobs:
            problems.append("entry-level jobs cannot exceed all jobs")
        if problems:
            raise RegistryError("; ".join(problems))
        values = {"company": company.strip(), "profile": profile, "area_need_m2": float(area_need_m2),
                  "jobs": int(jobs), "entry_level_jobs": int(entry_level_jobs), "timing": timing,
                  "vehicle_trips_per_day": int(vehicle_trips_per_day), "innovation": bool(innovation)}
        now = _now()
        with self.engine.begin() as conn:
            new_id = conn.execute(insert(applications).values(**values, status="open", archived=False, version=1,
                                                              created_at=now, updated_at=now)).inserted_primary_key[0]
            self._log(conn, who, "application", new_id, "create", {}, values)
        return int(new_id)

    def applications(self, *, include_archived: bool = False) -> list[dict]:
        """Applications as dicts, oldest first."""
        query = select(applications).order_by(applications.c.id)
        if not include_archived:
            query = query.where(applications.c.archived.is_(False))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def record_decision(self, who: str, application_id: int, site_id: int, weights: Mapping[str, float]) -> None:
        """Allocate a site to an application, recording the weights in force."""
        with self.engine.begin() as conn:
            conn.execute(update(applications).where(applications.c.id == application_id)
                         .values(status="allocated", updated_at=_now(), version=applications.c.version + 1))
            conn.execute(update(sites).where(sites.c.id == site_id)
                         .values(status="allocated", updated_at=_now(), version=sites.c.version + 1))
            self._log(conn, who, "application", application_id, "allocate", {}, {"site_id": site_id}, weights)
            self._log(conn, who, "site", site_id, "allocate", {}, {"application_id": application_id}, weights)

    # ------------------------------------------------------------------ audit
    def audit_trail(self, *, entity: str | None = None, entity_id: int | None = None) -> list[dict]:
        """Audit entries, oldest first, optionally for one record."""
        query = select(audit).order_by(audit.c.id)
        if entity:
            query = query.where(audit.c.entity == entity)
        if entity_id is not None:
            query = query.where(audit.c.entity_id == entity_id)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        for r in rows:
            for key in ("old", "new", "weights"):
                r[key] = json.loads(r[key])
        return rows

    @staticmethod
    def _log(conn, who: str, entity: str, entity_id: int, action: str, old: Mapping, new: Mapping,
             weights: Mapping | None = None) -> None:
        conn.execute(insert(audit).values(at=_now(), who=who or "unknown", entity=entity, entity_id=int(entity_id),
                                          action=action, old=json.dumps(old, default=str, ensure_ascii=False),
                                          new=json.dumps(new, default=str, ensure_ascii=False),
                                          weights=json.dumps(dict(weights or {}))))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def open_registry(url: str, *, municipality: shapely.Geometry | None = None) -> Registry:
    """Open (and create or migrate) the registry database at ``url``.

    Parameters
    ----------
    url
        SQLAlchemy URL: ``sqlite:///registry.sqlite`` or ``postgresql+psycopg2://user@host/db``.
    municipality
        Site geometries must lie inside it (EPSG:3006).

    Returns
    -------
    Registry
    """
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError) as err:
        raise RegistryError(f"the registry database URL '{url}' cannot be used ({err}); set SITEFINDER_DATABASE_URL "
                            "to e.g. sqlite:///registry.sqlite or postgresql+psycopg2://user:pw@host/db") from err
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # durable, concurrent-safe SQLite
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
    try:
        migrate(engine)
    except SQLAlchemyError as err:
        raise RegistryError(f"could not open the registry database ({type(err).__name__}: {str(err)[:200]}); check "
                            "that it is reachable and writable, or set SITEFINDER_DATABASE_URL") from err
    return Registry(engine, municipality)


def migrate(engine: Engine) -> int:
    """Create missing tables and bring the schema to ``SCHEMA_VERSION``; returns the version.

    On PostgreSQL the PostGIS extension is enabled and ``sites.geom`` mirrors the WKT as a
    ``geometry`` (SRID 3006) column that GIS tools can read directly.
    """
    metadata.create_all(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.exec_driver_sql(
                "ALTER TABLE sites ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 3006) "
                "GENERATED ALWAYS AS (ST_GeomFromText(geometry_wkt, 3006)) STORED")
    with engine.begin() as conn:
        version = conn.execute(select(schema_version.c.version)).scalar()
        if version is None:
            conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
            return SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise RegistryError(f"the database has schema version {version}, newer than this program "
                                f"({SCHEMA_VERSION}); upgrade the program")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS.get(step, ()):
                conn.exec_driver_sql(statement)
        conn.execute(update(schema_version).values(version=SCHEMA_VERSION))
    return SCHEMA_VERSION


#: Version -> SQL statements that bring the previous version up to it.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE sites ADD COLUMN building_right_m2 FLOAT",),
}
