"""The hypothalamic-pituitary-gonadal axis under aromatase inhibition.

States and signals (units in the names)::

    lh_iu_l        luteinizing hormone, the one slow hormonal state (adapts over ~1 day)
    t_ng_dl        serum testosterone   } quasi-steady-state: their clearance half-lives (~1 h)
    e2_pg_ml       serum estradiol      } are short next to every input, so each equals
                                          production / clearance at every instant

Equations (all sexes; a phenotype only changes which sources exist)::

    inhibition(C, S)  = Imax C / (C + IC50 (1 + S / Km))           competitive, substrate S (nM)
    T                 = T_testis_ref (LH / LH_ref)^g  +  T_other  +  T_exogenous
    E2                = c_arom (T + w A4)(1 - I_periph)                peripheral aromatization
                      + E2_testis_ref (T_testis / T_testis_ref)(1 - I_testis) / 1
                      + E2_residual                                    not from ongoing aromatization
    I_periph          = inhibition(C, T + A4)              plasma substrate
    I_testis          = inhibition(C, r_itt T_testis)      intratesticular substrate (~100x serum)
    E2_tissue         = E2 + kappa (T + w A4)(1 - I_periph)      serum + intracrine (bone, brain)
    LH_target         = LH_cap / (1 + (E2_tissue / K_E)^n + T / K_T)
    d LH / dt         = (LH_target - LH) / tau_LH

Why two aromatase sites: anastrozole is a competitive inhibitor (Dukes 1996), so the same plasma
level inhibits the enzyme less where the substrate is abundant.  Inside the testis testosterone is
~100x its serum level, so the testicular share of a man's E2 is partly protected and rises with LH;
this is the model's explanation for the modest E2 fall in men (Leder 2004) next to the profound fall
in postmenopausal women (Geisler 2002), with a single potency for both.

Why tissue E2: target tissues (bone, hypothalamus) make estradiol locally from circulating androgens
(intracrine aromatization).  The drug blocks it whatever serum E2 does, which is how a man's LH
rises by half and his spine loses bone while his serum E2 falls only a quarter.
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

NG_DL_PER_NMOL_L_T = 28.84   # testosterone, M = 288.4 g/mol
NG_DL_PER_NMOL_L_A4 = 28.64  # androstenedione, M = 286.4 g/mol
PMOL_L_PER_PG_ML_E2 = 3.671  # estradiol, M = 272.4 g/mol


class PatientConstants(NamedTuple):
    """Per-patient numbers derived from the baseline steady state (see :mod:`.phenotypes`)."""

    has_testes: float               # 1 for men, 0 otherwise
    t_testis_ref_ng_dl: float       # Leydig testosterone at baseline
    t_other_ng_dl: float            # adrenal/ovarian-stroma testosterone
    a4_ng_dl: float                 # androstenedione (aromatase substrate)
    lh_ref_iu_l: float              # baseline LH
    lh_cap_iu_l: float              # LH with no feedback
    c_arom_pg_ml_per_ng_dl: float   # whole-body aromatization constant
    e2_testis_ref_pg_ml: float      # testicular E2 at baseline
    e2_residual_pg_ml: float        # E2 not from ongoing aromatization
    age_years: float
    bmd0_lumbar_spine_g_cm2: float
    bmd0_total_hip_g_cm2: float
    bmd0_femoral_neck_g_cm2: float


@njit(cache=True)
def aromatase_inhibition(c_ng_ml, substrate_nmol_l, p):
    """Fractional aromatase inhibition by anastrozole at plasma level ``c_ng_ml``."""
    if c_ng_ml <= 0.0:
        return 0.0
    ic50_app = p.arom_ic50_ng_ml * (1.0 + substrate_nmol_l / p.arom_km_nmol_l)
    return p.arom_imax * c_ng_ml / (c_ng_ml + ic50_app)


@njit(cache=True)
def hormones(lh_iu_l, c_ana_ng_ml, t_exo_ng_dl, p, pc):
    """Quasi-steady-state serum hormones for a given LH and drug input.

    Returns ``(t_ng_dl, e2_pg_ml, e2_bone_pg_ml, lh_target_iu_l, inhibition_periph)``.
    """
    lh = max(lh_iu_l, 0.0)
    t_testis = 0.0
    if pc.has_testes > 0.0:
        t_testis = pc.t_testis_ref_ng_dl * (lh / pc.lh_ref_iu_l) ** p.leydig_lh_exponent
    t_ng_dl = t_testis + pc.t_other_ng_dl + t_exo_ng_dl
    substrate_ng_dl = t_ng_dl + p.a4_aromatization_weight * pc.a4_ng_dl
    s_plasma_nmol_l = t_ng_dl / NG_DL_PER_NMOL_L_T + pc.a4_ng_dl / NG_DL_PER_NMOL_L_A4
    i_periph = aromatase_inhibition(c_ana_ng_ml, s_plasma_nmol_l, p)

    e2 = pc.c_arom_pg_ml_per_ng_dl * substrate_ng_dl * (1.0 - i_periph) + pc.e2_residual_pg_ml
    if pc.has_testes > 0.0:
        s_testis_nmol_l = p.intratesticular_t_ratio * t_testis / NG_DL_PER_NMOL_L_T
        i_testis = aromatase_inhibition(c_ana_ng_ml, s_testis_nmol_l, p)
        e2 += pc.e2_testis_ref_pg_ml * (t_testis / pc.t_testis_ref_ng_dl) * (1.0 - i_testis)

    e2_tissue = e2 + p.tissue_intracrine_pg_ml_per_ng_dl * substrate_ng_dl * (1.0 - i_periph)
    lh_target = pc.lh_cap_iu_l / lh_feedback_denominator(e2_tissue, t_ng_dl, p)
    return t_ng_dl, e2, e2_tissue, lh_target, i_periph


@njit(cache=True)
def lh_feedback_denominator(e2_tissue_pg_ml, t_ng_dl, p):
    """``LH_cap / LH_target``: feedback by tissue E2 (hypothalamic aromatization) and by T."""
    return 1.0 + (e2_tissue_pg_ml / p.lh_e2_k_pg_ml) ** p.lh_e2_hill + t_ng_dl / p.lh_t_k_ng_dl
