"""Virtual patients around a trial arm's reported baseline.

Trial figures are arm summaries (mean or median % change), so a target is compared with the same
statistic over a virtual arm rather than with one typical patient.  Each virtual patient draws

* baseline labs and BMD log-normally around the arm's values (mean preserved), and
* a bone-sensitivity multiplier on the E2->bone EC50, the RANKL gain and the site remodeling rates,

from a ``numpy.random.Generator`` seeded per arm, so the same seed gives the same arm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model.parameters import Params
from ..model.phenotypes import (
    MENOPAUSE_AGE_Y, SITES, default_bmd_g_cm2, default_estradiol_pg_ml, default_lh_iu_l,
    default_shbg_nmol_l, default_testosterone_ng_dl,
)
from ..scenario import BMD_LIMITS_G_CM2, LAB_LIMITS, Patient


@dataclass(frozen=True)
class Variability:
    cv: float
    source: str


# Coefficients of variation between patients (log-normal).
VARIABILITY: dict[str, Variability] = {
    "testosterone_ng_dl": Variability(0.29, "Burnett-Bowie 2009: 319 +/- 93 ng/dL"),
    "estradiol_pg_ml": Variability(0.27, "Burnett-Bowie 2009: 15 +/- 4 pg/mL"),
    "lh_iu_l": Variability(0.40, "assumption (LH in older men, wide range; Feldman 2002)"),
    "shbg_nmol_l": Variability(0.39, "Yeap 2007 Eur J Endocrinol 156:585: 42.4 +/- 16.7 nmol/L"),
    "bmd_g_cm2": Variability(0.12, "Burnett-Bowie 2009: spine 1.121 +/- 0.141 g/cm2"),
    "bone_e2_ec50_pg_ml": Variability(0.30, "assumption: bone estrogen sensitivity"),
    "oc_estrogen_gain": Variability(0.30, "assumption: ARIBON CTX change SD ~ its mean"),
    "turnover": Variability(0.25, "assumption: site remodeling rate"),
}
AGE_SD_Y = 6.0
YSM_SD_Y = 5.0


def patient_params(p: Params, mult: dict[str, float] | None) -> Params:
    """``p`` with per-patient multipliers applied.

    Keys are parameter names (the value is multiplied) or ``turnover``, which scales the spine and
    hip remodeling rates together, as :func:`virtual_arm` draws it; calibration arms, virtual trials, batch runs
    and the SBML benchmark all apply multipliers through this function.
    """
    if not mult:
        return p
    upd = {}
    for k, m in mult.items():
        if k == "turnover":
            for f in ("turnover_lumbar_spine_per_y", "turnover_total_hip_per_y"):
                upd[f] = upd.get(f, getattr(p, f)) * m
        elif k in Params._fields:
            upd[k] = upd.get(k, getattr(p, k)) * m
        else:
            raise KeyError(f"unknown parameter multiplier {k!r}")
    return p._replace(**upd)


def _lognormal(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    s = math.sqrt(math.log1p(cv * cv))
    return mean * np.exp(rng.normal(-0.5 * s * s, s, n))


def virtual_arm(patient: dict, n: int, seed: int, ysm_sd_y: float = YSM_SD_Y
                ) -> list[tuple[dict, dict[str, float]]]:
    """``n`` (patient mapping, parameter multipliers) pairs around ``patient`` (scenario keys).

    ``ysm_sd_y``: spread of years since menopause; 0 for a cohort anchored at a menopause date
    (e.g. followed from the final menstrual period), whose members all keep the given value."""
    if n < 1:
        raise ValueError("a virtual arm needs at least one patient")
    base = Patient.model_validate(patient)
    rng = np.random.default_rng(seed)
    ph, age0 = base.phenotype, base.age
    ages = np.clip(rng.normal(age0, AGE_SD_Y, n), 40.0, 90.0)
    labs0 = {
        "testosterone_ng_dl": base.labs.testosterone_ng_dl or default_testosterone_ng_dl(ph, age0),
        "estradiol_pg_ml": base.labs.estradiol_pg_ml or default_estradiol_pg_ml(ph, age0),
        "lh_iu_l": base.labs.lh_iu_l or default_lh_iu_l(ph, age0),
    }
    labs = {}
    for k, v in labs0.items():
        lo, hi = LAB_LIMITS[k]
        labs[k] = np.clip(_lognormal(rng, v, VARIABILITY[k].cv, n), lo, hi)
    bmd = {}
    for s in SITES:
        v = getattr(base.bmd, s) or default_bmd_g_cm2(ph, s, age0)
        bmd[s] = np.clip(_lognormal(rng, v, VARIABILITY["bmd_g_cm2"].cv, n), *BMD_LIMITS_G_CM2)
    if base.years_since_menopause is not None:
        z = rng.normal(0.0, 1.0, n)   # same stream and values as normal(ysm, sd) for sd > 0
        ysm = base.years_since_menopause + ysm_sd_y * z
        if ysm_sd_y > 0.0:
            ysm = np.clip(ysm, 1.0, np.maximum(ages - MENOPAUSE_AGE_Y + 15.0, 1.0))
    mult = {k: _lognormal(rng, 1.0, VARIABILITY[k].cv, n)
            for k in ("bone_e2_ec50_pg_ml", "oc_estrogen_gain", "turnover")}
    # drawn last, so the draws above are the same as before SHBG was a patient variable
    shbg0 = base.labs.shbg_nmol_l or default_shbg_nmol_l(ph, age0)
    labs["shbg_nmol_l"] = np.clip(_lognormal(rng, shbg0, VARIABILITY["shbg_nmol_l"].cv, n),
                                  *LAB_LIMITS["shbg_nmol_l"])
    out = []
    for i in range(n):
        p = {"phenotype": ph, "age": float(ages[i]),
             "labs": {k: float(v[i]) for k, v in labs.items()},
             "bmd": {s: float(v[i]) for s, v in bmd.items()}}
        if base.years_since_menopause is not None:
            p["years_since_menopause"] = float(min(ysm[i], ages[i] - 30.0))
        out.append((p, {k: float(v[i]) for k, v in mult.items()}))
    return out
