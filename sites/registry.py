"""The registry of candidate sites and applications, with an append-only audit trail.

A repository over SQLAlchemy Core: an SQLite file by default (created on first use, schema
versioned and migrated), PostgreSQL when ``SITEFINDER_DATABASE_URL`` says so. Every write runs
in one transaction together with its audit entry; an edit names the version it read, and a stale
version is refused (no silent lost updates). Nothing is deleted: records are archived, and
archived records cannot be edited.

Every value is checked here, before any SQL (:mod:`sites.registry_rules`: finite numbers, known
statuses, plan statuses and profiles, text lengths, no control characters), so SQLite and
PostgreSQL accept and refuse the same input and no driver error reaches a user.

The audit table is append-only in the database itself: triggers (schema version 3) make any
``UPDATE``, ``DELETE`` (and on PostgreSQL ``TRUNCATE``) of it fail, also through raw SQL. Only a
database owner who drops the triggers can change it; give the app a role without DDL rights where
that matters.

Rows written by older versions or directly in the database are read defensively: a site or an
application that cannot be used (unknown status, plan status or profile, unreadable geometry,
non-finite numbers) is left out of :meth:`Registry.sites` and :meth:`Registry.applications` with a
logged warning, and listed with its ``problems`` when ``include_unusable=True``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.errors import ShapelyError
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
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from analysis.matching import MATCH_CRITERIA
from analysis.profiles import PROFILES
from errors import ArchivedRecordError, ConflictError, DecisionError, RegistryError, problems_message
from layers.parcels import PLAN_STATUSES, PLAN_USE_CODES
from sites import registry_rules as rules

__all__ = ["APPLICATION_STATUSES", "DECIDABLE_APPLICATION_STATUSES", "PLAN_STATUSES", "SCHEMA_VERSION",
           "SITE_STATUSES", "ArchivedRecordError", "ConflictError", "DecisionError", "Registry", "RegistryError",
           "migrate", "open_registry"]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
SITE_STATUSES = ("idea", "available", "reserved", "allocated", "built")
APPLICATION_STATUSES = ("open", "shortlisted", "allocated", "withdrawn", "rejected")
#: Application statuses a site can still be allocated to.
DECIDABLE_APPLICATION_STATUSES = ("open", "shortlisted")
#: Fields :meth:`Registry.update_site` can change.
SITE_FIELDS = ("name", "status", "geometry", "plan_status", "plan_use_code", "parcel_ids", "building_right_m2",
               "notes", "contact")

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


class Registry:
    """Repository of sites, applications and the audit trail.

    The SQLAlchemy engine is private: all reads and writes go through these methods, which
    validate input and write the audit entry in the same transaction. (Tests that must prove the
    database itself refuses something open their own connection to the same URL.)

    Parameters
    ----------
    engine
        SQLAlchemy engine (SQLite file or PostgreSQL), already migrated.
    municipality
        Polygon (EPSG:3006) that site geometries must lie in; None skips the check.
    """

    __slots__ = ("_engine", "_municipality")

    def __init__(self, engine: Engine, municipality: shapely.Geometry | None = None) -> None:
        self._engine = engine
        self._municipality = municipality

    @property
    def municipality(self) -> shapely.Geometry | None:
        """Polygon site geometries must lie in (None: not checked)."""
        return self._municipality

    def __repr__(self) -> str:
        return f"Registry({self._engine.dialect.name})"

    # ------------------------------------------------------------------ sites
    def add_site(self, who: str, *, name: str, status: str, geometry: shapely.Geometry,
                 plan_status: str = "unknown", plan_use_code: str | None = None, parcel_ids: tuple[str, ...] = (),
                 building_right_m2: float | None = None, notes: str = "", contact: str = "") -> int:
        """Save a new candidate site; returns its id.

        Raises
        ------
        RegistryError
            Listing every invalid value (see :mod:`sites.registry_rules` for the limits).
        """
        who = _who(who)
        values = self._site_values(name=name, status=status, geometry=geometry, plan_status=plan_status,
                                   plan_use_code=plan_use_code, parcel_ids=parcel_ids,
                                   building_right_m2=building_right_m2, notes=notes, contact=contact)
        now = _now()
        with self._engine.begin() as conn:
            new_id = conn.execute(insert(sites).values(**values, version=1, archived=False, created_at=now,
                                                       updated_at=now)).inserted_primary_key[0]
            self._log(conn, who, "site", new_id, "create", {}, values)
        return int(new_id)

    def update_site(self, who: str, site_id: int, expected_version: int, **changes: Any) -> int:
        """Change fields of a site read at ``expected_version``; returns the new version.

        Parameters
        ----------
        who
            The officer, for the audit trail.
        site_id
            The site the officer edited.
        expected_version
            The version the officer's form showed.
        **changes
            Any of ``SITE_FIELDS``.

        Raises
        ------
        RegistryError
            Unknown site or field, or an invalid value.
        ArchivedRecordError
            The site is archived.
        ConflictError
            When the site was saved by someone else since it was read.
        """
        who = _who(who)
        site_id = rules.check_id(site_id, "site")
        expected_version = _version(expected_version)
        unknown = sorted(set(changes) - set(SITE_FIELDS))
        if unknown:
            raise RegistryError(f"a site has no field {', '.join(unknown)}; the fields are {', '.join(SITE_FIELDS)}")
        with self._engine.begin() as conn:
            row = conn.execute(select(sites).where(sites.c.id == site_id)).mappings().first()
            if row is None:
                raise RegistryError(f"there is no site {site_id}; reload the list of sites")
            current = dict(row)
            if current["archived"]:
                raise ArchivedRecordError(f"site {site_id} ({current['name']!r}) is archived and cannot be edited; "
                                          "archived sites are kept unchanged for the audit trail. Register it again "
                                          "as a new site if it is needed")
            merged = {k: current[k] for k in ("name", "status", "plan_status", "plan_use_code", "notes", "contact",
                                              "building_right_m2")}
            merged["geometry"] = _geometry_or_none(current["geometry_wkt"])
            merged["parcel_ids"] = _parcel_ids_or_empty(current["parcel_ids"])
            merged.update(changes)
            values = self._site_values(**merged)
            result = conn.execute(update(sites).where(sites.c.id == site_id, sites.c.version == expected_version,
                                                      sites.c.archived.is_(False))
                                  .values(**values, version=expected_version + 1, updated_at=_now()))
            if result.rowcount != 1:
                raise ConflictError(f"site {site_id} was changed by someone else (version {current['version']}, "
                                    f"you edited version {expected_version}); reload it and apply your change again")
            old = {k: current[k] for k in values if current.get(k) != values[k]}
            self._log(conn, who, "site", site_id, "update", old, {k: values[k] for k in old})
        return expected_version + 1

    def archive_site(self, who: str, site_id: int, expected_version: int) -> int:
        """Archive a site (nothing is deleted); returns the new version.

        Raises
        ------
        RegistryError
            Unknown site.
        ArchivedRecordError
            The site is archived already.
        ConflictError
            The site was saved by someone else since ``expected_version`` was read.
        """
        who = _who(who)
        site_id = rules.check_id(site_id, "site")
        expected_version = _version(expected_version)
        with self._engine.begin() as conn:
            row = conn.execute(select(sites.c.archived, sites.c.name).where(sites.c.id == site_id)).first()
            if row is None:
                raise RegistryError(f"there is no site {site_id}; reload the list of sites")
            if row.archived:
                raise ArchivedRecordError(f"site {site_id} ({row.name!r}) is archived already")
            result = conn.execute(update(sites).where(sites.c.id == site_id, sites.c.version == expected_version,
                                                      sites.c.archived.is_(False))
                                  .values(archived=True, version=expected_version + 1, updated_at=_now()))
            if result.rowcount != 1:
                raise ConflictError(f"site {site_id} was changed by someone else; reload it and try again")
            self._log(conn, who, "site", site_id, "archive", {"archived": False}, {"archived": True})
        return expected_version + 1

    def sites(self, *, include_archived: bool = False, status: str | None = None,
              include_unusable: bool = False) -> list[dict]:
        """Sites as dicts (geometry as shapely), newest first.

        Parameters
        ----------
        include_archived
            Also list archived sites.
        status
            Only sites with this status (one of ``SITE_STATUSES``).
        include_unusable
            Also list rows that cannot be used (unknown status or plan status, unreadable geometry,
            non-finite area); by default they are left out with a logged warning.

        Returns
        -------
        list of dict
            The columns, ``geometry`` (shapely, None if unreadable), ``parcel_ids`` (tuple) and
            ``problems`` (tuple of sentences; empty for a usable site).
        """
        query = select(sites).order_by(sites.c.id.desc())
        if not include_archived:
            query = query.where(sites.c.archived.is_(False))
        if status is not None:
            problems: list[str] = []
            rules.check_choice(problems, "site status", status, SITE_STATUSES)
            if problems:
                raise RegistryError(problems_message("site filter", problems))
            query = query.where(sites.c.status == status)
        with self._engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        out = []
        for r in rows:
            r["geometry"] = _geometry_or_none(r.pop("geometry_wkt"))
            r["parcel_ids"] = _parcel_ids_or_empty(r["parcel_ids"])
            r["problems"] = tuple(_stored_site_problems(r))
            if r["problems"] and not include_unusable:
                logger.warning("registry: site %s left out of the list: %s", r["id"], "; ".join(r["problems"]))
                continue
            out.append(r)
        return out

    def _site_values(self, *, name: str, status: str, geometry: shapely.Geometry, plan_status: str,
                     plan_use_code: str | None, parcel_ids: tuple[str, ...], building_right_m2: float | None,
                     notes: str, contact: str) -> dict:
        problems: list[str] = []
        name = rules.check_text(problems, "the site name", name, max_chars=rules.NAME_MAX, required=True)
        rules.check_choice(problems, "status", status, SITE_STATUSES)
        rules.check_choice(problems, "plan status", plan_status, PLAN_STATUSES)
        plan_use_code = _missing_to_none(plan_use_code)
        if plan_use_code is not None:
            rules.check_choice(problems, "plan use code", plan_use_code, PLAN_USE_CODES)
        ids = _check_parcel_ids(problems, parcel_ids)
        if building_right_m2 is not None:
            building_right_m2 = rules.check_number(problems, "the building right", building_right_m2, minimum=0.0,
                                                   maximum=rules.AREA_MAX_M2)
        notes = rules.check_text(problems, "the notes field", notes, max_chars=rules.NOTES_MAX, multiline=True)
        contact = rules.check_text(problems, "the contact", contact, max_chars=rules.CONTACT_MAX)
        area = self._check_geometry(problems, geometry)
        if problems:
            raise RegistryError(problems_message("site", problems))
        return {"name": name, "status": status, "area_m2": round(area, 1), "plan_status": plan_status,
                "plan_use_code": plan_use_code, "parcel_ids": json.dumps(ids),
                "geometry_wkt": shapely.to_wkt(geometry, rounding_precision=2), "notes": notes, "contact": contact,
                "building_right_m2": building_right_m2}

    def _check_geometry(self, problems: list[str], geometry: Any) -> float:
        if not isinstance(geometry, shapely.Geometry) or geometry.is_empty \
                or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append("a site needs an area (polygon) geometry in EPSG:3006")
            return 0.0
        coords = shapely.get_coordinates(geometry)
        if len(coords) > rules.COORDINATES_MAX:
            problems.append(f"the site's outline has {len(coords):,} points; simplify it to at most "
                            f"{rules.COORDINATES_MAX:,}")
            return 0.0
        if not np.isfinite(coords).all():
            problems.append("the site's geometry has infinite or missing coordinates; redraw it")
            return 0.0
        if not geometry.is_valid:
            problems.append("the site's geometry is invalid (self-intersecting); redraw it")
            return 0.0
        if self._municipality is not None and not self._municipality.buffer(1).contains(geometry):
            problems.append("the site lies outside the municipality")
            return 0.0
        area = float(geometry.area)
        if not 0 < area <= rules.AREA_MAX_M2:
            problems.append(f"the site's area is {area:,.0f} m²; it must be above zero and at most "
                            f"{rules.AREA_MAX_M2:,.0f} m²")
        return area

    # ------------------------------------------------------------------ applications
    def add_application(self, who: str, *, company: str, profile: str, area_need_m2: float, jobs: int,
                        entry_level_jobs: int = 0, timing: str = "", vehicle_trips_per_day: int = 0,
                        innovation: bool = False) -> int:
        """Register an application for land; returns its id.

        Raises
        ------
        RegistryError
            Listing every invalid value: the profile must be a key of ``analysis.profiles.PROFILES``.
        """
        who = _who(who)
        problems: list[str] = []
        company = rules.check_text(problems, "the company name", company, max_chars=rules.COMPANY_MAX,
                                   required=True)
        rules.check_choice(problems, "profile", profile, tuple(PROFILES))
        need = rules.check_number(problems, "the plot area needed", area_need_m2, minimum=0.0,
                                  maximum=rules.AREA_MAX_M2, above_minimum=True)
        jobs = rules.check_number(problems, "the number of jobs", jobs, minimum=0, maximum=rules.JOBS_MAX,
                                  integer=True)
        entry = rules.check_number(problems, "the number of entry-level jobs", entry_level_jobs, minimum=0,
                                   maximum=rules.JOBS_MAX, integer=True)
        trips = rules.check_number(problems, "the number of vehicle trips per day", vehicle_trips_per_day, minimum=0,
                                   maximum=rules.TRIPS_MAX, integer=True)
        timing = rules.check_text(problems, "the timing", timing, max_chars=rules.TIMING_MAX)
        if not isinstance(innovation, (bool, np.bool_)):
            problems.append(f"innovation must be yes or no, not {type(innovation).__name__}")
        if jobs is not None and entry is not None and entry > jobs:
            problems.append("entry-level jobs cannot exceed all jobs")
        if problems:
            raise RegistryError(problems_message("application", problems))
        values = {"company": company, "profile": profile, "area_need_m2": need, "jobs": jobs,
                  "entry_level_jobs": entry, "timing": timing, "vehicle_trips_per_day": trips,
                  "innovation": bool(innovation)}
        now = _now()
        with self._engine.begin() as conn:
            new_id = conn.execute(insert(applications).values(**values, status="open", archived=False, version=1,
                                                              created_at=now, updated_at=now)).inserted_primary_key[0]
            self._log(conn, who, "application", new_id, "create", {}, values)
        return int(new_id)

    def applications(self, *, include_archived: bool = False, include_unusable: bool = False) -> list[dict]:
        """Applications as dicts, oldest first.

        Parameters
        ----------
        include_archived
            Also list archived applications.
        include_unusable
            Also list rows that cannot be used (a profile not in ``PROFILES``, an unknown status,
            non-finite or negative numbers, from older data or direct database writes); by
            default they are left out with a logged warning, so one bad row cannot break the
            shortlist for everyone.

        Returns
        -------
        list of dict
            The columns and ``problems`` (tuple of sentences; empty for a usable application).
        """
        query = select(applications).order_by(applications.c.id)
        if not include_archived:
            query = query.where(applications.c.archived.is_(False))
        with self._engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        out = []
        for r in rows:
            r["problems"] = tuple(_stored_application_problems(r))
            if r["problems"] and not include_unusable:
                logger.warning("registry: application %s left out of the list: %s", r["id"],
                               "; ".join(r["problems"]))
                continue
            out.append(r)
        return out

    def record_decision(self, who: str, application_id: int, site_id: int, weights: Mapping[str, float], *,
                        application_version: int, site_version: int) -> None:
        """Allocate a site to an application, recording the weights in force.

        The officer decides on what the page showed: the ids and versions of the application
        and the site in the chosen shortlist row. The decision is refused unless, at the moment
        of writing, the application exists, is not archived and is open (or shortlisted), and
        the site exists, is not archived and is available, both still at the versions shown.

        Parameters
        ----------
        who
            The officer (or board) deciding, for the audit trail.
        application_id, site_id
            The records in the shortlist row the officer chose.
        weights
            Matching weights in force (criterion in ``MATCH_CRITERIA`` -> finite, >= 0).
        application_version, site_version
            The versions the shortlist showed (``version`` of the rows from
            :meth:`applications` and :meth:`sites`).

        Raises
        ------
        RegistryError
            Malformed ids, versions or weights.
        DecisionError
            A record is unknown, archived, or not in a state that can be allocated (the message
            lists every reason).
        ConflictError
            A record was saved by someone else after the shortlist was shown.
        """
        who = _who(who)
        application_id = rules.check_id(application_id, "application")
        site_id = rules.check_id(site_id, "site")
        application_version = _version(application_version)
        site_version = _version(site_version)
        problems: list[str] = []
        weights = rules.check_weights(problems, weights, MATCH_CRITERIA)
        if problems:
            raise RegistryError(problems_message("decision", problems))
        with self._engine.begin() as conn:
            app = conn.execute(select(applications).where(applications.c.id == application_id)
                               .with_for_update()).mappings().first()
            site = conn.execute(select(sites).where(sites.c.id == site_id).with_for_update()).mappings().first()
            problems = _decision_problems(application_id, app, site_id, site)
            if problems:
                raise DecisionError(problems_message("the allocation cannot be decided", problems))
            stale = [f"{what} {rid} is now at version {row['version']}, the shortlist showed version {seen}"
                     for what, rid, row, seen in (("application", application_id, app, application_version),
                                                  ("site", site_id, site, site_version)) if row["version"] != seen]
            if stale:
                raise ConflictError(f"{'; '.join(stale)}: someone changed it after the shortlist was shown; "
                                    "reload the shortlist and decide again")
            now = _now()
            done_app = conn.execute(
                update(applications).where(applications.c.id == application_id,
                                           applications.c.version == application_version,
                                           applications.c.archived.is_(False),
                                           applications.c.status.in_(DECIDABLE_APPLICATION_STATUSES))
                .values(status="allocated", updated_at=now, version=application_version + 1)).rowcount
            done_site = conn.execute(
                update(sites).where(sites.c.id == site_id, sites.c.version == site_version,
                                    sites.c.archived.is_(False), sites.c.status == "available")
                .values(status="allocated", updated_at=now, version=site_version + 1)).rowcount
            if done_app != 1 or done_site != 1:  # changed between the read and the write: roll back
                raise ConflictError("the application or the site was changed by someone else just now; reload the "
                                    "shortlist and decide again")
            self._log(conn, who, "application", application_id, "allocate", {"status": app["status"]},
                      {"status": "allocated", "site_id": site_id, "site_version": site_version}, weights)
            self._log(conn, who, "site", site_id, "allocate", {"status": site["status"]},
                      {"status": "allocated", "application_id": application_id,
                       "application_version": application_version}, weights)

    # ------------------------------------------------------------------ audit
    def revision(self) -> int:
        """A number that grows with every change (the last audit entry's id; 0 for an empty registry).

        Every write appends to the audit trail in the same transaction, so readers can keep what
        they derived from the registry until this number moves.
        """
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.max(audit.c.id))).scalar() or 0)

    def audit_trail(self, *, entity: str | None = None, entity_id: int | None = None) -> list[dict]:
        """Audit entries, oldest first, optionally for one record."""
        query = select(audit).order_by(audit.c.id)
        if entity is not None:
            problems: list[str] = []
            rules.check_choice(problems, "audit entity", entity, ("site", "application"))
            if problems:
                raise RegistryError(problems_message("audit filter", problems))
            query = query.where(audit.c.entity == entity)
        if entity_id is not None:
            query = query.where(audit.c.entity_id == rules.check_id(entity_id, "record"))
        with self._engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        for r in rows:
            for key in ("old", "new", "weights"):
                r[key] = json.loads(r[key])
        return rows

    @staticmethod
    def _log(conn: Connection, who: str, entity: str, entity_id: int, action: str, old: Mapping, new: Mapping,
             weights: Mapping | None = None) -> None:
        conn.execute(insert(audit).values(at=_now(), who=who, entity=entity, entity_id=int(entity_id),
                                          action=action, old=json.dumps(old, default=str, ensure_ascii=False),
                                          new=json.dumps(new, default=str, ensure_ascii=False),
                                          weights=json.dumps(dict(weights or {}))))


def _who(who: Any) -> str:
    """The officer name for the audit trail ("unknown" when empty), checked like any text."""
    problems: list[str] = []
    name = rules.check_text(problems, "the officer name", who if who is not None else "", max_chars=rules.WHO_MAX)
    if problems:
        raise RegistryError(problems_message("officer", problems))
    return name or "unknown"


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= int(value) < rules.ID_MAX:
        raise RegistryError(f"{repr(value)[:40]} is not a record version (expected a whole number from 1); "
                            "reload the page and try again")
    return int(value)


def _missing_to_none(value: Any) -> Any:
    """None for a missing value as pandas gives it (None or NaN), else the value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _check_parcel_ids(problems: list[str], parcel_ids: Any) -> list[str]:
    if isinstance(parcel_ids, str) or not isinstance(parcel_ids, (tuple, list)):
        problems.append(f"the parcel ids must be a list of ids, not {type(parcel_ids).__name__}")
        return []
    if len(parcel_ids) > rules.PARCEL_IDS_MAX:
        problems.append(f"a site can hold at most {rules.PARCEL_IDS_MAX} parcels, not {len(parcel_ids)}")
        return []
    sub: list[str] = []
    ids = [rules.check_text(sub, "a parcel id", p, max_chars=rules.PARCEL_ID_MAX, required=True) for p in parcel_ids]
    problems.extend(dict.fromkeys(sub))  # each kind of problem once
    return ids


def _geometry_or_none(wkt: Any) -> shapely.Geometry | None:
    try:
        geometry = shapely.from_wkt(wkt)
    except (ShapelyError, TypeError, ValueError):
        return None
    return geometry if isinstance(geometry, shapely.Geometry) else None


def _parcel_ids_or_empty(text_: Any) -> tuple[str, ...]:
    try:
        ids = json.loads(text_)
    except (TypeError, ValueError):
        return ()
    return tuple(str(i) for i in ids) if isinstance(ids, list) else ()


def _stored_site_problems(row: Mapping) -> list[str]:
    problems = []
    if row["status"] not in SITE_STATUSES:
        problems.append(f"unknown status {row['status']!r}")
    if row["plan_status"] not in PLAN_STATUSES:
        problems.append(f"unknown plan status {row['plan_status']!r}")
    geometry = row["geometry"]
    if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append("no readable polygon geometry")
    if not isinstance(row["area_m2"], (int, float)) or not math.isfinite(row["area_m2"]) or row["area_m2"] <= 0:
        problems.append(f"area {row['area_m2']!r} m² is not a positive finite number")
    return problems


def _stored_application_problems(row: Mapping) -> list[str]:
    problems = []
    if row["profile"] not in PROFILES:
        problems.append(f"unknown profile {row['profile']!r} (known: {', '.join(PROFILES)})")
    if row["status"] not in APPLICATION_STATUSES:
        problems.append(f"unknown status {row['status']!r}")
    need = row["area_need_m2"]
    if not isinstance(need, (int, float)) or not math.isfinite(need) or need <= 0:
        problems.append(f"plot area needed {need!r} m² is not a positive finite number")
    for key in ("jobs", "entry_level_jobs", "vehicle_trips_per_day"):
        if not isinstance(row[key], int) or row[key] < 0:
            problems.append(f"{key.replace('_', ' ')} {row[key]!r} is not a whole number >= 0")
    return problems


def _decision_problems(application_id: int, app: Mapping | None, site_id: int, site: Mapping | None) -> list[str]:
    problems = []
    if app is None:
        problems.append(f"there is no application {application_id}")
    else:
        if app["archived"]:
            problems.append(f"application {application_id} ({app['company']!r}) is archived")
        if app["status"] not in DECIDABLE_APPLICATION_STATUSES:
            problems.append(f"application {application_id} ({app['company']!r}) is {app['status']!r}, not open; "
                            "only open or shortlisted applications can be allocated a site")
        if app["profile"] not in PROFILES:
            problems.append(f"application {application_id} has the unknown profile {app['profile']!r}; "
                            f"correct it to one of {', '.join(PROFILES)} first")
    if site is None:
        problems.append(f"there is no site {site_id}")
    else:
        if site["archived"]:
            problems.append(f"site {site_id} ({site['name']!r}) is archived")
        if site["status"] != "available":
            problems.append(f"site {site_id} ({site['name']!r}) is {site['status']!r}, not available; set it to "
                            "available first if it should be allocated")
    if problems:
        problems.append("reload the shortlist and choose again")
    return problems


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
    ``geometry`` (SRID 3006) column that GIS tools can read directly. From version 3 the audit
    table is append-only in the database (triggers, see :func:`_guard_audit`).
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
        if version is None:  # a new database: the tables are current, add what create_all cannot
            _guard_audit(conn)
            conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
            return SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise RegistryError(f"the database has schema version {version}, newer than this program "
                                f"({SCHEMA_VERSION}); upgrade the program")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](conn)
        conn.execute(update(schema_version).values(version=SCHEMA_VERSION))
    return SCHEMA_VERSION


_AUDIT_REFUSAL = ("the audit trail is append-only: entries cannot be changed or deleted; record a correction as "
                  "a new entry instead")


def _guard_audit(conn: Connection) -> None:
    """Make the audit table append-only in the database: UPDATE, DELETE (and TRUNCATE) fail.

    SQLite: ``BEFORE UPDATE``/``BEFORE DELETE`` triggers that ``RAISE(ABORT, ...)``, and a
    ``BEFORE INSERT`` trigger refusing a reused id (``INSERT OR REPLACE`` would overwrite silently). PostgreSQL: a
    PL/pgSQL trigger function raising an exception, fired before each row's UPDATE or DELETE and
    before TRUNCATE. Idempotent.
    """
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit "
                                 f"BEGIN SELECT RAISE(ABORT, '{_AUDIT_REFUSAL}'); END")
        # INSERT OR REPLACE deletes the old row without firing delete triggers (unless the
        # connection enables recursive_triggers): refuse an insert that reuses an existing id.
        conn.exec_driver_sql("CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit WHEN NEW.id IS NOT "
                             "NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) "
                             f"BEGIN SELECT RAISE(ABORT, '{_AUDIT_REFUSAL}'); END")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            f"RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = '{_AUDIT_REFUSAL} (' || TG_OP "
            "|| ' refused)'; END $fn$")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_change ON audit")
        conn.exec_driver_sql("CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW "
                             "EXECUTE FUNCTION audit_append_only()")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        conn.exec_driver_sql("CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT "
                             "EXECUTE FUNCTION audit_append_only()")
    else:
        raise RegistryError(f"the registry supports SQLite and PostgreSQL, not {conn.dialect.name}; set "
                            "SITEFINDER_DATABASE_URL to a sqlite:/// or postgresql+psycopg2:// URL")


def _add_building_right(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE sites ADD COLUMN building_right_m2 FLOAT")


#: Version -> the step that brings the previous version up to it.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _add_building_right,
    3: _guard_audit,
}
