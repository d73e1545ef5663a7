"""Command line: ``python -m sites export --profile logistics --out scored.gpkg``, ``dataset build``, ...

Heavy libraries (geopandas, networkx, the analysis) are imported inside the commands, so
``--help`` and option errors answer at once; output paths are checked before any work starts.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from analysis.profiles import CRITERIA, PROFILES
from errors import ParameterError, SiteFinderError
from texts import text

#: Export formats and the file extensions that choose them when ``--format`` is absent.
FORMATS = ("geojson", "gpkg", "csv")
EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".csv": "csv"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exits with code 2 on bad options)."""
    parser = argparse.ArgumentParser(prog="python -m sites", description="Site finder commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="score every parcel for a profile and write GeoJSON, GeoPackage or CSV")
    ex.add_argument("--profile", required=True, help=f"one of: {', '.join(PROFILES)}")
    ex.add_argument("--format", help=f"one of: {', '.join(FORMATS)} (default: from the --out extension)")
    ex.add_argument("--out", required=True, type=Path, help="output file (.geojson, .gpkg or .csv)")
    ex.add_argument("--m2-per-job", type=float, help="custom profile: m² gross floor area per job")
    ex.add_argument("--plot-ratio", type=float, help="custom profile: plot ratio (BTA / land area)")
    ex.add_argument("--min-plot", type=float, help="custom profile: smallest usable plot, m²")
    ex.add_argument("--weights", help=f"name=value pairs over the profile's weights; names: {', '.join(CRITERIA)}")
    ex.add_argument("--area", action="append", default=[], help="only parcels of this area (e.g. 'Södra Porten')")
    ex.add_argument("--min-area", type=float, help="smallest plot, m²")
    ex.add_argument("--max-area", type=float, help="largest plot, m²")
    ex.add_argument("--plan-status", action="append", default=[], choices=["none", "in_progress", "adopted"])
    ex.add_argument("--category", action="append", default=[], help="comprehensive-plan category")
    ex.add_argument("--municipal-only", action="store_true", help="only municipal / Södra Porten AB land")
    ex.add_argument("--vacant-only", action="store_true", help="only vacant parcels")
    ex.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws for robustness (default 1000)")
    ex.add_argument("--lang", default="en", choices=["en", "sv"], help="language of explanations")
    ex.add_argument("--no-cache", action="store_true", help="recompute indicators even if cached")
    pr = sub.add_parser("prospectus", help="one-page PDF for a site (or 2-4 sites compared)")
    pr.add_argument("--parcel", required=True, action="append", help="parcel id or designation (repeat to compare)")
    pr.add_argument("--profile", default="logistics", help=f"one of: {', '.join(PROFILES)}")
    pr.add_argument("--weights", help="name=value pairs over the profile's weights")
    pr.add_argument("--lang", default="sv", choices=["sv", "en"])
    pr.add_argument("--link", default="", help="share link to print and draw as a QR code (copy it from the app's "
                    "Share panel, e.g. a signed investor link)")
    pr.add_argument("--no-isochrones", action="store_true",
                    help="leave out the car 10/20/30 min and public transport 45 min areas of a single site")
    pr.add_argument("--date", help="date printed on the page, YYYY-MM-DD (default today)")
    pr.add_argument("--out", required=True, type=Path, help="output PDF")
    od = sub.add_parser("open-data", help="available plots as open data (Lediga tomter), CSV or GeoJSON")
    od.add_argument("--format", default="csv", choices=["csv", "geojson"])
    od.add_argument("--out", required=True, type=Path)
    od.add_argument("--database", help="registry database URL (default: settings)")
    od.add_argument("--lang", default="en", choices=["en", "sv"], help="language of messages")
    ds = sub.add_parser("dataset", help="build a dataset from a municipality's downloads, or list datasets")
    dsub = ds.add_subparsers(dest="dataset_command", required=True)
    b = dsub.add_parser("build", help="conform real files into a dataset folder with precomputed indicators")
    b.add_argument("--municipality", required=True, help="SCB municipality code, e.g. 0127")
    b.add_argument("--roads", required=True, type=Path, help="OpenStreetMap .osm.pbf (Geofabrik/BBBike) or .osm")
    b.add_argument("--gtfs", required=True, type=Path, help="GTFS zip (e.g. Trafiklab GTFS Regional)")
    b.add_argument("--parcels", required=True, type=Path, help="parcels (e.g. Lantmäteriet Fastighetsindelning)")
    b.add_argument("--premises", required=True, type=Path, help="premises (points or building polygons)")
    b.add_argument("--zoning", required=True, type=Path,
                   help="plan layers GeoPackage (land_use, change_areas, constraints)")
    b.add_argument("--land-use", type=Path, help="single-layer land-use file replacing zoning's land_use")
    b.add_argument("--population", required=True, type=Path, help="population grid (SCB cells or GeoTIFF)")
    b.add_argument("--boundaries", required=True, type=Path, help="GeoPackage with municipalities and districts")
    b.add_argument("--map-parcels", help="parcel column mapping, e.g. FNR=parcel_id,FASTBET=designation")
    b.add_argument("--map-premises", help="premises column mapping, e.g. LOKALNR=premises_id,YTA=floor_area_m2")
    b.add_argument("--source", action="append", default=[], help="provenance of an input, e.g. transit='SL via ...'")
    b.add_argument("--licence", action="append", default=[], help="licence of an input, e.g. transit='CC0 1.0'")
    b.add_argument("--out", required=True, type=Path, help="dataset folder (its parent must exist)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    dsub.add_parser("list", help="datasets the app can open (SITEFINDER_DATASETS_DIR)")
    return parser


def output_format(out: Path, fmt: str | None) -> str:
    """The export format: ``fmt`` if given, else from the extension of ``out``.

    Raises
    ------
    ParameterError
        Unknown format, unknown extension without ``--format``, or a format that contradicts it.
    """
    by_ext = EXTENSIONS.get(out.suffix.lower())
    if fmt is None:
        if by_ext is None:
            raise ParameterError(f"--out {out.name}: cannot tell the format from the extension "
                                 f"'{out.suffix}'; use .geojson, .gpkg or .csv, or give --format")
        return by_ext
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if by_ext is not None and by_ext != fmt:
        raise ParameterError(f"--format {fmt} but --out {out.name} is a {by_ext} name; change one of them")
    return fmt


def check_output_file(out: Path) -> None:
    """Raise before any work unless ``out`` can be written: its folder exists and is writable."""
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise ParameterError(f"--out {out}: is a folder; give a file name")
    if not folder.exists():
        raise ParameterError(f"--out {out}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ParameterError(f"--out {out}: cannot write there (permissions); choose another path")


def run_open_data(args: argparse.Namespace) -> int:
    """Write the open-data export of available plots; returns the exit code."""
    from settings import DATABASE_URL
    from sites import export, open_data
    from sites.registry import open_registry

    check_output_file(args.out)
    plots = open_data.available_plots(open_registry(args.database or DATABASE_URL).sites())
    if args.format == "csv":
        args.out.write_text(open_data.to_csv(plots), encoding="utf-8")
    else:
        export.write_geojson(plots, args.out, metadata={"specification": "Lediga tomter (fields partly assumed)"})
    print(text("cli.wrote_open_data", args.lang, n=len(plots), path=str(args.out)), file=sys.stderr)
    if not len(plots):
        print(text("export_empty_open_data", args.lang), file=sys.stderr)
    return 0


def run_prospectus(args: argparse.Namespace) -> int:
    """Write a one-page prospectus PDF; returns the exit code."""
    import datetime as dt

    from sites.dataset import current_dataset
    from sites.indicators import build_networks, load_or_compute
    from sites.isochrones import site_isochrones
    from sites.prospectus import prospectus_pdf
    from sites.scored import Scorer, get_profile, parse_weights

    check_output_file(args.out)
    profile = get_profile(args.profile)
    weights = parse_weights(args.weights, profile.weights)
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise SiteFinderError(text("cli.bad_date", "en", value=args.date)) from None
    ds = current_dataset()
    indicators = load_or_compute(ds, cache_dir=export_cache_dir())
    scored = Scorer.build(ds.parcels, indicators.table, profile).score(weights, lang=args.lang)
    by_name = dict(zip(ds.parcels["designation"], ds.parcels["parcel_id"], strict=True))
    ids = list(dict.fromkeys(by_name.get(p, p) for p in args.parcel))
    iso = None
    if len(ids) == 1 and not args.no_isochrones and ids[0] in set(scored.frame["parcel_id"]):
        print(text("cli.isochrones", args.lang), file=sys.stderr)
        iso = site_isochrones(ds, ids[0], build_networks(ds), lang=args.lang)
    args.out.write_bytes(prospectus_pdf(ds, scored, ids, lang=args.lang, link=args.link, generated=day, isochrones=iso))
    print(text("cli.wrote_prospectus", args.lang, path=str(args.out)), file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Score and write; returns the exit code."""
    check_output_file(args.out)
    fmt = output_format(args.out, args.format)
    from sites import export
    from sites.dataset import current_dataset
    from sites.indicators import load_or_compute
    from sites.scored import Scorer, customised, filters_from_options, get_profile, parse_weights

    profile = customised(get_profile(args.profile), m2_per_job=args.m2_per_job, plot_ratio=args.plot_ratio,
                         min_plot_m2=args.min_plot)
    if args.draws < 1:
        raise SiteFinderError("--draws must be at least 1")
    weights = parse_weights(args.weights, profile.weights)
    filters = filters_from_options(min_area=args.min_area, max_area=args.max_area, plan_status=args.plan_status,
                                   municipal_only=args.municipal_only, vacant_only=args.vacant_only,
                                   category=args.category, area=args.area)
    print(text("cli.loading", args.lang), file=sys.stderr)
    from sites.dataset import open_for_scoring, resolve_dataset

    folder = None if args.no_cache else resolve_dataset()
    ds = (open_for_scoring(folder) if folder is not None else None) or current_dataset()
    indicators = load_or_compute(ds, cache_dir=None if args.no_cache else export_cache_dir(),
                                 progress=lambda f, m: print(f"  {f:4.0%} {m}", file=sys.stderr))
    scored = Scorer.build(ds.parcels, indicators.table, profile).score(weights, filters, lang=args.lang,
                                                                        draws=args.draws)
    frame = scored.export_frame().assign(data_version=ds.manifest_version)
    metadata = {"profile": profile.key, "weights": scored.weights_dict(), "top_k": scored.top_k,
                "data_version": ds.manifest_version, "service_date": indicators.service_date,
                "column_labels": export.column_labels([c for c in frame.columns if c != "geometry"], args.lang)}
    export.write(frame, args.out, fmt, metadata=metadata)
    print(text("cli.wrote_export", args.lang, n=len(frame), ranked=int((~frame["excluded"]).sum()), path=str(args.out)),
          file=sys.stderr)
    return 0


def run_dataset(args: argparse.Namespace) -> int:
    """``dataset build`` and ``dataset list``; returns the exit code."""
    if args.dataset_command == "list":
        from sites.dataset import list_datasets

        for info in list_datasets():
            where = info.path or "data/demo"
            detail = info.problem or (f"municipality {info.municipality_code}, {info.parcels} parcels"
                                      if info.path else "shipped demo")
            print(f"{info.name}\t{where}\t{detail}")
        return 0
    from layers.mapping import parse_mapping
    from sites.dataset_build import BuildInputs, build_dataset, check_inputs

    inputs = BuildInputs(
        municipality_code=args.municipality, roads=args.roads, transit=args.gtfs, parcels=args.parcels,
        premises=args.premises, zoning=args.zoning, population=args.population, boundaries=args.boundaries,
        land_use=args.land_use, parcels_mapping=parse_mapping(args.map_parcels, "parcels"),
        premises_mapping=parse_mapping(args.map_premises, "premises"),
        sources=_pairs(args.source, "--source"), licences=_pairs(args.licence, "--licence"))
    check_inputs(inputs, args.out)
    bar = None if args.quiet else _progress_bar()
    try:
        manifest = build_dataset(inputs, args.out, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    for warning in manifest["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"built {args.out}: {manifest['layers']['parcels']['features']} parcels, indicators "
          f"{manifest['indicators']['key']}; open it with SITEFINDER_DATASET={args.out}", file=sys.stderr)
    return 0


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise ParameterError(f"{option} '{value}' must be name=text, e.g. transit='CC0 1.0'")
        name, text = value.split("=", 1)
        out[name.strip()] = text.strip()
    return out


class _progress_bar:  # noqa: N801 - used like a function
    """A tqdm bar over the whole build (percent), showing the stage name and the ETA."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=1000, unit="‰", file=sys.stderr, bar_format="{desc:<48.48} {percentage:3.0f}%|{bar}| "
                        "{elapsed}<{remaining}")

    def update(self, stage: str, fraction: float) -> None:
        self.bar.set_description_str(stage, refresh=False)
        self.bar.update(max(0, round(fraction * 1000) - self.bar.n))

    def close(self) -> None:
        self.bar.close()


def export_cache_dir() -> Path:
    """The indicator cache: the built dataset's own (``SITEFINDER_DATASET``), else the settings' folder."""
    from settings import CACHE_DIR
    from sites.dataset import resolve_dataset

    folder = resolve_dataset()
    return CACHE_DIR if folder is None else folder / "indicators"


def main(argv: list[str] | None = None) -> int:
    """Entry point; bad options and data problems exit with code 2 and a message."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        commands = {"prospectus": run_prospectus, "open-data": run_open_data, "export": run_export,
                    "dataset": run_dataset}
        return commands[args.command](args)
    except SiteFinderError as err:
        print(text("cli.error", "en", message=str(err)), file=sys.stderr)  # project errors are in English
        return 2


if __name__ == "__main__":
    sys.exit(main())
