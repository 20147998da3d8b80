"""T-scores and 10-year fracture probability along a simulated BMD trajectory.

Pure numpy/pandas; no state.  Every number below carries its source in ``*_SOURCE`` strings (also
rendered in ``docs/fracture.md``).  Values marked *unverified* were not checked against the primary
table in the session that wrote them and should be checked before any quantitative use.

Method (a simplified FRAX-style hazard model, BMD only, no clinical risk factors):

* ``T = (BMD - mean_young) / sd_young`` per site, against young adult reference data
  (female reference for both sexes by default: the FRAX / WHO convention for the femoral neck).
* Fracture hazard at age ``a`` for a person whose femoral-neck T-score is ``T``::

      h(a, T) = I(a, sex) * RR(a)^(-(T - Tbar(a, sex))) / exp(ln(RR(a))^2 / 2)

  ``I`` is the population incidence at that age and sex, ``Tbar`` the age- and sex-matched mean
  femoral-neck T-score, ``RR`` the gradient of risk per SD (Johnell 2005); the last factor makes
  the population average of the hazard equal to ``I`` when T is normally distributed around
  ``Tbar`` with SD 1 (E[RR^-Z] = exp(ln(RR)^2 / 2)).
* Death competes: ``P10 = integral_0^10 h(t) exp(-integral_0^t (h + mu)) dt`` with ``mu`` from
  a period life table.  Integrated in quarter-year steps with the hazards held at each step's
  midpoint (exact within a step).
* Along a trajectory the T-score at a future time is read from the trajectory; after its end it
  is held at the last simulated value (no further loss or recovery is assumed).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from .bone import DAYS_PER_YEAR
SITES = ("lumbar_spine", "total_hip", "femoral_neck")

# --------------------------------------------------------------------------------------------
# Sex used for the skeleton's reference data and fracture epidemiology, by phenotype.
# ovariectomized_transman -> "female": BMD reference data and fracture incidence describe the
# natal (female) skeleton, whose peak bone mass and geometry are set before any transition;
# this is a modelling choice (testosterone therapy may move BMD toward male values), and the
# male reference can still be requested with reference="sex_specific" only for sex="male".
# --------------------------------------------------------------------------------------------
SEX_OF_PHENOTYPE: dict[str, str] = {
    "man": "male",
    "postmenopausal_woman": "female",
    "premenopausal_woman": "female",
    "ovariectomized_transman": "female",
}
PEOPLE_OF_SEX = {"male": "men", "female": "women"}   # for messages

# ---------------------------------------------------------------- young-adult reference data
# (mean, SD) in g/cm2, by sex and site.
YOUNG_ADULT_REFERENCE: dict[str, dict[str, tuple[float, float]]] = {
    "female": {
        "femoral_neck": (0.858, 0.120),
        "total_hip": (0.942, 0.122),
        "lumbar_spine": (1.065, 0.122),
    },
    "male": {
        "femoral_neck": (0.934, 0.137),
        "total_hip": (1.067, 0.120),
        "lumbar_spine": (1.057, 0.110),
    },
}
YOUNG_ADULT_REFERENCE_SOURCE: dict[str, str] = {
    "femoral_neck": (
        "NHANES III non-Hispanic white adults aged 20-29 (Looker 1998 Osteoporos Int 8:468; "
        "Looker 1997 JBMR 12:1761): women 0.858 (SD 0.120), the FRAX/WHO reference for both "
        "sexes; men 0.934 (SD 0.137) [male value unverified]"),
    "total_hip": (
        "women: NHANES III non-Hispanic white women aged 20-29 (Looker 1998 Osteoporos Int "
        "8:468), 0.942 (SD 0.122) [widely quoted; primary table not read]; men: NHANES men aged "
        "21-30, 1.067 (SD 0.120), the 'hip' reference tabulated in Varatharajan 2026 Front "
        "Endocrinol 17:1748490 Table 3"),
    "lumbar_spine": (
        "women: peak BMD of non-Hispanic white women, NHANES 2005-2014, Hologic QDR-4500A "
        "(Xue 2021 J Clin Endocrinol Metab 106:e2613) 1.065 (SD 0.122); men: NHANES 2005-2008 "
        "men aged 21-30, 1.057 (SD 0.110), as tabulated in Varatharajan 2026 Front Endocrinol "
        "17:1748490 Table 3"),
}

# ------------------------------------------------ age-matched references (Z-scores)
# NHANES reference mean (SD), g/cm2, by decade of age 21-30 ... 71-80, as tabulated in
# Varatharajan 2026 Front Endocrinol 17:1748490, Table 3 ("NHANES reference values").  Placed at
# the decade midpoints, linear in age between, held outside 25.5-75.5.  Lumbar spine for both
# sexes; total hip for men only: of the women's hip column only the 21-30 row (0.971, SD 0.114)
# could be read, so women get no hip Z-score.  No age-matched femoral-neck table for either sex
# could be verified.
_Z_AGES = np.array([25.5, 35.5, 45.5, 55.5, 65.5, 75.5])
AGE_MATCHED_SPINE: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "male": (np.array([1.057, 1.042, 1.051, 1.053, 1.070, 1.068]),
             np.array([0.110, 0.117, 0.129, 0.143, 0.142, 0.177])),
    "female": (np.array([1.064, 1.065, 1.056, 0.993, 0.952, 0.902]),
               np.array([0.106, 0.110, 0.134, 0.141, 0.142, 0.167])),
}
AGE_MATCHED_TOTAL_HIP: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "male": (np.array([1.067, 1.029, 1.040, 1.015, 0.997, 0.961]),
             np.array([0.120, 0.134, 0.130, 0.142, 0.137, 0.143])),
}
AGE_MATCHED_SPINE_SOURCE = (
    "NHANES lumbar-spine reference mean (SD) by sex and decade 21-80 as tabulated in "
    "Varatharajan 2026 Front Endocrinol 17:1748490, Table 3; linear in age between decade "
    "midpoints")
AGE_MATCHED_TOTAL_HIP_SOURCE = (
    "NHANES hip reference mean (SD) for men by decade 21-80 as tabulated in Varatharajan 2026 "
    "Front Endocrinol 17:1748490, Table 3; linear in age between decade midpoints; men only "
    "(the women's rows past 21-30 could not be read)")
_AGE_MATCHED = {"lumbar_spine": AGE_MATCHED_SPINE, "total_hip": AGE_MATCHED_TOTAL_HIP}
# Sites with a Z-score, per sex; Z_SCORE_SITES: those with one for both sexes.
Z_SCORE_SITES_BY_SEX: dict[str, tuple[str, ...]] = {
    sex: tuple(s for s, table in _AGE_MATCHED.items() if sex in table)
    for sex in ("female", "male")}
Z_SCORE_SITES = tuple(s for s in Z_SCORE_SITES_BY_SEX["female"]
                      if s in Z_SCORE_SITES_BY_SEX["male"])


def _age_matched_table(site: str, sex: str) -> tuple[np.ndarray, np.ndarray]:
    sex = _check_sex(sex)
    if site not in Z_SCORE_SITES_BY_SEX[sex]:
        raise ValueError(f"no verified age-matched reference for {site!r} in "
                         f"{PEOPLE_OF_SEX[sex]}; Z-scores are available at "
                         f"{', '.join(Z_SCORE_SITES_BY_SEX[sex])}")
    return _AGE_MATCHED[site][sex]


def z_score(bmd_g_cm2, site: str, sex: str, age_years):
    """Z-score: SDs from the mean of people of the same age and sex (``Z_SCORE_SITES_BY_SEX``)."""
    sd = np.interp(np.asarray(age_years, dtype=float), _Z_AGES, _age_matched_table(site, sex)[1])
    return (np.asarray(bmd_g_cm2, dtype=float) - age_matched_mean(site, sex, age_years)) / sd


# ------------------------------------------- age-matched mean femoral-neck BMD (NHANES III NHW)
# Decade midpoints (years) -> mean g/cm2.  Centres the hazard model on the population's average
# BMD at each age.  Decade means of Looker 1998 Osteoporos Int 8:468 as
# recalled [unverified]; also the default femoral-neck BMD of a patient given none (phenotypes).
# Z-scores are NOT reported by boneaxis because these means were not verified (see docs).
_AGE_MEAN_AGES = np.array([25.0, 35.0, 45.0, 55.0, 65.0, 75.0, 85.0])
AGE_MATCHED_FN_MEAN: dict[str, np.ndarray] = {
    "female": np.array([0.858, 0.837, 0.812, 0.757, 0.706, 0.647, 0.589]),
    "male": np.array([0.934, 0.888, 0.864, 0.838, 0.812, 0.772, 0.714]),
}
AGE_MATCHED_FN_MEAN_SOURCE = (
    "NHANES III non-Hispanic white femoral-neck means by decade (Looker 1998 Osteoporos Int "
    "8:468) [unverified; centres the hazard model and gives default BMDs, not used for Z-scores]")


def age_matched_mean(site: str, sex: str, age_years):
    """Mean BMD (g/cm2) of people of this sex and age: the NHANES tables of the Z-scores (lumbar
    spine; men's total hip) or NHANES III femoral neck (``AGE_MATCHED_FN_MEAN``, unverified);
    linear in age between decade midpoints, held beyond the ends."""
    a = np.asarray(age_years, dtype=float)
    if site in Z_SCORE_SITES_BY_SEX[_check_sex(sex)]:
        return np.interp(a, _Z_AGES, _age_matched_table(site, sex)[0])
    if site == "femoral_neck":
        return np.interp(a, _AGE_MEAN_AGES, AGE_MATCHED_FN_MEAN[_check_sex(sex)])
    raise ValueError(f"no age-matched mean for {site!r}")


# ------------------------------------------------------------------- baseline incidence
# Hip fracture, per 1000 person-years: anchored on Medicare data for New England (Fisher 1991
# Epidemiology 2:116): white women 2.2 at 65-69 and 31.8 at 90-94; white men 0.9 and 20.8.
# Between and beyond the anchors the rate is exponential in age through the two anchor points
# (decade midpoints 67 and 92); held constant beyond 100.
_HIP_ANCHORS = {"female": (2.2, 31.8), "male": (0.9, 20.8)}
_HIP_ANCHOR_AGES = (67.0, 92.0)
HIP_INCIDENCE_SOURCE = (
    "Fisher 1991 Epidemiology 2:116 (Medicare, New England): hip fracture per 1000 person-years, "
    "white women 2.2 (65-69) to 31.8 (90-94), white men 0.9 to 20.8; exponential in age through "
    "these anchors")
# Major osteoporotic fracture (hip, clinical spine, forearm, humerus) = hip x ratio(age, sex).
# Ratio of FRAX 10-year probabilities, major / hip, at the population's average BMD (UK model,
# BMI 25, no clinical risk factors; Kanis 2008 Osteoporos Int 19:385, Table 2): women 3.5/0.2,
# 6.0/0.7, 11/2.3, 17/7.0 and men 2.8/0.1, 3.9/0.4, 5.7/1.3, 7.2/3.4 at ages 50, 60, 70, 80.
# A 10-year probability averages the incidence over the decade ahead, so each ratio is placed at
# the middle of its window (age + 5); log-linear in age between, constant outside 55-85.  The
# 50-year ratios rest on hip probabilities of 0.1-0.2% (one rounded digit).
_MAJOR_HIP_AGES = np.array([55.0, 65.0, 75.0, 85.0])
MAJOR_TO_HIP_RATIO: dict[str, np.ndarray] = {
    "female": np.array([3.5 / 0.2, 6.0 / 0.7, 11.0 / 2.3, 17.0 / 7.0]),
    "male": np.array([2.8 / 0.1, 3.9 / 0.4, 5.7 / 1.3, 7.2 / 3.4]),
}
MAJOR_TO_HIP_RATIO_SOURCE = (
    "Kanis 2008 Osteoporos Int 19:385, Table 2 (FRAX UK, BMI 25, no BMD or risk factors): ratio "
    "of 10-year major to hip probability at ages 50-80 (women 17.5, 8.6, 4.8, 2.4; men 28, 9.8, "
    "4.4, 2.1), placed at age + 5, log-linear in age; a UK ratio applied to US hip incidence")

# ------------------------------------------------------------------- gradient of risk per SD
# Johnell 2005 JBMR 20:1185 (femoral-neck BMD, per SD decrease, at age 65): hip 2.94 men, 2.88
# women; any osteoporotic fracture 1.41 men, 1.38 women.  The hip gradient falls with age and
# the osteoporotic-fracture gradient rises with age (ibid.); the slopes below are assumptions
# of that direction (hip ~3.7 at 50 to ~2.3 at 80; osteoporotic ~1.28 at 50 to ~1.49 at 80).
GRADIENT_AT_65 = {"hip": {"male": 2.94, "female": 2.88}, "major": {"male": 1.41, "female": 1.38}}
GRADIENT_LN_SLOPE_PER_YEAR = {"hip": -0.0155, "major": 0.005}
GRADIENT_SOURCE = (
    "Johnell 2005 J Bone Miner Res 20:1185: RR per SD decrease in femoral-neck BMD at age 65, "
    "hip 2.94 (men) / 2.88 (women), any osteoporotic fracture 1.41 / 1.38; direction of the age "
    "trend from the same paper, slope assumed. Marshall 1996 BMJ 312:1254 (RR ~1.5/SD for any "
    "fracture, 2.6 hip BMD for hip) agrees.")

# ------------------------------------- trial-level relation: treatment-related total-hip gain
# The gradients above are cross-sectional (people who differ in BMD).  Drug trials reduce
# fractures more than those gradients predict from the BMD gained.  Bouxsein 2019 J Bone Miner
# Res 34:632 (meta-regression of 38 placebo-controlled trials of 19 drugs) found log RR linear in
# the treatment-minus-placebo difference in total-hip BMD change; its abstract's predictions fix
# the line: a 2 / 6 point difference -> vertebral fracture RR 0.72 / 0.34 (28% / 66% fewer), hip
# fracture RR 0.84 / 0.60 (16% / 40%).  Nonvertebral fractures were not associated (no line).
META_REGRESSION_POINTS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "vertebral": ((2.0, 0.72), (6.0, 0.34)),
    "hip": ((2.0, 0.84), (6.0, 0.60)),
}
META_REGRESSION_SOURCE = (
    "Bouxsein 2019 J Bone Miner Res 34:632 (38 placebo-controlled trials of 19 drugs): log RR "
    "linear in the treatment-related difference in total-hip BMD change; 2 / 6 points -> "
    "vertebral RR 0.72 / 0.34, hip RR 0.84 / 0.60 (the abstract's predictions, which fix the "
    "line); gains only")
TrialFractureKind = Literal["vertebral", "hip"]


def meta_regression_line(kind: TrialFractureKind) -> tuple[float, float]:
    """(intercept, slope per percentage point) of ln RR in the total-hip difference."""
    if kind not in META_REGRESSION_POINTS:
        raise ValueError(f"kind must be one of {', '.join(META_REGRESSION_POINTS)}, not {kind!r}")
    (x1, r1), (x2, r2) = META_REGRESSION_POINTS[kind]
    slope = (math.log(r2) - math.log(r1)) / (x2 - x1)
    return math.log(r1) - slope * x1, slope


def treatment_relative_risk(delta_total_hip_pct_points, kind: TrialFractureKind):
    """Fracture relative risk, treated vs placebo, expected from a trial whose treated arm gained
    ``delta_total_hip_pct_points`` more total-hip BMD (% change) than its placebo arm.

    Trial-level (Bouxsein 2019; ``META_REGRESSION_SOURCE``): what placebo-controlled trials with
    that BMD difference saw on average, not a person's risk.  Defined for gains only: the
    regression pooled drugs that raise BMD, so a loss (an AI vs no AI) is outside it and raises.
    """
    d = np.asarray(delta_total_hip_pct_points, dtype=float)
    if not np.all(np.isfinite(d)):
        raise ValueError("total-hip BMD difference must be a finite number of percentage points")
    if np.any(d < 0.0):
        raise ValueError("the meta-regression describes BMD gains from bone-protecting drugs; a "
                         "total-hip difference below 0 (a loss) is outside it")
    a, b = meta_regression_line(kind)
    return np.exp(a + b * d)


# ------------------------------------------------------------------- competing mortality
# Probability of dying between ages x and x + 1, q(x), at x = 40, 45, ..., 95 and 99: United
# States Life Tables, 2019 (Arias & Xu, Natl Vital Stat Rep 70(19), 2022), Table 2 (males) and
# Table 3 (females), as published by NCHS.  Log-linear in age between; flat outside 40-99.
_LIFE_AGES = np.array([40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0,
                       99.0])
LIFE_TABLE_QX: dict[str, np.ndarray] = {
    "male": np.array([0.002569, 0.003365, 0.004867, 0.007687, 0.011445, 0.016003, 0.022303,
                      0.033891, 0.054931, 0.093585, 0.160250, 0.255162, 0.343371]),
    "female": np.array([0.001414, 0.002005, 0.002964, 0.004623, 0.006891, 0.009573, 0.014484,
                        0.023549, 0.040043, 0.071076, 0.127590, 0.212972, 0.298719]),
}
LIFE_TABLE_SOURCE = (
    "United States Life Tables, 2019 (Arias E, Xu J. Natl Vital Stat Rep 70(19), 2022), Tables 2 "
    "and 3: q(x) by sex at ages 40, 45, ..., 95 and 99")

REFERENCES = {
    "young_adult_reference": YOUNG_ADULT_REFERENCE_SOURCE,
    "age_matched_mean": AGE_MATCHED_FN_MEAN_SOURCE,
    "age_matched_spine": AGE_MATCHED_SPINE_SOURCE,
    "age_matched_total_hip": AGE_MATCHED_TOTAL_HIP_SOURCE,
    "hip_incidence": HIP_INCIDENCE_SOURCE,
    "major_to_hip_ratio": MAJOR_TO_HIP_RATIO_SOURCE,
    "gradient_of_risk": GRADIENT_SOURCE,
    "treatment_meta_regression": META_REGRESSION_SOURCE,
    "life_table": LIFE_TABLE_SOURCE,
}

FractureKind = Literal["major", "hip"]
_STEP_Y = 0.25
_HORIZON_Y = 10.0


def _check_sex(sex: str) -> str:
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r} (see SEX_OF_PHENOTYPE)")
    return sex


def _reference(site: str, sex: str, reference: str) -> tuple[float, float]:
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}; choose one of {', '.join(SITES)}")
    _check_sex(sex)
    if reference == "female":
        return YOUNG_ADULT_REFERENCE["female"][site]
    if reference == "sex_specific":
        return YOUNG_ADULT_REFERENCE[sex][site]
    raise ValueError("reference must be 'female' or 'sex_specific'")


def t_score(bmd_g_cm2, site: str, sex: str, reference: str = "female"):
    """T-score at ``site``: SDs from the young-adult mean (female reference by default)."""
    mean, sd = _reference(site, sex, reference)
    return (np.asarray(bmd_g_cm2, dtype=float) - mean) / sd


def bmd_from_t_score(t, site: str, sex: str, reference: str = "female"):
    """Inverse of :func:`t_score`."""
    mean, sd = _reference(site, sex, reference)
    return mean + sd * np.asarray(t, dtype=float)


def age_matched_fn_t_score(age_years, sex: str):
    """Mean femoral-neck T-score (female reference) of the population at this age and sex."""
    return t_score(age_matched_mean("femoral_neck", sex, age_years), "femoral_neck", "female")


def hip_incidence_per_year(age_years, sex: str):
    """Population hip-fracture incidence (events per person-year) at this age and sex."""
    lo, hi = _HIP_ANCHORS[_check_sex(sex)]
    a0, a1 = _HIP_ANCHOR_AGES
    b = math.log(hi / lo) / (a1 - a0)
    a = np.minimum(np.asarray(age_years, dtype=float), 100.0)
    return 1e-3 * lo * np.exp(b * (a - a0))


def major_incidence_per_year(age_years, sex: str):
    """Population incidence of a major osteoporotic fracture: hip x FRAX major/hip ratio."""
    a = np.asarray(age_years, dtype=float)
    ratio = np.exp(np.interp(a, _MAJOR_HIP_AGES, np.log(MAJOR_TO_HIP_RATIO[_check_sex(sex)])))
    return hip_incidence_per_year(a, sex) * ratio


def gradient_per_sd(age_years, sex: str, kind: FractureKind):
    """Relative risk per SD decrease of femoral-neck BMD (Johnell 2005), age-adjusted."""
    g65 = GRADIENT_AT_65[kind][_check_sex(sex)]
    a = np.clip(np.asarray(age_years, dtype=float), 40.0, 95.0)
    return g65 * np.exp(GRADIENT_LN_SLOPE_PER_YEAR[kind] * (a - 65.0))


def mortality_hazard_per_year(age_years, sex: str):
    """Death hazard per year from the life table (log-linear in age; flat outside 40-99)."""
    a = np.clip(np.asarray(age_years, dtype=float), _LIFE_AGES[0], _LIFE_AGES[-1])
    q = np.exp(np.interp(a, _LIFE_AGES, np.log(LIFE_TABLE_QX[_check_sex(sex)])))
    return -np.log1p(-q)


def fracture_hazard_per_year(fn_t_score, age_years, sex: str, kind: FractureKind):
    """Annual fracture hazard for a femoral-neck T-score (female reference) at this age."""
    if kind not in ("major", "hip"):
        raise ValueError("kind must be 'major' or 'hip'")
    age = np.asarray(age_years, dtype=float)
    base = hip_incidence_per_year(age, sex) if kind == "hip" else major_incidence_per_year(age, sex)
    ln_rr = np.log(gradient_per_sd(age, sex, kind))
    z = np.asarray(fn_t_score, dtype=float) - age_matched_fn_t_score(age, sex)
    return base * np.exp(-ln_rr * z - 0.5 * ln_rr ** 2)


def ten_year_probability(fn_t_score, age_years, sex: str, kind: FractureKind = "major",
                         competing_mortality: bool = True, horizon_years: float = _HORIZON_Y):
    """10-year probability (0-1) of a first fracture at a constant femoral-neck T-score.

    Vectorised: ``fn_t_score`` and ``age_years`` broadcast against each other.
    """
    t, age = np.broadcast_arrays(np.asarray(fn_t_score, float), np.asarray(age_years, float))
    n = max(1, int(round(horizon_years / _STEP_Y)))
    mids = (np.arange(n) + 0.5) * (horizon_years / n)
    tt = np.broadcast_to(t[..., None], t.shape + (n,))
    return _integrate(tt, age[..., None] + mids, sex, kind, competing_mortality, horizon_years / n)


def _integrate(fn_t, ages, sex, kind, competing_mortality, dt):
    """Sum over the last axis of steps with piecewise-constant hazards (exact per step)."""
    hf = fracture_hazard_per_year(fn_t, ages, sex, kind)
    hd = mortality_hazard_per_year(ages, sex) if competing_mortality else np.zeros_like(hf)
    htot = hf + hd
    cum = np.cumsum(htot * dt, axis=-1)
    surv_start = np.exp(-(cum - htot * dt))
    step_p = hf / htot * -np.expm1(-htot * dt)
    return np.sum(surv_start * step_p, axis=-1)


def _trajectory_probability(times_d, fn_t, age_years, sex, kind, start_days,
                            competing_mortality=True):
    """10-year probability starting at each of ``start_days`` along a T-score trajectory."""
    n = int(round(_HORIZON_Y / _STEP_Y))
    mids_d = (np.arange(n) + 0.5) * _STEP_Y * DAYS_PER_YEAR
    when = np.asarray(start_days, float)[:, None] + mids_d[None, :]
    t_at = np.interp(when, times_d, fn_t)  # held at the ends
    ages = age_years + when / DAYS_PER_YEAR
    return _integrate(t_at, ages, sex, kind, competing_mortality, _STEP_Y)


def _coarse_grid(times_d: np.ndarray, every_d: float = 30.4375) -> np.ndarray:
    t0, t1 = float(times_d[0]), float(times_d[-1])
    if t1 - t0 <= every_d:
        return np.array([t0, t1]) if t1 > t0 else np.array([t0])
    g = np.arange(t0, t1, every_d)
    return np.append(g, t1)


def fracture_columns(time_days, bmd_g_cm2: dict, sex: str, age_years: float,
                     reference: str = "female") -> dict[str, np.ndarray]:
    """T-scores, Z-scores (``Z_SCORE_SITES_BY_SEX``: lumbar spine; total hip in men) and 10-year
    fracture probabilities (percent) as arrays.

    ``t_score_<site>`` for each site in ``bmd_g_cm2`` against ``reference`` ("female" for both
    sexes by default, or "sex_specific"), and ``fracture_risk_10y_major_pct``,
    ``fracture_risk_10y_hip_pct``: for each time, the 10-year probability starting then, age
    advancing with ``time_days``, using the femoral-neck T-score against the female reference as
    FRAX does (whatever ``reference`` is), competing mortality included.  The probability is
    computed on a monthly grid and interpolated linearly to the times.
    """
    _check_sex(sex)
    times = np.asarray(time_days, dtype=float)
    cols = {f"t_score_{s}": t_score(np.asarray(bmd_g_cm2[s], float), s, sex, reference)
            for s in SITES if s in bmd_g_cm2}
    cols.update({f"z_score_{s}": z_score(np.asarray(bmd_g_cm2[s], float), s, sex,
                                         float(age_years) + times / DAYS_PER_YEAR)
                 for s in Z_SCORE_SITES_BY_SEX[sex] if s in bmd_g_cm2})
    fn_t = t_score(np.asarray(bmd_g_cm2["femoral_neck"], float), "femoral_neck", sex, "female")
    if times.size == 0:
        cols["fracture_risk_10y_major_pct"] = np.array([], float)
        cols["fracture_risk_10y_hip_pct"] = np.array([], float)
        return cols
    grid = _coarse_grid(times)
    for kind in ("major", "hip"):
        p = _trajectory_probability(times, fn_t, float(age_years), sex, kind, grid)
        cols[f"fracture_risk_10y_{kind}_pct"] = 100.0 * np.interp(times, grid, p)
    return cols


def add_fracture_columns(df: pd.DataFrame, sex: str, age_years: float,
                         reference: str = "female") -> pd.DataFrame:
    """Return a copy of ``df`` with the columns of :func:`fracture_columns` added."""
    out = df.copy()
    bmd = {s: out[f"bmd_{s}_g_cm2"].to_numpy(float) for s in SITES if f"bmd_{s}_g_cm2" in out}
    for k, v in fracture_columns(out["time_days"].to_numpy(float), bmd, sex, age_years,
                                 reference).items():
        out[k] = v
    out.attrs["fracture_references"] = dict(REFERENCES)
    return out

def fracture_hazard_ratio(df_a: pd.DataFrame, df_b: pd.DataFrame, sex: str, age_years: float,
                          start_days: float, end_days: float,
                          kind: FractureKind = "major") -> float:
    """Hazard ratio of fracture, scenario A vs B, over ``[start_days, end_days]``.

    The ratio of cumulative fracture hazards over the period (same person, same age), i.e. the
    time-averaged hazard ratio.  1.0 for identical trajectories; > 1 when A has lower femoral-neck
    BMD.  Both frames need ``time_days`` and ``bmd_femoral_neck_g_cm2``.
    """
    if not end_days > start_days:
        raise ValueError("end_days must be greater than start_days")
    grid = np.linspace(float(start_days), float(end_days), 401)
    mid = 0.5 * (grid[1:] + grid[:-1])
    ages = float(age_years) + mid / DAYS_PER_YEAR
    cum = []
    for df in (df_a, df_b):
        t = df["time_days"].to_numpy(float)
        fn = t_score(df["bmd_femoral_neck_g_cm2"].to_numpy(float), "femoral_neck", sex, "female")
        h = fracture_hazard_per_year(np.interp(mid, t, fn), ages, sex, kind)
        cum.append(float(np.sum(h * np.diff(grid))))
    return cum[0] / cum[1]


def total_hip_difference_pct_points(df_a: pd.DataFrame, df_b: pd.DataFrame,
                                    time_days: float) -> float:
    """Total-hip BMD % change of scenario A minus that of B at ``time_days`` (linear between
    rows; up to a day past the last row reads the last row), each from its own day-0 value: the
    difference a placebo-controlled trial reports."""
    out = []
    for df in (df_a, df_b):
        t = df["time_days"].to_numpy(float)
        if not t[0] <= time_days <= t[-1] + 1.0:
            raise ValueError(f"day {time_days:g} is outside the simulated {t[0]:g}-{t[-1]:g}")
        bmd = df["bmd_total_hip_g_cm2"].to_numpy(float)
        out.append(100.0 * (float(np.interp(time_days, t, bmd)) / bmd[0] - 1.0))
    return out[0] - out[1]


def trial_relative_risk(df_a: pd.DataFrame, df_b: pd.DataFrame, time_days: float,
                        kind: TrialFractureKind) -> float:
    """Fracture relative risk of A (a bone-protecting drug added) vs B (without it) by the
    trial-level meta-regression (:func:`treatment_relative_risk`), from their total-hip
    difference at ``time_days``.  Raises if A gained less total-hip BMD than B."""
    return float(treatment_relative_risk(
        total_hip_difference_pct_points(df_a, df_b, time_days), kind))
