"""Short explanations of a score in words: the strongest and weakest criteria with their numbers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.profiles import CRITERIA
from texts import distance, has, number, text

#: Indicator columns each criterion's phrase reads.
PHRASE_COLUMNS = {
    "motorway": ("car_min_to_junction", "nearest_junction"), "rail_stop": ("walk_m_to_rail_stop", "nearest_rail_stop"),
    "transit_service": ("departures_per_hour_600m",), "labour_pool_pt": ("residents_45min_pt",),
    "labour_pool_car": ("residents_30min_car",), "local_hire": ("local_hire_30min_botkyrka",), "jobs": ("jobs_est",),
    "readiness": ("plan_status", "owner_type"),
}


def _float(row: Mapping[str, object], key: str) -> float:
    try:
        return float(row.get(key, np.nan))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _coded(prefix: str, value: object, lang: str) -> str:
    key = f"{prefix}.{str(value).replace(' ', '_')}"
    return text(key, lang) if has(key) else str(value)


def phrase(criterion: str, row: Mapping[str, object], lang: str = "en") -> str:
    """One criterion's indicator as words, numbers written for ``lang``, e.g. ``'1 min to Trafikplats Hallunda'``.

    Texts come from the catalogue (keys ``explain.<criterion>``); a criterion without a phrase, or a
    row without the indicator, gives the criterion's key. Car figures name their period when the
    row has ``car_period`` (``peak`` or ``free_flow``).
    """
    key = f"explain.{criterion}"
    if criterion not in PHRASE_COLUMNS or not has(key) or any(c not in row for c in PHRASE_COLUMNS[criterion]):
        return criterion
    if criterion == "motorway":
        values = {"minutes": number(_float(row, "car_min_to_junction"), lang), "junction": row["nearest_junction"]}
    elif criterion == "rail_stop":
        values = {"distance": distance(_float(row, "walk_m_to_rail_stop"), lang), "station": row["nearest_rail_stop"]}
    elif criterion == "transit_service":
        values = {"departures": number(_float(row, "departures_per_hour_600m"), lang)}
    elif criterion in ("labour_pool_pt", "labour_pool_car", "local_hire"):
        (column,) = PHRASE_COLUMNS[criterion]
        values = {"thousands": number(_float(row, column) / 1000, lang, decimals=1 if criterion == "local_hire" else 0)}
    elif criterion == "jobs":
        values = {"jobs": number(_float(row, "jobs_est"), lang)}
    else:
        values = {"plan_status": _coded("plan_status", row["plan_status"], lang),
                  "owner": _coded("owner", row["owner_type"], lang)}
    words = text(key, lang, **values)
    period = row.get("car_period")
    if criterion in ("motorway", "labour_pool_car") and isinstance(period, str) and has(f"explain.period.{period}"):
        words += f" ({text(f'explain.period.{period}', lang)})"
    return words


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
    if isinstance(reason, str) and reason:
        return f"{text('explain.excluded', lang)}: {reason}"
    contribution = weights * values
    strong = [i for i in np.argsort(-contribution, kind="stable") if weights[i] > 0 and values[i] >= 0.6][:2]
    weak = [i for i in np.argsort(-(weights * (1 - values)), kind="stable") if weights[i] > 0 and values[i] < 0.4][:1]
    parts = []
    if strong:
        parts.append(f"{text('explain.strong', lang)}: " + ", ".join(phrase(CRITERIA[i], row, lang) for i in strong))
    if weak:
        parts.append(f"{text('explain.weak', lang)}: " + phrase(CRITERIA[weak[0]], row, lang))
    return "; ".join(parts)
