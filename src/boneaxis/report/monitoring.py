"""Plain-language bone-monitoring summary for a simulated trajectory (informational only).

The summary restates what a published guideline says about bone health during aromatase-inhibitor
therapy, places the projected T-scores against its thresholds, and gives the dates at which the
projection crosses T-score -1.0 (low bone mass), -2.0 (the guideline's treatment threshold) and
-2.5 (osteoporosis).  It never addresses the patient with an instruction, and it always ends with
:data:`boneaxis.DISCLAIMER`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..model.bone import DAYS_PER_YEAR
from ..model.fracture import (
    PEOPLE_OF_SEX, SEX_OF_PHENOTYPE, SITES, Z_SCORE_SITES_BY_SEX, add_fracture_columns, t_score,
)
from ..notice import DISCLAIMER

GUIDELINE_NAME = (
    "Management of Aromatase Inhibitor-Associated Bone Loss (AIBL) in postmenopausal women with "
    "hormone sensitive breast cancer: joint position statement of the IOF, CABS, ECTS, IEG, "
    "ESCEO, IMS, and SIOG")
GUIDELINE_CITATION = f"Hadji P et al. {GUIDELINE_NAME}. J Bone Oncol 2017;7:1-12"
GUIDELINE_SHORT = "Hadji 2017 joint position statement (IOF, CABS, ECTS, IEG, ESCEO, IMS, SIOG)"

# Thresholds of the position statement (T-score, lowest of spine / total hip / femoral neck):
TREATMENT_T_SCORE = -2.0          # bone-directed therapy advised below this
TREATMENT_T_SCORE_WITH_RF = -1.5  # ... or below this with at least one additional risk factor
MONITORING_INTERVAL = "every 1 to 2 years"
THRESHOLDS = (-1.0, -2.0, -2.5)   # WHO low bone mass, guideline treatment threshold, osteoporosis

SITE_LABEL = {"lumbar_spine": "lumbar spine", "total_hip": "total hip",
              "femoral_neck": "femoral neck"}

# Premenopausal women and men under 50: BMD is read as a Z-score (age- and sex-matched), and a
# Z-score of -2.0 or lower is "below the expected range for age" (ISCD 2005 Official Positions).
ISCD_CITATION = ("the International Society for Clinical Densitometry's 2005 Official Positions "
                 "(J Clin Densitom 2006;9:22-30)")
Z_SCORE_THRESHOLD = -2.0
Z_SCORE_AGE_LIMIT = 50.0

# Stopping denosumab (issue 3: the rebound "in size and timing as published")
DENOSUMAB_STOP_CITATION = "Tsourdi E et al. J Clin Endocrinol Metab 2021;106:264"


class Crossing(NamedTuple):
    """First downward crossing of a T-score threshold.

    ``day`` is the interpolated crossing time (days from the start of the run) or ``None`` if the
    projection does not cross within the run; ``already_below`` is true when the threshold was
    already reached at the start (``day`` is then 0.0).
    """

    day: float | None
    already_below: bool


def first_crossing(times_d, values, threshold: float) -> Crossing:
    """First time ``values`` falls below ``threshold`` (linear interpolation between samples)."""
    t = np.asarray(times_d, dtype=float)
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return Crossing(None, False)
    if v[0] < threshold:
        return Crossing(0.0, True)
    below = np.flatnonzero(v < threshold)
    if below.size == 0:
        return Crossing(None, False)
    i = int(below[0])
    v0, v1 = v[i - 1], v[i]
    frac = (v0 - threshold) / (v0 - v1)
    return Crossing(float(t[i - 1] + frac * (t[i] - t[i - 1])), False)


def threshold_crossings(df: pd.DataFrame, sex: str, thresholds=THRESHOLDS,
                        reference: str = "female") -> dict[str, dict[float, Crossing]]:
    """Crossing of each T-score threshold at each site present in ``df``."""
    times = df["time_days"].to_numpy(float)
    out: dict[str, dict[float, Crossing]] = {}
    for s in SITES:
        col = f"bmd_{s}_g_cm2"
        if col not in df:
            continue
        ts = t_score(df[col].to_numpy(float), s, sex, reference)
        out[s] = {float(th): first_crossing(times, ts, th) for th in thresholds}
    return out


def _when(day: float) -> str:
    return f"day {day:.0f} ({day / DAYS_PER_YEAR:.1f} years from the start)"


def _describe(c: Crossing, threshold: float, end_day: float) -> str:
    if c.already_below:
        return f"already below {threshold:+.1f} at the start"
    if c.day is None:
        return f"stays above {threshold:+.1f} through day {end_day:.0f}"
    return f"crosses {threshold:+.1f} at {_when(c.day)}"


def denosumab_stop(df: pd.DataFrame, treatments) -> tuple[float, float] | None:
    """(last dose, first omitted dose) in days when a scheduled denosumab dose falls due within
    the run after the last one given (stopped, or doses missed at the end); else ``None``."""
    end_h = 24.0 * float(df["time_days"].iloc[-1])
    last, due = None, None
    for tr in treatments:
        if tr.drug != "denosumab":
            continue
        given = tr.dose_times_h(end_h)
        if given.size and (last is None or given[-1] > last):
            last, due = float(given[-1]), float(given[-1] + tr.every_h)
    if last is None or due >= end_h:
        return None
    return last / 24.0, due / 24.0


def _pct_change_between(df: pd.DataFrame, site: str, d0: float, d1: float) -> float:
    t = df["time_days"].to_numpy(float)
    b = df[f"bmd_{site}_g_cm2"].to_numpy(float)
    return 100.0 * (np.interp(d1, t, b) / np.interp(d0, t, b) - 1.0)


def _z_score_lines(df: pd.DataFrame, phenotype: str, sex: str, age_years: float,
                   end_day: float) -> list[str]:
    """Age-matched reading for premenopausal women and men under 50 (ISCD), where a T-score
    against young adults is not how densitometry reports BMD; only the sites with a verified
    age-matched reference for the sex (``fracture.Z_SCORE_SITES_BY_SEX``)."""
    if not (phenotype == "premenopausal_woman"
            or (sex == "male" and age_years < Z_SCORE_AGE_LIMIT)):
        return []
    who = "premenopausal women" if phenotype == "premenopausal_woman" else "men under 50"
    out = ["", f"Age-matched reading ({who}): densitometry reports a Z-score, the number of SDs "
           f"from people of the same age and sex, and {ISCD_CITATION} calls a Z-score of "
           f"{Z_SCORE_THRESHOLD:.1f} or lower 'below the expected range for age'."]
    times = df["time_days"].to_numpy(float)
    for s in Z_SCORE_SITES_BY_SEX[sex]:
        col = f"z_score_{s}"
        if col not in df:
            continue
        z = df[col].to_numpy(float)
        c = first_crossing(times, z, Z_SCORE_THRESHOLD)
        out.append(f"  - {SITE_LABEL[s]} Z-score: {z[0]:+.2f} -> {z[-1]:+.2f}; "
                   f"{_describe(c, Z_SCORE_THRESHOLD, end_day)}")
    missing = [SITE_LABEL[s] for s in SITES if s not in Z_SCORE_SITES_BY_SEX[sex]]
    out.append(f"  - No Z-score here at the {' or '.join(missing)}: no age-matched reference "
               f"for {PEOPLE_OF_SEX[sex]} there could be verified (docs/fracture.md).")
    return out


def monitoring_plan(df: pd.DataFrame, phenotype: str, age_years: float,
                    reference: str = "female", treatments=()) -> str:
    """Plain-language monitoring summary for one simulated trajectory; ends with the disclaimer.

    ``treatments``: the scenario's treatments, so that a denosumab stop within the run can be
    described with the loss the projection shows after it."""
    if phenotype not in SEX_OF_PHENOTYPE:
        raise ValueError(f"unknown phenotype {phenotype!r}; choose one of "
                         f"{', '.join(SEX_OF_PHENOTYPE)}")
    sex = SEX_OF_PHENOTYPE[phenotype]
    if "fracture_risk_10y_major_pct" not in df or "t_score_femoral_neck" not in df:
        df = add_fracture_columns(df, sex, age_years, reference)
    times = df["time_days"].to_numpy(float)
    end_day = float(times[-1]) if times.size else 0.0
    crossings = threshold_crossings(df, sex, reference=reference)

    ref_text = ("young-adult female reference data for every site (the FRAX/WHO convention)"
                if reference == "female" else f"young-adult {sex} reference data")
    lines = [
        "Bone health monitoring summary (informational; projected, not measured)",
        "",
        f"Guideline used: {GUIDELINE_CITATION}.",
        f"Projection: {phenotype.replace('_', ' ')}, age {age_years:g} at the start, "
        f"{end_day / DAYS_PER_YEAR:.1f} years simulated; T-scores use {ref_text}.",
        "",
        "Projected T-scores (start -> end of the run):",
    ]
    for s in crossings:
        ts = df[f"t_score_{s}"].to_numpy(float)
        lines.append(f"  - {SITE_LABEL[s]}: {ts[0]:+.2f} -> {ts[-1]:+.2f}")
    maj = df["fracture_risk_10y_major_pct"].to_numpy(float)
    hip = df["fracture_risk_10y_hip_pct"].to_numpy(float)
    lines += [
        "Projected 10-year probability of a fracture (femoral-neck BMD and age only, no clinical "
        "risk factors; see docs/fracture.md):",
        f"  - major osteoporotic fracture: {maj[0]:.1f}% -> {maj[-1]:.1f}%",
        f"  - hip fracture: {hip[0]:.1f}% -> {hip[-1]:.1f}%",
        "",
        "When the projection crosses the T-score thresholds:",
    ]
    for s, by_th in crossings.items():
        parts = "; ".join(_describe(c, th, end_day) for th, c in by_th.items())
        lines.append(f"  - {SITE_LABEL[s]}: {parts}")

    lowest_end = min(float(df[f"t_score_{s}"].iloc[-1]) for s in crossings)
    first_treat = [c.day for by_th in crossings.values()
                   for th, c in by_th.items() if th == TREATMENT_T_SCORE and c.day is not None]
    lines += [
        "",
        f"What the {GUIDELINE_SHORT} says:",
        "  - Fracture risk is assessed, including a DXA scan of spine and hip, when aromatase-"
        "inhibitor therapy starts, and BMD and risk factors are reassessed "
        f"{MONITORING_INTERVAL} while the therapy continues.",
        f"  - It advises clinicians to consider bone-directed (anti-resorptive) therapy for a "
        f"T-score below {TREATMENT_T_SCORE:.1f}, or below {TREATMENT_T_SCORE_WITH_RF:.1f} with at "
        "least one additional risk factor, or with two or more risk factors whatever the "
        "T-score. Risk factors named include a fragility fracture after age 50, a family "
        "history of hip fracture, oral glucocorticoids for more than 6 months, smoking, age over "
        "65 and low body mass index.",
        "  - Exercise and adequate calcium and vitamin D are part of the statement's basic care "
        "for everyone on an aromatase inhibitor.",
        "",
        "How this projection relates to those thresholds:",
    ]
    if first_treat:
        d = min(first_treat)
        if d == 0.0:
            lines.append(f"  - At the start the projected T-score is already below "
                         f"{TREATMENT_T_SCORE:.1f} at one or more sites, the level at which the "
                         "guideline advises clinicians to consider bone-directed therapy.")
        else:
            lines.append(f"  - The projection first falls below {TREATMENT_T_SCORE:.1f} at "
                         f"{_when(d)}; at that level the guideline advises clinicians to "
                         "consider bone-directed therapy. A measured DXA before that date is what "
                         "such a decision would rest on, not this projection.")
    elif lowest_end < TREATMENT_T_SCORE_WITH_RF:
        lines.append(f"  - The lowest projected T-score ends between "
                     f"{TREATMENT_T_SCORE_WITH_RF:.1f} and {TREATMENT_T_SCORE:.1f}: in this "
                     "range the guideline advises clinicians to weigh the additional risk "
                     "factors listed above.")
    else:
        lines.append(f"  - The projection stays above {TREATMENT_T_SCORE_WITH_RF:.1f} at every "
                     "site during the run; under the guideline the decision then rests on the "
                     "clinical risk factors and on repeat measurements.")
    if phenotype != "postmenopausal_woman":
        lines.append("  - The Hadji statement was written for postmenopausal women with breast "
                     "cancer; applying its thresholds to this phenotype is an extrapolation.")
    lines += _z_score_lines(df, phenotype, sex, age_years, end_day)
    stop = denosumab_stop(df, treatments)
    if stop is not None:
        last, due = stop
        d1 = min(due + DAYS_PER_YEAR, end_day)
        change = ", ".join(f"{SITE_LABEL[s]} {_pct_change_between(df, s, due, d1):+.1f}%"
                           for s in ("lumbar_spine", "total_hip") if f"bmd_{s}_g_cm2" in df)
        lines.append(f"  - Denosumab's last dose in this scenario is at day {last:.0f} and the next "
                     f"would have been due at day {due:.0f}. When denosumab stops, resorption "
                     "rebounds above its pretreatment level and the BMD it gained is lost within "
                     f"about a year; this projection shows {change} from day {due:.0f} to day "
                     f"{d1:.0f}. The European Calcified Tissue Society's position statement on "
                     f"stopping denosumab ({DENOSUMAB_STOP_CITATION}) advises clinicians to "
                     "start an alternative antiresorptive 6 months after the final injection.")
    lines += ["", DISCLAIMER]
    return "\n".join(lines)
