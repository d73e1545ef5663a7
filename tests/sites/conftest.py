"""Registry fixtures: an SQLite file, and a fresh schema in the CI's PostgreSQL (``SITEFINDER_TEST_PG_URL``)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text


def _pg_schema():
    base = os.environ.get("SITEFINDER_TEST_PG_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("SITEFINDER_TEST_PG_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL here (set SITEFINDER_TEST_PG_URL)")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{base}?options=-csearch_path%3D{schema},public"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A registry database URL: an SQLite file, then an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite'}"
        return
    yield from _pg_schema()


@pytest.fixture()
def pg_url():
    """A registry URL on PostgreSQL only (an empty schema, dropped afterwards)."""
    yield from _pg_schema()
