"""The demo registry: on first start with the shipped demo data, its available municipal plots.

So a new user's open-data export, shortlists and allocation have something to show. Seeded only
into an empty registry (no site ever saved, nothing in the audit trail), each site marked as
demonstration data in its notes and recorded in the audit trail as made by ``demo data``.
"""

from __future__ import annotations

import geopandas as gpd

from sites.registry import Registry

DEMO_WHO = "demo data"
DEMO_NOTE = "Demonstrationsdata (påhittad tomt i demodatat) / demonstration data (synthetic plot)"
PUBLIC_OWNERS = ("municipal", "Södra Porten AB")


def demo_plots(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The demo's plots a municipality would offer: publicly owned, vacant, with a plan adopted or in progress."""
    keep = (parcels["owner_type"].isin(PUBLIC_OWNERS) & parcels["vacant"].astype(bool)
            & parcels["plan_status"].isin(("adopted", "in_progress")))
    return parcels[keep]


def seed_demo_registry(reg: Registry, parcels: gpd.GeoDataFrame) -> int:
    """Add the demo plots to ``reg`` as available sites if the registry has never held anything.

    Returns
    -------
    int
        Sites added (0 when the registry already has sites or history).
    """
    if reg.sites(include_archived=True, include_unusable=True) or reg.audit_trail():
        return 0
    plots = demo_plots(parcels)
    for row in plots.itertuples():
        reg.add_site(DEMO_WHO, name=row.designation, status="available", geometry=row.geometry,
                     plan_status=row.plan_status, plan_use_code=row.plan_use_code or None,
                     parcel_ids=(row.parcel_id,), notes=DEMO_NOTE)
    return len(plots)
