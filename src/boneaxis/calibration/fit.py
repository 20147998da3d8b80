"""Fit the free parameters to the calibration targets and write ``fitted_parameters.json``.

Two stages, because the hormone targets do not depend on the bone parameters:

1. endocrine: aromatase potency, E2 sources and LH feedback against Geisler, Leder and
   Burnett-Bowie hormone figures, women's feedback threshold against postmenopausal LH on
   anastrozole, and tamoxifen's hypothalamic agonism and ovarian stimulation against Groom 1979;
2. bone: the single E2->bone response, remodeling lag, site rates and the estrogen-withdrawal
   term against ATAC, IBIS-II, ARIBON, Burnett-Bowie spine BMD, the bone-protection trials,
   Fogelman 2003 (goserelin alone) and Sowers 2010 (the years after natural menopause): the
   calibration targets with a large, recent E2 fall.

Residuals are ``(simulated - reported) / tolerance`` so every target weighs by its own tolerance;
validation targets are never used.  Run with ``boneaxis calibrate`` (or ``python -m
boneaxis.calibration.fit``).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from ..model import parameters as pm
from . import targets as tg

# Stage 1a: potency and non-aromatase E2, identified by postmenopausal women (no testes, no LH loop).
AROMATASE = ("arom_imax", "arom_ic50_ng_ml", "e2_residual_fraction")
# Stage 1a': the other inhibitors' potency, on the same women.
INHIBITORS = ("let_imax", "let_ic50_ng_ml", "exe_k_inact_per_h")
# Stage 1b: testicular E2, substrate competition and LH feedback, identified by men.
MALE_AXIS = ("e2_testis_fraction", "arom_km_nmol_l", "leydig_lh_exponent", "lh_e2_k_pg_ml",
             "lh_e2_hill", "tissue_intracrine_pg_ml_per_ng_dl", "lh_ft_k_nmol_l", "lh_ft_hill")
# Stage 1c: depth of pituitary suppression by a GnRH agonist, identified by castrate men.
GNRH = ("gnrh_suppression_max",)
# Stage 1d: women's E2 feedback threshold, identified by postmenopausal women's LH on an AI.
FEMALE_AXIS = ("lh_e2_k_female_pg_ml",)
# Stage 1e: tamoxifen at the hypothalamus and the ovary, identified by premenopausal women's E2
# and LH on tamoxifen.
TAMOXIFEN_AXIS = ("tam_hypothalamic_agonism", "tam_ovarian_gain")
# The E2->bone curve and bone's intracrine factor are identified by postmenopausal women and men
# (stage 2a, withdrawal term off, its targets out); the withdrawal term by ovarian suppression in
# young women and the years after natural menopause (stage 2b, curve held).  Fitted all at once
# they slide along a flat direction (calibration cost 8.24 vs 8.41) to a steeper curve with almost
# no intracrine E2 in bone, which raises TRT men's CTX on an AI by a third (quickstart: +37 vs
# +28% at a year) and young castrated men's on 5 g of T gel from +17 to +30% (Finkelstein 2016:
# none above E2 10 pg/mL).
BONE_CURVE = ("bone_e2_ec50_pg_ml", "bone_e2_hill", "bone_intracrine_pg_ml_per_ng_dl")
WITHDRAWAL = ("focal_imbalance_withdrawal", "estrogen_adaptation_tau_y")
BONE = (
    "bone_e2_ec50_pg_ml", "bone_e2_hill", "ob_tau_d",
    "oc_estrogen_gain", "focal_imbalance_estrogen", "turnover_lumbar_spine_per_y",
    "turnover_total_hip_per_y", "imbalance_scale_lumbar_spine", "imbalance_scale_total_hip",
    "femoral_neck_to_hip_ratio", *WITHDRAWAL,
    "age_imbalance_per_decade", "mineralization_gain", "mineralization_tau_y",
    "bone_intracrine_pg_ml_per_ng_dl",
    # bone protection and the SERM
    "bp_active_half_life_d", "bp_slow_fraction", "bp_slow_half_life_d", "bp_emax", "bp_ec50_mg",
    "potency_risedronate", "potency_ibandronate",
    "dmab_emax", "dmab_ec50_ug_ml", "dmab_rebound_gain",
    "modeling_formation_gain", "tam_bone_agonism", "calcium_vitamin_d_effect",
)
# Weak priors keep the fit physiological where targets cannot tell parameters apart: a departure
# from the prior by a factor of PRIOR_FACTOR costs as much as missing one target by its tolerance.
PRIOR_FACTOR = 3.0
_HORMONE_QUANTITIES = ("aromatization_inhibition_pct", "estradiol_pct_change",
                       "testosterone_pct_change", "lh_pct_change", "testosterone_ng_dl")


def _stage_targets(stage: str):
    arms, all_t = tg.load()
    cal = [t for t in all_t if t.role == "calibration"]
    hormonal = [t for t in cal if t.quantity in _HORMONE_QUANTITIES]

    def drugs(t):
        return {tr["drug"] for tr in arms[t.arm].get("treatments", [])}

    if stage == "aromatase":
        return [t for t in hormonal if arms[t.arm]["patient"]["phenotype"] != "man"
                and drugs(t) == {"anastrozole"} and t.quantity != "lh_pct_change"]
    if stage == "female_axis":
        return [t for t in hormonal if arms[t.arm]["patient"]["phenotype"] != "man"
                and t.quantity == "lh_pct_change" and "tamoxifen" not in drugs(t)]
    if stage == "tamoxifen_axis":
        return [t for t in hormonal if "tamoxifen" in drugs(t)]
    if stage == "inhibitors":
        return [t for t in hormonal if drugs(t) & {"letrozole", "exemestane"}]
    if stage == "male_axis":
        return [t for t in hormonal if arms[t.arm]["patient"]["phenotype"] == "man"
                and "goserelin" not in drugs(t)]
    if stage == "gnrh":
        return [t for t in hormonal if "goserelin" in drugs(t)]
    if stage == "withdrawal":   # the bone targets that identify the withdrawal term
        def recent(arm):   # young women's ovarian suppression, or a menopause under 2 years ago
            pt = arms[arm]["patient"]
            return (pt["phenotype"] == "premenopausal_woman"
                    or pt.get("years_since_menopause", 99) < 2)
        return [t for t in cal if t.quantity not in _HORMONE_QUANTITIES and recent(t.arm)]
    return [t for t in cal if t.quantity not in _HORMONE_QUANTITIES]


class _Space:
    """Maps bounded parameters to an unbounded-ish search space (log for positive ranges)."""

    def __init__(self, names):
        self.names = list(names)
        self.bounds = [pm.PARAMETERS[n].bounds for n in self.names]
        self.log = [b[0] > 0 for b in self.bounds]

    def to_x(self, values):
        return np.array([math.log(v) if lg else v for v, lg in zip(values, self.log)])

    def from_x(self, x):
        return {n: (math.exp(v) if lg else v) for n, v, lg in zip(self.names, x, self.log)}

    def x_bounds(self):
        lo = [math.log(b[0]) if lg else b[0] for b, lg in zip(self.bounds, self.log)]
        hi = [math.log(b[1]) if lg else b[1] for b, lg in zip(self.bounds, self.log)]
        return np.array(lo), np.array(hi)


_PRIORS = {p.name: p.value for p in pm._DEFAULTS}


def _value(t, frames, arms) -> float:
    return tg.paired_value(t, frames[t.arm], frames[t.vs_arm] if t.vs_arm else None, arms)


def _residuals(overrides, targets) -> np.ndarray:
    arms, _ = tg.load()
    try:
        frames = tg.simulate_arms(pm.params({**_PRIORS, **overrides}), targets)
    except Exception:  # a failed simulation is a bad point for the optimizer, not a crash
        return np.full(len(targets), 1e3)
    r = [(_value(t, frames, arms) - t.value) / t.tolerance for t in targets]
    r = np.asarray(r)
    return np.where(np.isfinite(r), r, 1e3)


def fit_stage(names, targets, fixed: dict[str, float], verbose: int = 0) -> dict[str, float]:
    space = _Space(names)
    # always start from the priors in the code, so a refit does not depend on the previous fit
    prior = {p.name: p.value for p in pm._DEFAULTS}
    start = [fixed.get(n, prior[n]) for n in names]
    lo, hi = space.x_bounds()
    x0 = np.clip(space.to_x(start), lo + 1e-9, hi - 1e-9)

    x_prior = space.to_x(start)
    width = np.array([math.log(PRIOR_FACTOR) if lg else (b[1] - b[0]) / 4.0
                      for b, lg in zip(space.bounds, space.log)])

    def fun(x):
        penalty = (x - x_prior) / width
        return np.concatenate([_residuals({**fixed, **space.from_x(x)}, targets), penalty])

    sol = least_squares(fun, x0, bounds=(lo, hi), x_scale=1.0, diff_step=1e-3,
                        max_nfev=400, verbose=verbose)
    return space.from_x(sol.x)


def fit(verbose: int = 0) -> dict[str, float]:
    values: dict[str, float] = {}
    for _ in range(2):  # Km (men) shifts women's apparent potency slightly: iterate once
        values.update(fit_stage(AROMATASE, _stage_targets("aromatase"), values, verbose))
        values.update(fit_stage(MALE_AXIS, _stage_targets("male_axis"), values, verbose))
    values.update(fit_stage(INHIBITORS, _stage_targets("inhibitors"), values, verbose))
    values.update(fit_stage(GNRH, _stage_targets("gnrh"), values, verbose))
    values.update(fit_stage(FEMALE_AXIS, _stage_targets("female_axis"), values, verbose))
    values.update(fit_stage(TAMOXIFEN_AXIS, _stage_targets("tamoxifen_axis"), values, verbose))
    bone, withdrawal = _stage_targets("bone"), _stage_targets("withdrawal")
    curve = fit_stage([n for n in BONE if n not in WITHDRAWAL],
                      [t for t in bone if t not in withdrawal],
                      {**values, "focal_imbalance_withdrawal": 0.0}, verbose)
    values.update({n: curve[n] for n in BONE_CURVE})
    values.update(fit_stage([n for n in BONE if n not in BONE_CURVE], bone, values, verbose))
    return values


def write(values: dict[str, float], path: Path | None = None) -> Path:
    path = path or Path(str(resources.files("boneaxis.model").joinpath("fitted_parameters.json")))
    stamp = _dt.date.today().isoformat()
    doc = {
        "version": f"fit-{stamp}",
        "note": "written by `boneaxis calibrate` (boneaxis.calibration.fit); do not edit by hand",
        "targets": [t.id for t in tg.load()[1] if t.role == "calibration"],
        "values": {k: float(f"{v:.6g}") for k, v in sorted(values.items())},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def main(output: Path | None = None, verbose: int = 1) -> dict[str, float]:
    values = fit(verbose=verbose)
    path = write(values, output)
    print(f"wrote {path}")
    for k, v in sorted(values.items()):
        print(f"  {k:36s} {v:.4g} {pm.PARAMETERS[k].unit}")
    return values


if __name__ == "__main__":  # pragma: no cover
    main()
