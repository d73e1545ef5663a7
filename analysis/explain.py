"""Short explanations of a score in words: the strongest and weakest criteria with their numbers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.profiles import CRITERIA

_TEXT = {
    "en": {
        "motorway": "{car_min_to_junction:.0f} min to Trafikplats {nearest_junction}{car_when}",
        "rail_stop": "{walk} to {nearest_rail_stop} station",
        "transit_service": "{departures_per_hour_600m:.0f} departures/h within 600 m",
        "labour_pool_pt": "{residents_45min_pt_k:,.0f}k residents within 45 min by public transport",
        "labour_pool_car": "{residents_30min_car_k:,.0f}k residents within 30 min by car{car_when}",
        "local_hire": "{local_hire_30min_botkyrka_k:,.1f}k Botkyrka residents within 30 min by public transport",
        "peak": " (morning peak)", "free_flow": " (free flow)",
        "jobs": "room for ~{jobs_est:,.0f} jobs",
        "readiness": "plan {plan_status}, {owner_type}",
        "strong": "strong", "weak": "weak", "excluded": "excluded",
    },
    "sv": {
        "motorway": "{car_min_to_junction:.0f} min till trafikplats {nearest_junction}{car_when}",
        "rail_stop": "{walk} till {nearest_rail_stop} station",
        "transit_service": "{departures_per_hour_600m:.0f} avgångar/h inom 600 m",
        "labour_pool_pt": "{residents_45min_pt_k:,.0f} tusen invånare inom 45 min kollektivt",
        "labour_pool_car": "{residents_30min_car_k:,.0f} tusen invånare inom 30 min med bil{car_when}",
        "local_hire": "{local_hire_30min_botkyrka_k:,.1f} tusen botkyrkabor inom 30 min kollektivt",
        "peak": " (morgonrusning)", "free_flow": " (fritt flöde)",
        "jobs": "plats för ~{jobs_est:,.0f} jobb",
        "readiness": "plan {plan_status}, {owner_type}",
        "strong": "styrka", "weak": "svaghet", "excluded": "utesluten",
    },
}


def phrase(criterion: str, row: Mapping[str, object], lang: str = "en") -> str:
    """One criterion's indicator as words, e.g. ``'1 min to Trafikplats Hallunda'``.

    Car figures name their period when the row has ``car_period`` (``"peak"`` or ``"free_flow"``).
    """
    data = dict(row)
    period = data.get("car_period")
    data["car_when"] = _TEXT.get(lang, _TEXT["en"]).get(period, "") if isinstance(period, str) else ""
    walk = float(data.get("walk_m_to_rail_stop", np.nan))
    data["walk"] = (f"{walk / 1000:.1f} km" if walk >= 1000 else f"{walk:.0f} m") if np.isfinite(walk) else "?"
    for key in ("residents_45min_pt", "residents_30min_car", "local_hire_30min_botkyrka"):
        data[f"{key}_k"] = float(data.get(key, 0.0)) / 1000
    try:
        return _TEXT[lang][criterion].format(**data)
    except (KeyError, ValueError, TypeError):
        return criterion


def explain(values: np.ndarray, weights: np.ndarray, row: Mapping[str, object], *, lang: str = "en",
            reason: str | None = None) -> str:
    """``'strong: ...; weak: ...'`` for one parcel.

    Parameters
    ----------
    values
        The parcel's criterion values 0..1 (``CRITERIA`` order).
    weights
        Normalised weights.
    row
        The parcel's indicators (and ``plan_status``, ``owner_type``).
    lang
        ``"en"`` or ``"sv"``.
    reason
        Exclusion reason; the explanation is then that reason.

    Returns
    -------
    str
        Up to two strengths (value >= 0.6, by contribution) and one weakness (value < 0.4, by weight).
    """
    text = _TEXT.get(lang, _TEXT["en"])
    if isinstance(reason, str) and reason:
        return f"{text['excluded']}: {reason}"
    contribution = weights * values
    strong = [i for i in np.argsort(-contribution, kind="stable") if weights[i] > 0 and values[i] >= 0.6][:2]
    weak = [i for i in np.argsort(-(weights * (1 - values)), kind="stable") if weights[i] > 0 and values[i] < 0.4][:1]
    parts = []
    if strong:
        parts.append(f"{text['strong']}: " + ", ".join(phrase(CRITERIA[i], row, lang) for i in strong))
    if weak:
        parts.append(f"{text['weak']}: " + phrase(CRITERIA[weak[0]], row, lang))
    return "; ".join(parts)
