"""Harness app for the parcel map component (browser benchmark and browser test).

Run ``streamlit run benchmarks/tile_map_app.py`` from the project root. ``SITEFINDER_HARNESS_PARCELS``
chooses the data: unset or ``demo`` = the shipped demo dataset (indicators from the cache), a number
= that many synthetic parcels (``benchmarks.synthetic``, mixed-service profile). A suffix ``@Z``
(``100000@14``) starts the map at zoom Z on the middle of the data instead of showing all of it.
``benchmarks/static`` links to the project's ``static`` folder, so tiles and vendored scripts are
served at ``app/static/`` as in the real app.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from analysis.profiles import CRITERIA, PROFILES  # noqa: E402
from sites.scored import Scorer  # noqa: E402
from sites.tiles import ensure_tiles, positions  # noqa: E402
from ui.parcel_map import TILES_DIR, overlay_from_frame, parcel_map  # noqa: E402

SOURCE, _, START_ZOOM = os.environ.get("SITEFINDER_HARNESS_PARCELS", "demo").partition("@")


@st.cache_resource(show_spinner=False)
def scorer(source: str) -> tuple[Scorer, str | None, list[dict]]:
    """Scorer, parcel checksum and overlays (district boundaries for the demo)."""
    if source == "demo":
        from sites.dataset import load_dataset
        from sites.indicators import load_or_compute

        ds = load_dataset()
        districts = overlay_from_frame(ds.districts, name="districts", tooltip="district", tolerance_m=10,
                                       style={"color": "#3a3a3a", "weight": 1.5, "fill": False, "dashArray": "4 4"})
        return (Scorer.build(ds.parcels, load_or_compute(ds).table, PROFILES["light_industry"]),
                ds.checksums["parcels"], [districts])
    from benchmarks import synthetic

    parcels = synthetic.parcels(int(source))
    return Scorer.build(parcels, synthetic.indicator_table(parcels), PROFILES[synthetic.PROFILE]), None, []


@st.cache_resource(show_spinner=False)
def tiles(source: str):
    sc, checksum, _ = scorer(source)
    return ensure_tiles(sc.parcels, TILES_DIR, checksum=checksum)


st.set_page_config(page_title="parcel map harness", layout="wide")
sc, _, overlays = scorer(SOURCE)
ts = tiles(SOURCE)
ids = sc.parcels["parcel_id"].to_numpy()
side, main = st.columns([1, 3])
with side:
    weights = {c: st.slider(c, 0.0, 1.0, float(sc.profile.weights.get(c, 0.0)), 0.05, key=f"w_{c}") for c in CRITERIA}
    if sum(weights.values()) == 0:
        weights = dict(sc.profile.weights)
t0 = time.perf_counter()
scores = sc.quick(weights, robustness=False).map_scores()  # the map first: no Monte Carlo before it
selected = st.session_state.get("selected")
with main:
    click = parcel_map(ts, scores, ids, selected=positions(sc.parcels["parcel_id"], [selected] if selected else []),
                       overlays=overlays,
                       legend={"title": "Score", "low": "0", "high": "100",
                               "items": [{"label": "excluded", "colour": "#9e9e9e"}]},
                       texts={"score": "Score", "rank": "rank", "excluded": "excluded", "filtered": "filtered out"},
                       height=700, key="parcels", zoom=int(START_ZOOM) if START_ZOOM else None,
                       center=((ts.bounds[1] + ts.bounds[3]) / 2, (ts.bounds[0] + ts.bounds[2]) / 2)
                       if START_ZOOM else None)
if click is not None and click.clicks != st.session_state.get("clicks"):
    st.session_state["clicks"] = click.clicks
    st.session_state["selected"] = click.parcel_id
    selected = click.parcel_id
with side:
    st.text(f"selected: {selected}" if selected else "selected: none")
with main:
    # After the map has its colours: robustness and explanations for the ten shown and the selected.
    quick = sc.quick(weights, draws=1000, shown=10)
    shown = quick.details([*quick.best(10), *positions(sc.parcels["parcel_id"], [selected] if selected else [])])
    st.dataframe(shown[["parcel_id", "designation", "score", "rank", "p_top_k", "rank_p05", "rank_p95",
                        "explanation"]], hide_index=True)
with side:
    score_ms = 1000 * (time.perf_counter() - t0)
    st.markdown(f"parcels: {len(ids):,} · tiles {ts.engine}, {ts.seconds:.1f} s · scoring {score_ms:.0f} ms")
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    st.caption(f"run {st.session_state['runs']} complete")  # the browser benchmark waits for this
