"""The registry's audit trail as a readable table: one row per changed field ("status: idea -> available")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

LOG_COLUMNS = ["time", "who", "record", "action", "field", "change"]
HIDDEN_FIELDS = ("geometry_wkt",)


def _value(v: object) -> str:
    if v is None or v == "":
        return "-"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}"
    return str(v)


def readable_log(trail: Sequence[Mapping], *, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per field an audit entry changed.

    Parameters
    ----------
    trail
        Entries from :meth:`sites.registry.Registry.audit_trail`.
    labels
        Display names of entities (``site``, ``application``), actions (``create``, ``update``,
        ``archive``, ``allocate``) and fields; keys not in it are shown as they are.

    Returns
    -------
    pandas.DataFrame
        :data:`LOG_COLUMNS`; ``change`` is ``old -> new`` (``new`` alone for a created record); a
        changed geometry is one row ``geometry`` without the coordinates.
    """
    name = dict(labels or {})
    rows = []
    for e in trail:
        old, new = dict(e.get("old") or {}), dict(e.get("new") or {})
        base = {"time": pd.Timestamp(e["at"]).strftime("%Y-%m-%d %H:%M"), "who": e["who"],
                "record": f"{name.get(e['entity'], e['entity'])} {e['entity_id']}",
                "action": name.get(e["action"], e["action"])}
        fields = [f for f in dict.fromkeys([*new, *old]) if old.get(f) != new.get(f)] or [""]
        for f in fields:
            if f in HIDDEN_FIELDS:
                rows.append({**base, "field": name.get("geometry", "geometry"), "change": "…"})
                continue
            change = "" if not f else (_value(new.get(f)) if f not in old else
                                       f"{_value(old.get(f))} -> {_value(new.get(f))}")
            rows.append({**base, "field": name.get(f, f), "change": change})
    return pd.DataFrame(rows, columns=LOG_COLUMNS)
