"""Colour scales readable by colour-blind people (viridis) and the grey of excluded parcels."""

from __future__ import annotations

import numpy as np

#: Viridis at 11 evenly spaced stops (matplotlib's values).
VIRIDIS = ("#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151",
           "#bddf26", "#fde725")
EXCLUDED = "#9e9e9e"


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


_STOPS = np.array([_rgb(c) for c in VIRIDIS])


def viridis(values: np.ndarray, *, vmin: float = 0.0, vmax: float = 100.0) -> list[str]:
    """Hex colours for ``values`` on viridis between ``vmin`` and ``vmax`` (NaN -> excluded grey)."""
    v = np.asarray(values, dtype="float64")
    t = np.clip((v - vmin) / max(vmax - vmin, 1e-9), 0, 1) * (len(VIRIDIS) - 1)
    lo = np.floor(np.nan_to_num(t)).astype(int).clip(0, len(VIRIDIS) - 2)
    frac = (np.nan_to_num(t) - lo)[:, None]
    rgb = _STOPS[lo] * (1 - frac) + _STOPS[lo + 1] * frac
    out = ["#{:02x}{:02x}{:02x}".format(*np.rint(c).astype(int)) for c in rgb]
    return [EXCLUDED if np.isnan(x) else c for x, c in zip(v, out, strict=True)]


def legend_gradient() -> str:
    """CSS linear-gradient of the scale, for the legend."""
    return "linear-gradient(to right, " + ", ".join(VIRIDIS) + ")"


#: Population density ramp (light yellow to dark red, ColorBrewer YlOrRd), kept apart from the score's viridis.
POPULATION = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026")


def population_gradient() -> str:
    """CSS linear-gradient of the population ramp, for the legend."""
    return "linear-gradient(to right, " + ", ".join(POPULATION) + ")"
