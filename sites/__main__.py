"""Command line: ``python -m sites export --profile logistics --format geojson --out scored.geojson``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from analysis.profiles import CRITERIA, PROFILES
from errors import SiteFinderError
from sites import export
from sites.dataset import load_dataset
from sites.indicators import load_or_compute
from sites.scored import Scorer, customised, filters_from_options, get_profile, parse_weights
from texts import text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exits with code 2 on bad options)."""
    parser = argparse.ArgumentParser(prog="python -m sites", description="Site finder commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="score every parcel for a profile and write GeoJSON, GeoPackage or CSV")
    ex.add_argument("--profile", required=True, help=f"one of: {', '.join(PROFILES)}")
    ex.add_argument("--format", default="geojson", help=f"one of: {', '.join(export.FORMATS)}")
    ex.add_argument("--out", required=True, type=Path, help="output file")
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
    return parser


def run_open_data(args: argparse.Namespace) -> int:
    """Write the open-data export of available plots; returns the exit code."""
    from settings import DATABASE_URL
    from sites import open_data
    from sites.registry import open_registry

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

    from sites.indicators import build_networks
    from sites.isochrones import site_isochrones
    from sites.prospectus import prospectus_pdf

    profile = get_profile(args.profile)
    weights = parse_weights(args.weights, profile.weights)
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise SiteFinderError(text("cli.bad_date", "en", value=args.date)) from None
    ds = load_dataset()
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
    profile = customised(get_profile(args.profile), m2_per_job=args.m2_per_job, plot_ratio=args.plot_ratio,
                         min_plot_m2=args.min_plot)
    if args.format not in export.FORMATS:
        raise SiteFinderError(f"unknown format '{args.format}'; choose one of {', '.join(export.FORMATS)}")
    if args.draws < 1:
        raise SiteFinderError("--draws must be at least 1")
    weights = parse_weights(args.weights, profile.weights)
    filters = filters_from_options(min_area=args.min_area, max_area=args.max_area, plan_status=args.plan_status,
                                   municipal_only=args.municipal_only, vacant_only=args.vacant_only,
                                   category=args.category, area=args.area)
    print(text("cli.loading", args.lang), file=sys.stderr)
    ds = load_dataset()
    indicators = load_or_compute(ds, cache_dir=None if args.no_cache else export_cache_dir(),
                                 progress=lambda f, m: print(f"  {f:4.0%} {m}", file=sys.stderr))
    scored = Scorer.build(ds.parcels, indicators.table, profile).score(weights, filters, lang=args.lang,
                                                                        draws=args.draws)
    frame = scored.export_frame().assign(data_version=ds.manifest_version)
    metadata = {"profile": profile.key, "weights": scored.weights_dict(), "top_k": scored.top_k,
                "data_version": ds.manifest_version, "service_date": indicators.service_date,
                "column_labels": export.column_labels([c for c in frame.columns if c != "geometry"], args.lang)}
    export.write(frame, args.out, args.format, metadata=metadata)
    print(text("cli.wrote_export", args.lang, n=len(frame), ranked=int((~frame["excluded"]).sum()), path=str(args.out)),
          file=sys.stderr)
    return 0


def export_cache_dir() -> Path:
    """The indicator cache folder from settings."""
    from settings import CACHE_DIR

    return CACHE_DIR


def main(argv: list[str] | None = None) -> int:
    """Entry point; bad options and data problems exit with code 2 and a message."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        commands = {"prospectus": run_prospectus, "open-data": run_open_data, "export": run_export}
        return commands[args.command](args)
    except SiteFinderError as err:
        print(text("cli.error", "en", message=str(err)), file=sys.stderr)  # project errors are in English
        return 2


if __name__ == "__main__":
    sys.exit(main())
