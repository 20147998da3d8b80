"""Bone remodeling driven by sex steroids: one estrogen response for both sexes.

States (dimensionless, 1 = estrogen-replete young adult)::

    oc   osteoclast pool (cells able to resorb, including RANKL-starved ones)
    ob   osteoblast (formation) activity; serum P1NP is proportional to it
    E_A  the bone E2 the skeleton has adapted to (pg/mL, not dimensionless)
    bmd_<site> / bmd0_<site>   areal BMD relative to the start of the run

Signals::

    s_E = E_bone^n / (E_bone^n + EC50^n)   estrogen-receptor signal; E_bone = serum E2 + intracrine
                                           E2 made in bone (endocrine.py)
    s_T = T / (T + K_T)                    androgen-receptor signal (smaller, formation side)

Equations::

    s            = s_E (1 - theta_tam) + a_tam theta_tam   tamoxifen shares the receptor
    oc_target    = (1 + g_E (1 - s)) (1 - E_bp) (1 + g_R R) (1 - e_CaD)
                                                     RANKL/OPG drive rises as the estrogen brake
                                                     fails; bisphosphonates and calcium restrain it
    d R / dt     = (theta_dmab - R) / tau_R          precursors build while RANKL is blocked
                                                     (rebound when denosumab wanes)
    d oc / dt    = (oc_target - oc) / tau_oc
    res          = oc (1 - E_dmab theta_dmab)        resorption (serum CTX is proportional to it):
                                                     RANKL-blocked osteoclasts stop within days
    d ob / dt    = (res - ob) / tau_ob               formation is coupled to, and lags, resorption
    imbalance    = max(b_E (1 - s) - b_T s_T + b_age, 0)   fraction of each resorbed unit not refilled
    E_R          = EC50 (s / (1 - s))^(1/n)          receptor-equivalent E2: E_bone without
                                                     tamoxifen; with it, the E2 giving the mixed
                                                     signal (lower at premenopausal E2, higher
                                                     at postmenopausal)
    d E_A / dt   = (min(E_R, E_cap) - E_A) / tau_A   the skeleton adapts to its E2 over years
                                                      (E_cap: premenopausal E2, or the patient's
                                                      untreated level if higher)
    withdrawal   = w max(E_A - E_R, 0) / E_pre        extra loss while E2 sits below that level
                                                      (rapid phase after menopause or ovarian
                                                      suppression; E_pre premenopausal E2)
    d ln bmd_s / dt = r_s [ (ob - res)  -  res withdrawal  -  m_s res imbalance
                            +  q E_dmab theta_dmab ]

    d M / dt     = (mu (1 - res) - M) res / tau_M    secondary mineralization (ln BMD, spine scale;
                                                     other sites scaled by their remodeling rate);
                                                     remodeling renews the tissue, so the rate
                                                     scales with resorption

``(ob - res)`` is the reversible remodeling space (a transient when turnover changes); ``res x
imbalance`` is the irreversible loss of each remodeling cycle, larger when turnover is high;
``q E_dmab theta_dmab`` is modeling-based formation on the surfaces RANKL blockade has silenced
(denosumab; Ominsky 2015 JBMR 30:1280), which lets BMD keep rising for a decade after
mineralization has saturated, while bisphosphonates plateau.
Denosumab acts on resorption itself, not on the pool: osteoclasts need RANKL to keep resorbing,
so CTX falls ~85% within 3 days of a dose (Prolia label), far faster than the pool's lifespan
``tau_oc``; RANKL-starved osteoclasts persist as recyclable cells (osteomorphs, McDonald 2021
Cell 184:1330) and, with the precursors of ``R``, resorb again once the antibody wanes.  Sites
differ only in their remodeling rate ``r_s`` and imbalance scale ``m_s`` (trabecular spine vs
mixed hip); no parameter differs by sex.
"""

from __future__ import annotations

from .._jit import njit

from .endocrine import U_BP, U_CAD, U_DMAB, U_TAM, mixed_receptor_signal, receptor_occupancy

DAYS_PER_YEAR = 365.25   # Julian year; the one definition, imported elsewhere


@njit(cache=True, inline="always")
def estrogen_signal(e2_bone_pg_ml, p):
    e = max(e2_bone_pg_ml, 0.0) ** p.bone_e2_hill
    return e / (e + p.bone_e2_ec50_pg_ml ** p.bone_e2_hill)


@njit(cache=True, inline="always")
def androgen_signal(t_ng_dl, p):
    t = max(t_ng_dl, 0.0)
    return t / (t + p.bone_t_k_ng_dl)


@njit(cache=True, inline="always")
def effective_estrogen_signal(e2_bone_pg_ml, u, p):
    """Estrogen-receptor signal with tamoxifen competing for the receptor: occupied receptors
    signal with the SERM's partial agonism (so it raises a low signal and lowers a high one)."""
    theta = receptor_occupancy(u[U_TAM], p.tam_ec50_ng_ml)
    return mixed_receptor_signal(estrogen_signal(e2_bone_pg_ml, p), theta, p.tam_bone_agonism)


@njit(cache=True, inline="always")
def receptor_equivalent_e2_pg_ml(e2_bone_pg_ml, s_effective, u, p):
    """The bone E2 that alone would give the receptor signal ``s_effective`` (the value of
    ``effective_estrogen_signal``, computed once by the caller): bone E2 itself without
    tamoxifen; with it, the inverse of ``estrogen_signal`` at the mixed signal.  Adaptation and
    withdrawal follow the receptor, not the ligand: a premenopausal woman whose receptors
    tamoxifen occupies loses their full-agonist signal even though her
    E2 rises (Powles 1996 J Clin Oncol 14:78), while at postmenopausal E2 the partial agonist
    raises the receptor-equivalent level (docs/model.md, "Estrogen withdrawal")."""
    if u[U_TAM] <= 0.0:
        return e2_bone_pg_ml
    s = min(max(s_effective, 1e-12), 1.0 - 1e-12)
    return p.bone_e2_ec50_pg_ml * (s / (1.0 - s)) ** (1.0 / p.bone_e2_hill)


@njit(cache=True, inline="always")
def osteoclast_target(s_e, u, dmab_reservoir, p):
    """Osteoclast drive: RANKL/OPG rises as the estrogen signal fails; bisphosphonates (bone
    surface pool) and calcium + vitamin D (PTH-driven resorption) restrain it; precursors built
    while denosumab blocked RANKL add to it (the rebound once it wanes)."""
    drive = 1.0 + p.oc_estrogen_gain * (1.0 - s_e)
    x_bp = max(u[U_BP], 0.0) / p.bp_ec50_mg
    drive *= 1.0 - p.bp_emax * x_bp / (1.0 + x_bp)
    drive *= 1.0 + p.dmab_rebound_gain * dmab_reservoir
    drive *= 1.0 - p.calcium_vitamin_d_effect * u[U_CAD]
    return drive


@njit(cache=True, inline="always")
def rankl_block(u, p):
    """Fraction of the osteoclast pool's resorption stopped by denosumab-bound RANKL."""
    return p.dmab_emax * receptor_occupancy(u[U_DMAB], p.dmab_ec50_ug_ml)


@njit(cache=True, inline="always")
def resorption(oc, block):
    """Resorption (CTX) by the osteoclast pool ``oc``, ``block`` of it stopped (rankl_block)."""
    return oc * (1.0 - block)


@njit(cache=True, inline="always")
def untreated_osteoclast_target(e2_bone_pg_ml, p):
    return 1.0 + p.oc_estrogen_gain * (1.0 - estrogen_signal(e2_bone_pg_ml, p))


@njit(cache=True, inline="always")
def dmab_reservoir_target(u, p):
    """Osteoclast precursors accumulate while RANKL is blocked (target = fraction blocked)."""
    return receptor_occupancy(u[U_DMAB], p.dmab_ec50_ug_ml)


@njit(cache=True, inline="always")
def focal_imbalance(s_e, t_ng_dl, age_years, p):
    age_term = p.age_imbalance_per_decade * max(age_years - 50.0, 0.0) / 10.0
    imbalance = (p.focal_imbalance_estrogen * (1.0 - s_e)
                 - p.focal_imbalance_androgen * androgen_signal(t_ng_dl, p) + age_term)
    # adult remodeling units do not overfill: sex steroids can close the gap, not reverse it
    return max(imbalance, 0.0)


@njit(cache=True, inline="always")
def adaptation_target(e2_bone_pg_ml, cap_pg_ml):
    """The E2 level the skeleton adapts to: bone E2, but no higher than ``cap_pg_ml``
    (PatientConstants.e2_adaptation_cap_pg_ml: premenopausal E2, or the patient's own untreated
    level if higher); E2 above it (bone E2 above 100 pg/mL in a man takes ~600 mg of testosterone
    enanthate a week) builds no protection whose end could be a withdrawal.  Called with the
    receptor-equivalent E2, so tamoxifen's ovarian stimulation raises nothing here."""
    return min(e2_bone_pg_ml, cap_pg_ml)


@njit(cache=True, inline="always")
def withdrawal_imbalance(e2_adapted_pg_ml, e2_receptor_pg_ml, p):
    """Extra focal imbalance while bone E2 (receptor-equivalent, ``receptor_equivalent_e2_pg_ml``)
    sits below the level the skeleton has adapted to (the rapid phase after menopause or ovarian
    suppression): linear in the shortfall, in units of premenopausal E2, since the free E2 that
    reaches the receptor stays far below its Kd."""
    shortfall = max(e2_adapted_pg_ml - e2_receptor_pg_ml, 0.0)
    return p.focal_imbalance_withdrawal * shortfall / p.e2_premenopausal_pg_ml


@njit(cache=True, inline="always")
def mineralization_target(res, p):
    """Equilibrium extra mineral (ln BMD, spine scale): older, more mineralized tissue when
    turnover is low, less when it is high (resorption 1 is the estrogen-replete reference)."""
    return p.mineralization_gain * (1.0 - res)


@njit(cache=True, inline="always")
def mineralization_rate_per_y(res, p):
    """Rate (1/y) at which tissue mineralization approaches its target: remodeling renews the
    tissue, so the rate scales with resorption (``tau_M`` at the estrogen-replete reference):
    it builds slowly while turnover is suppressed and is lost quickly in a rebound."""
    return res / p.mineralization_tau_y


@njit(cache=True, inline="always")
def site_mineralization(m, p):
    """Mineralization seen at each site, scaled by the site's remodeling rate."""
    hip = m * p.turnover_total_hip_per_y / p.turnover_lumbar_spine_per_y
    return m, hip, hip * p.femoral_neck_to_hip_ratio


@njit(cache=True, inline="always")
def modeling_formation(block, p):
    """Net modeling-based formation (in units of the site's remodeling rate): bone laid down on
    quiescent surfaces without prior resorption, in proportion to the share of the osteoclast
    pool that RANKL blockade has silenced (``block``)."""
    return p.modeling_formation_gain * block


@njit(cache=True, inline="always")
def bmd_log_rates_per_day(res, ob, imbalance, withdrawal, block, p):
    """d ln(BMD)/dt (1/day) at lumbar spine, total hip and femoral neck (``res``: resorption,
    ``withdrawal``: withdrawal_imbalance, which acts at each site's remodeling rate alone, not
    through its imbalance scale; ``block``: share of resorption stopped by RANKL blockade)."""
    r_spine = p.turnover_lumbar_spine_per_y / DAYS_PER_YEAR
    r_hip = p.turnover_total_hip_per_y / DAYS_PER_YEAR
    r_neck = r_hip * p.femoral_neck_to_hip_ratio
    modeling = modeling_formation(block, p)
    base = ob - res - res * withdrawal + modeling
    spine = r_spine * (base - p.imbalance_scale_lumbar_spine * res * imbalance)
    hip = r_hip * (base - p.imbalance_scale_total_hip * res * imbalance)
    neck = r_neck * (base - p.imbalance_scale_total_hip * res * imbalance)
    return spine, hip, neck
