"""Baseline physiology per phenotype and age, and the patient constants derived from it.

A patient's untreated steady state is set by their labs where given, otherwise by the defaults
below; every constant of :class:`~boneaxis.model.endocrine.PatientConstants` then follows so that
the untreated model sits exactly at that steady state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import bone, fracture
from .endocrine import (PatientConstants, free_testosterone_from_total_nmol_l,
                        lh_feedback_denominator, unbound_fraction)
from . import parameters as pm
from .parameters import Params

PHENOTYPES = ("man", "postmenopausal_woman", "premenopausal_woman", "ovariectomized_transman")
SITES = ("lumbar_spine", "total_hip", "femoral_neck")


def check_phenotype(name: str) -> str:
    """``name`` if it is a known phenotype, else a ValueError listing them."""
    if name not in PHENOTYPES:
        raise ValueError(f"unknown phenotype {name!r}; choose one of {', '.join(PHENOTYPES)}")
    return name
MENOPAUSE_AGE_Y = 51.0  # median age at natural menopause (McKinlay 1992 Maturitas 14:103)


@dataclass(frozen=True)
class Baseline:
    """Untreated hormone levels and BMD, with where each came from."""

    testosterone_ng_dl: float
    estradiol_pg_ml: float
    lh_iu_l: float
    bmd_g_cm2: dict[str, float]
    shbg_nmol_l: float
    origin: dict[str, str]


def default_testosterone_ng_dl(phenotype: str, age: float) -> float:
    if phenotype == "man":
        # ~1%/y decline after 40 from ~600 ng/dL (Feldman 2002 JCEM 87:589, MMAS)
        return 600.0 * 0.99 ** max(age - 40.0, 0.0)
    if phenotype == "postmenopausal_woman":
        return 25.0   # Davison 2005 JCEM 90:3847 (~0.9 nmol/L at 55-64)
    if phenotype == "premenopausal_woman":
        return 30.0   # Davison 2005 JCEM 90:3847 (~1.0 nmol/L at 35-44)
    return 15.0       # ovariectomized, untreated: adrenal only (assumption, female castrate range)


def default_estradiol_pg_ml(phenotype: str, age: float) -> float:
    if phenotype == "man":
        return 25.0   # Leder 2004 / Orwoll 2006 JCEM 91:1336 (older men ~20-27 pg/mL)
    if phenotype == "postmenopausal_woman":
        return 7.0    # Dixon 2008 JCO 26:1671 (25.7 pmol/L)
    if phenotype == "premenopausal_woman":
        return 100.0  # cycle average (Stricker 2006 Clin Chem Lab Med 44:883)
    return 5.0        # ovariectomized, untreated (assumption, below postmenopausal)


def default_shbg_nmol_l(phenotype: str, age: float, p: Params | None = None) -> float:
    """SHBG when no lab is given: a man's rises with age (young-adult and Health in Men Study
    means, linear between 30 and 80); women and transmen get one assumed value.  ``p``: the
    parameters in use (default: the package's, read without building a Params)."""
    get = pm.value if p is None else (lambda name: getattr(p, name))
    if phenotype == "man":
        young, old = get("shbg_man_young_nmol_l"), get("shbg_man_old_nmol_l")
        return young + min(max((age - 30.0) / 50.0, 0.0), 1.0) * (old - young)
    return get("shbg_woman_nmol_l")


def default_lh_iu_l(phenotype: str, age: float) -> float:
    if phenotype == "man":
        return 4.0 + 0.04 * max(age - 40.0, 0.0)  # rises with age (Feldman 2002); Leder 2004: 5.1
    if phenotype == "premenopausal_woman":
        return 6.0    # cycle average, follicular/luteal ~5, midcycle surge (Stricker 2006)
    return 30.0       # postmenopausal / castrate range (Chakravarti 1976)


# BMD used when none is given: the mean of people of the same sex and age, so that its Z-score
# is 0.  Where a Z-score table exists (fracture.Z_SCORE_SITES_BY_SEX: lumbar spine; men's total
# hip) its NHANES means (Varatharajan 2026 Table 3); femoral neck: the NHANES III decade means
# that centre the fracture model (fracture.AGE_MATCHED_FN_MEAN, unverified); women's total hip:
# the NHANES III 60-69 mean (Looker 1998) moved with age as the femoral neck is.
_TOTAL_HIP_60S = {"female": 0.85}


def default_bmd_g_cm2(phenotype: str, site: str, age):
    """g/cm2 at ``site`` for this phenotype's sex and ``age`` (a number, or an array of ages)."""
    sex = fracture.SEX_OF_PHENOTYPE[check_phenotype(phenotype)]
    if site in fracture.Z_SCORE_SITES_BY_SEX[sex]:
        v = fracture.age_matched_mean(site, sex, age)
    elif site in ("femoral_neck", "total_hip"):
        v = fracture.age_matched_mean("femoral_neck", sex, age)
        if site == "total_hip":
            v = _TOTAL_HIP_60S[sex] * v / fracture.age_matched_mean("femoral_neck", sex, 65.0)
    else:
        raise ValueError(f"unknown site {site!r}; choose one of {', '.join(SITES)}")
    v = np.round(v, 3)
    return float(v) if v.ndim == 0 else v


def baseline(phenotype: str, age: float, labs: dict[str, float | None],
             bmd: dict[str, float | None], p: Params) -> Baseline:
    origin = {}

    def pick(key, given, default):
        """``given``, else ``default()`` (called only then: populations give every value)."""
        if given is None:
            origin[key] = "default"
            return default()
        origin[key] = "labs"
        return float(given)

    t0 = pick("testosterone", labs.get("testosterone_ng_dl"),
              lambda: default_testosterone_ng_dl(phenotype, age))
    e0 = pick("estradiol", labs.get("estradiol_pg_ml"),
              lambda: default_estradiol_pg_ml(phenotype, age))
    lh0 = pick("lh", labs.get("lh_iu_l"), lambda: default_lh_iu_l(phenotype, age))
    sites = {}
    for s in SITES:
        sites[s] = pick(f"bmd_{s}", bmd.get(s), lambda s=s: default_bmd_g_cm2(phenotype, s, age))
    shbg = pick("shbg", labs.get("shbg_nmol_l"), lambda: default_shbg_nmol_l(phenotype, age, p))
    return Baseline(t0, e0, lh0, sites, shbg, origin)


def patient_constants(phenotype: str, age: float, base: Baseline, p: Params) -> PatientConstants:
    """Constants that make ``base`` the untreated steady state of the model.

    Gonads: a man's testes secrete a fraction ``e2_testis_fraction`` of his E2 and all but ~15
    ng/dL of his T; a premenopausal woman's ovaries secrete ``e2_ovary_fraction`` of her E2 and a
    quarter of her T (Longcope 1986); both are driven by LH.  Other phenotypes have no gonad.
    """
    if phenotype not in PHENOTYPES:
        raise ValueError(f"unknown phenotype {phenotype!r}; choose one of {', '.join(PHENOTYPES)}")
    t0, e0, lh0 = base.testosterone_ng_dl, base.estradiol_pg_ml, base.lh_iu_l
    if phenotype == "man":
        a4, t_other, f_gonad = p.a4_ng_dl_man, min(15.0, 0.5 * t0), p.e2_testis_fraction
    elif phenotype == "premenopausal_woman":
        a4, t_other, f_gonad = p.a4_ng_dl_woman, 0.75 * t0, p.e2_ovary_fraction
    else:
        a4, t_other, f_gonad = p.a4_ng_dl_woman, t0, 0.0
    has_gonad = f_gonad > 0.0
    # the residual (non-aromatase) pool is a share of the non-gonadal E2
    f_residual = (1.0 - f_gonad) * p.e2_residual_fraction
    f_periph = 1.0 - f_gonad - f_residual
    substrate0 = t0 + p.a4_aromatization_weight * a4   # aromatizable substrate, ng/dL
    c_arom = e0 * f_periph / substrate0
    e_hyp0 = e0 + p.tissue_intracrine_pg_ml_per_ng_dl * substrate0
    e_bone0 = e0 + p.bone_intracrine_pg_ml_per_ng_dl * substrate0
    # the hypothalamus keeps its natal sex: women and transmen share the women's E2 feedback
    fb_k, fb_n = ((p.lh_e2_k_pg_ml, p.lh_e2_hill) if phenotype == "man"
                  else (p.lh_e2_k_female_pg_ml, p.lh_e2_hill_female))
    denom = lh_feedback_denominator(
        e_hyp0, 0.0, free_testosterone_from_total_nmol_l(t0, base.shbg_nmol_l, p), fb_k, fb_n, p)
    return PatientConstants(
        has_gonad=1.0 if has_gonad else 0.0,
        t_gonad_ref_ng_dl=(t0 - t_other) if has_gonad else 1.0,
        t_other_ng_dl=t_other,
        a4_ng_dl=a4,
        lh_ref_iu_l=lh0,
        lh_cap_iu_l=lh0 * denom,
        lh_fb_e2_k_pg_ml=fb_k,
        lh_fb_e2_hill=fb_n,
        tam_gonad_gain=p.tam_ovarian_gain if phenotype == "premenopausal_woman" else 0.0,
        c_arom_pg_ml_per_ng_dl=c_arom,
        e2_gonad_ref_pg_ml=f_gonad * e0,
        e2_residual_pg_ml=f_residual * e0,
        age_years=age,
        shbg_nmol_l=base.shbg_nmol_l,
        t_unbound_fraction=unbound_fraction(t0, base.shbg_nmol_l, p),
        # exogenous T is scaled by the clearance of a young man (t_cl_l_per_h), at his binding
        t_exo_unbound_fraction=unbound_fraction(p.t_man_young_ng_dl, p.shbg_man_young_nmol_l, p),
        bmd0_lumbar_spine_g_cm2=base.bmd_g_cm2["lumbar_spine"],
        bmd0_total_hip_g_cm2=base.bmd_g_cm2["total_hip"],
        bmd0_femoral_neck_g_cm2=base.bmd_g_cm2["femoral_neck"],
        # the skeleton adapts to E2 up to premenopausal levels, or the patient's own untreated
        # level if higher: E2 raised beyond both (supraphysiological TRT) builds no protection
        # whose end is a withdrawal
        e2_adaptation_cap_pg_ml=max(p.e2_premenopausal_pg_ml, e_bone0),
    )


def bone_cells_at_start(phenotype: str, years_since_menopause: float | None,
                        e2_bone_now_pg_ml: float, substrate_ng_dl: float,
                        p: Params, e2_cap_pg_ml: float) -> tuple[float, float, float]:
    """Osteoclast and osteoblast activity and the skeleton's adapted E2 (pg/mL) at t = 0.

    At steady state ``oc = ob = oc_target`` and the adapted E2 is the current bone E2, up to
    ``e2_cap_pg_ml`` (PatientConstants.e2_adaptation_cap_pg_ml).  For a woman whose menopause was
    recent, all three are still relaxing from their premenopausal levels after the step at
    ``-years_since_menopause``: the exact solutions of the linear relaxations are used.
    """
    oc_post = bone.untreated_osteoclast_target(e2_bone_now_pg_ml, p)
    adapted_now = bone.adaptation_target(e2_bone_now_pg_ml, e2_cap_pg_ml)
    if phenotype != "postmenopausal_woman" or years_since_menopause is None:
        return oc_post, oc_post, adapted_now
    e2_bone_pre = p.e2_premenopausal_pg_ml + p.bone_intracrine_pg_ml_per_ng_dl * substrate_ng_dl
    oc_pre = bone.untreated_osteoclast_target(e2_bone_pre, p)
    t = years_since_menopause * bone.DAYS_PER_YEAR
    a, b = p.oc_tau_d, p.ob_tau_d
    d = oc_pre - oc_post
    oc = oc_post + d * math.exp(-t / a)
    if abs(b - a) < 1e-9:
        ob = oc_post + d * (1.0 + t / a) * math.exp(-t / a)
    else:
        ob = oc_post + d * (b * math.exp(-t / b) - a * math.exp(-t / a)) / (b - a)
    adapted_pre = bone.adaptation_target(e2_bone_pre, e2_cap_pg_ml)
    adapted = adapted_now + (adapted_pre - adapted_now) * math.exp(
        -years_since_menopause / p.estrogen_adaptation_tau_y)
    return oc, ob, adapted
