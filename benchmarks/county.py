"""County-sized synthetic inputs in the real download formats, for the benchmarks.

``write_county(folder, side=560)`` writes what a municipality downloads, at Stockholm county's
size: an OpenStreetMap ``.osm.pbf`` (a street grid of ``side x side`` intersections, 100 m apart,
with curved blocks, footways, buildings and land use that the importer must skip, a motorway with
exits and ramps), a GTFS zip (about 13,000 stops and 6 M stop times at the defaults), parcels laid
out like Lantmäteriet's Fastighetsindelning (uuid, trakt, block, enhet), premises, plan layers,
boundaries and an SCB-style 1 km population CSV (``n,e,pop``). Everything is random but seeded,
in SWEREF 99 TM around Botkyrka, and nothing here is real data.

Run: ``python -m benchmarks.county county-inputs [side]``.
"""

from __future__ import annotations

import sys
import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

E0, N0 = 620_000.0, 6_540_000.0
SPACING = 100.0
MUNICIPALITY = "0127"
TO_LONLAT = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


def write_county(folder: Path, *, side: int = 560, stops: int = 13_000, stop_times: int = 6_000_000,
                 parcels: int = 300_000, premises: int = 20_000, seed: int = 0) -> dict[str, Path]:
    """Write every input; returns input name -> path (the ``BuildInputs`` names)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    extent = side * SPACING
    paths = {
        "roads": write_pbf(folder / "county.osm.pbf", side=side, rng=rng),
        "transit": write_gtfs(folder / "gtfs_regional.zip", extent=extent, n_stops=stops, n_stop_times=stop_times,
                              rng=rng),
        "parcels": write_parcels(folder / "fastighetsindelning.gpkg", side=side, n=parcels, rng=rng),
        "premises": write_premises(folder / "premises.gpkg", extent=extent, n=premises, rng=rng),
        "zoning": write_zoning(folder / "zoning.gpkg", extent=extent),
        "boundaries": write_boundaries(folder / "boundaries.gpkg", extent=extent),
        "population": write_population(folder / "pop_1km.csv", extent=extent, rng=rng),
    }
    return paths


def _lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = TO_LONLAT.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def write_pbf(path: Path, *, side: int, rng: np.random.Generator) -> Path:
    """A street grid as OSM PBF, with footways, buildings and land use.

    Every block edge has one curve node; every 10th street is a primary road, every 5th tertiary,
    the rest residential; one east-west motorway (a oneway pair) has exits every 5 km; footways
    lead into blocks; buildings and land use are ways the importer must skip.
    """
    import osmium
    from osmium.osm.mutable import Node, Way

    path.unlink(missing_ok=True)
    ids = np.arange(side * side).reshape(side, side) + 1  # intersection node ids
    gx, gy = np.meshgrid(E0 + np.arange(side) * SPACING, N0 + np.arange(side) * SPACING)
    next_id = int(ids.max()) + 1
    writer = osmium.SimpleWriter(str(path))
    try:
        lon, lat = _lonlat(gx.ravel(), gy.ravel())
        motorway_row = side // 2
        for k, (nid, lo, la) in enumerate(zip(ids.ravel().tolist(), lon.tolist(), lat.tolist(), strict=True)):
            r, c = divmod(k, side)
            tags = {}
            if r == motorway_row + 1 and c % 50 == 25:
                tags = {"highway": "motorway_junction", "name": f"Trafikplats {c // 50 + 1}", "ref": str(c // 50 + 1)}
            writer.add_node(Node(id=nid, location=(lo, la), tags=tags))
        # Curve nodes: one per block edge, offset sideways by up to 8 m.
        curve: dict[tuple[int, int, int], int] = {}
        mids = []
        for r in range(side):
            for c in range(side):
                for dr, dc in ((0, 1), (1, 0)):
                    if r + dr < side and c + dc < side:
                        mx = gx[r, c] + dc * SPACING / 2 + dr * rng.uniform(-8, 8)
                        my = gy[r, c] + dr * SPACING / 2 + dc * rng.uniform(-8, 8)
                        curve[(r, c, dr)] = next_id
                        mids.append((next_id, mx, my))
                        next_id += 1
        mid_ids = np.array([m[0] for m in mids])
        mlon, mlat = _lonlat(np.array([m[1] for m in mids]), np.array([m[2] for m in mids]))
        for nid, lo, la in zip(mid_ids.tolist(), mlon.tolist(), mlat.tolist(), strict=True):
            writer.add_node(Node(id=nid, location=(lo, la)))
        # Motorway: its own nodes 30 m north of the motorway row street, two oneway carriageways.
        mw_y = gy[motorway_row, 0] + 30
        mw_ids = []
        mw_x = E0 + np.arange(side) * SPACING
        mwlon, mwlat = _lonlat(mw_x, np.full(side, mw_y))
        for lo, la in zip(mwlon.tolist(), mwlat.tolist(), strict=True):
            writer.add_node(Node(id=next_id, location=(lo, la)))
            mw_ids.append(next_id)
            next_id += 1
        way_id = 1
        writer.add_way(Way(id=way_id, nodes=mw_ids, tags={"highway": "motorway", "oneway": "yes", "ref": "E4",
                                                          "maxspeed": "110"}))
        way_id += 1
        writer.add_way(Way(id=way_id, nodes=mw_ids[::-1], tags={"highway": "motorway", "oneway": "yes",
                                                                "ref": "E4", "maxspeed": "110"}))
        way_id += 1
        for c in range(25, side, 50):  # ramps on and off at every exit
            a, b = int(ids[motorway_row, c]), mw_ids[c]
            writer.add_way(Way(id=way_id, nodes=[a, b], tags={"highway": "motorway_link", "oneway": "yes"}))
            writer.add_way(Way(id=way_id + 1, nodes=[b, a], tags={"highway": "motorway_link", "oneway": "yes"}))
            way_id += 2

        def klass(i: int) -> dict[str, str]:
            if i % 10 == 0:
                return {"highway": "primary", "maxspeed": "70"}
            if i % 5 == 0:
                return {"highway": "tertiary"}
            return {"highway": "residential"}

        for r in range(side):  # east-west streets, one way per 10 blocks
            for c0 in range(0, side - 1, 10):
                nodes = [int(ids[r, c0])]
                for c in range(c0, min(c0 + 10, side - 1)):
                    nodes += [curve[(r, c, 0)], int(ids[r, c + 1])]
                writer.add_way(Way(id=way_id, nodes=nodes, tags={**klass(r), "name": f"Gata {r}"}))
                way_id += 1
        for c in range(side):  # north-south streets
            for r0 in range(0, side - 1, 10):
                nodes = [int(ids[r0, c])]
                for r in range(r0, min(r0 + 10, side - 1)):
                    nodes += [curve[(r, c, 1)], int(ids[r + 1, c])]
                writer.add_way(Way(id=way_id, nodes=nodes, tags={**klass(c), "name": f"Väg {c}"}))
                way_id += 1
        # Footways into every 7th block, buildings in every 11th, land use in every 13th.
        for r in range(0, side - 1, 3):
            for c in range(0, side - 1, 7):
                x, y = gx[r, c] + 50, gy[r, c] + 30
                flon, flat = _lonlat(np.array([x, x]), np.array([y, y + 40]))
                writer.add_node(Node(id=next_id, location=(float(flon[0]), float(flat[0]))))
                writer.add_node(Node(id=next_id + 1, location=(float(flon[1]), float(flat[1]))))
                writer.add_way(Way(id=way_id, nodes=[curve[(r, c, 0)], next_id, next_id + 1],
                                   tags={"highway": "footway"}))
                next_id += 2
                way_id += 1
                if c % 11 == 0 or c % 13 == 0:
                    bx = np.array([x + 10, x + 30, x + 30, x + 10])
                    by = np.array([y, y, y + 20, y + 20])
                    blon, blat = _lonlat(bx, by)
                    ring = []
                    for lo, la in zip(blon.tolist(), blat.tolist(), strict=True):
                        writer.add_node(Node(id=next_id, location=(lo, la)))
                        ring.append(next_id)
                        next_id += 1
                    tags = {"building": "yes"} if c % 11 == 0 else {"landuse": "industrial"}
                    writer.add_way(Way(id=way_id, nodes=[*ring, ring[0]], tags=tags))
                    way_id += 1
    finally:
        writer.close()
    return path


def write_gtfs(path: Path, *, extent: float, n_stops: int, n_stop_times: int, rng: np.random.Generator,
               stops_per_trip: int = 30) -> Path:
    """A GTFS zip: stops on the grid, bus routes of ``stops_per_trip`` stops, trips all day."""
    sx = E0 + rng.uniform(0, extent, n_stops)
    sy = N0 + rng.uniform(0, extent, n_stops)
    lon, lat = _lonlat(sx, sy)
    stops = pd.DataFrame({"stop_id": [f"S{i}" for i in range(n_stops)], "stop_name": [f"Hållplats {i}"
                                                                                      for i in range(n_stops)],
                          "stop_lat": lat.round(6), "stop_lon": lon.round(6), "location_type": 0})
    n_trips = n_stop_times // stops_per_trip
    n_routes = max(1, n_trips // 300)
    routes = pd.DataFrame({"route_id": [f"R{i}" for i in range(n_routes)], "agency_id": "A",
                           "route_short_name": [str(100 + i) for i in range(n_routes)],
                           "route_type": np.where(np.arange(n_routes) % 20 == 0, 401, 700)})
    route_stops = np.stack([np.sort(rng.choice(n_stops, stops_per_trip, replace=False)) for _ in range(n_routes)])
    trip_route = np.arange(n_trips) % n_routes
    trips = pd.DataFrame({"route_id": routes["route_id"].to_numpy()[trip_route], "service_id": "WD",
                          "trip_id": [f"T{i}" for i in range(n_trips)], "direction_id": trip_route % 2})
    start = 5 * 3600 + (np.arange(n_trips) // n_routes) * 300 % (18 * 3600)
    seq = np.tile(np.arange(stops_per_trip), n_trips)
    t = np.repeat(start, stops_per_trip) + seq * 90
    hhmmss = pd.Series(t).map(lambda s: f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}")
    stop_times = pd.DataFrame({"trip_id": np.repeat(trips["trip_id"].to_numpy(), stops_per_trip),
                               "arrival_time": hhmmss, "departure_time": hhmmss,
                               "stop_id": stops["stop_id"].to_numpy()[route_stops[trip_route].ravel()],
                               "stop_sequence": seq + 1})
    calendar = pd.DataFrame({"service_id": ["WD"], "monday": [1], "tuesday": [1], "wednesday": [1], "thursday": [1],
                             "friday": [1], "saturday": [0], "sunday": [0], "start_date": ["20260101"],
                             "end_date": ["20261231"]})
    agency = pd.DataFrame({"agency_id": ["A"], "agency_name": ["Synthetic Transit"],
                           "agency_url": ["https://example.org"], "agency_timezone": ["Europe/Stockholm"]})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, df in (("agency", agency), ("stops", stops), ("routes", routes), ("trips", trips),
                         ("calendar", calendar), ("stop_times", stop_times)):
            zf.writestr(f"{name}.txt", df.to_csv(index=False, lineterminator="\n"))
    return path


def write_parcels(path: Path, *, side: int, n: int, rng: np.random.Generator) -> Path:
    """Parcels inside the blocks, Lantmäteriet-style columns (objektidentitet, trakt, block, enhet)."""
    blocks = (side - 1) ** 2
    per_block = int(np.ceil(n / blocks))
    k = np.arange(n)
    block, part = k // per_block, k % per_block
    r, c = block // (side - 1), block % (side - 1)
    width = (SPACING - 20) / per_block
    x0 = E0 + c * SPACING + 10 + part * width
    y0 = N0 + r * SPACING + 10
    geoms = shapely.box(x0 + 1, y0, x0 + width - 1, y0 + SPACING - 20 - rng.uniform(0, 10, n))
    gdf = gpd.GeoDataFrame({
        "objektidentitet": [str(uuid.UUID(int=int(i) + 1)) for i in k],
        "kommunkod": MUNICIPALITY,
        "trakt": [f"Trakt{rr // 10}" for rr in r],
        "block": (c + 1).astype(str),
        "enhet": part + 1 + 10 * (r % 10),
    }, geometry=geoms, crs="EPSG:3006")
    path.unlink(missing_ok=True)
    gdf.to_file(path, layer="registerenhetsomradesyta", driver="GPKG")
    return path


def write_premises(path: Path, *, extent: float, n: int, rng: np.random.Generator) -> Path:
    gdf = gpd.GeoDataFrame({
        "premises_id": [f"L{i:06d}" for i in range(n)],
        "premises_type": rng.choice(["office", "warehouse", "industry", "retail"], n),
        "floor_area_m2": rng.uniform(100, 20_000, n).round(0),
        "vacant": rng.random(n) < 0.1,
    }, geometry=gpd.points_from_xy(E0 + rng.uniform(0, extent, n), N0 + rng.uniform(0, extent, n)), crs="EPSG:3006")
    path.unlink(missing_ok=True)
    gdf.to_file(path, driver="GPKG")
    return path


def write_zoning(path: Path, *, extent: float) -> Path:
    """Land use in 5 km squares covering everything, a change area and a nature constraint."""
    path.unlink(missing_ok=True)
    cats = ["Stadsbygd", "Verksamheter", "Landsbygd", "Grönstruktur"]
    step = 5000.0
    n = int(np.ceil(extent / step))
    geoms, cat = [], []
    for i in range(n):
        for j in range(n):
            geoms.append(shapely.box(E0 + i * step, N0 + j * step, E0 + (i + 1) * step, N0 + (j + 1) * step))
            cat.append(cats[(i + j) % 4])
    gpd.GeoDataFrame({"category": cat, "description": ""}, geometry=geoms, crs="EPSG:3006").to_file(
        path, layer="land_use", driver="GPKG")
    gpd.GeoDataFrame({"area_no": [1], "name": ["Nyetablering"], "kind": ["förändringsområde"], "description": [""]},
                     geometry=[shapely.box(E0, N0, E0 + step, N0 + step)], crs="EPSG:3006").to_file(
        path, layer="change_areas", driver="GPKG")
    gpd.GeoDataFrame({"kind": ["nature"], "name": ["Naturreservat"], "description": [""]},
                     geometry=[shapely.box(E0 + step, N0 + step, E0 + 2 * step, N0 + 2 * step)],
                     crs="EPSG:3006").to_file(path, layer="constraints", driver="GPKG")
    return path


def write_boundaries(path: Path, *, extent: float) -> Path:
    """Four municipalities (quadrants; the south-west one is 0127) and three districts in 0127."""
    path.unlink(missing_ok=True)
    h = extent / 2
    quads = [shapely.box(E0, N0, E0 + h, N0 + h), shapely.box(E0 + h, N0, E0 + extent, N0 + h),
             shapely.box(E0, N0 + h, E0 + h, N0 + extent), shapely.box(E0 + h, N0 + h, E0 + extent, N0 + extent)]
    gpd.GeoDataFrame({"KnKod": [MUNICIPALITY, "0126", "0125", "0180"],
                      "KnNamn": ["Botkyrka", "Huddinge", "Ekerö", "Stockholm"]}, geometry=quads,
                     crs="EPSG:3006").to_file(path, layer="municipalities", driver="GPKG")
    third = h / 3
    districts = [shapely.box(E0 + i * third, N0, E0 + (i + 1) * third, N0 + h) for i in range(3)]
    gpd.GeoDataFrame({"district": ["Alby", "Fittja", "Hallunda-Norsborg"], "population_published": [0, 0, 0]},
                     geometry=districts, crs="EPSG:3006").to_file(path, layer="districts", driver="GPKG")
    return path


def write_population(path: Path, *, extent: float, rng: np.random.Generator) -> Path:
    """SCB-style 1 km cells as published in the CSV form: ``n,e,pop`` (lower-left corners)."""
    cells = np.arange(0, extent, 1000.0)
    e, n = np.meshgrid(E0 + cells, N0 + cells)
    pop = rng.integers(0, 4000, e.size)
    keep = pop > 300  # only populated cells are published
    pd.DataFrame({"n": n.ravel()[keep].astype(int), "e": e.ravel()[keep].astype(int),
                  "pop": pop[keep]}).to_csv(path, index=False)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "county-inputs")
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 560
    for name, p in write_county(out, side=size).items():
        print(f"{name}: {p} ({p.stat().st_size / 1e6:.1f} MB)")
