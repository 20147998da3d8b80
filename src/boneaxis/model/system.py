"""The whole model as one system: states, inputs and their rates, for every engine.

States (``STATES``)::

    lh_iu_l            relaxes to LH_target with tau_LH                     (endocrine.py)
    osteoclast         relaxes to oc_target with tau_oc                     (bone.py)
    osteoblast         relaxes to resorption with tau_ob                    (bone.py)
    aromatase_active   relaxes to k_syn/(k_syn + k_inact theta_exe)         (endocrine.py)
    dmab_reservoir     relaxes to theta_dmab with tau_R                     (bone.py)
    mineralization     relaxes to mu (1 - resorption) with tau_M            (bone.py)
    e2_bone_adapted    relaxes to receptor-equivalent bone E2 (cap E_cap), tau_A (bone.py)
    ln_bmd_<site>      d/dt = bone.bmd_log_rates_per_day                    (bone.py)

The first seven are relaxations ``dx/dt = rate (target - x)``; :func:`relaxations` returns their
targets and rates (1/h), :func:`drifts` the BMD derivatives (1/h).  The fast engine integrates them
with exponential steps, the reference engine as ``rate*(target - x)``; both call these functions.
"""

from __future__ import annotations

import numpy as np
from .._jit import njit

from . import bone
from .endocrine import exemestane_enzyme_kinetics, hormones

STATES = (
    "lh_iu_l", "osteoclast", "osteoblast", "aromatase_active", "dmab_reservoir", "mineralization",
    "e2_bone_adapted_pg_ml", "ln_bmd_lumbar_spine", "ln_bmd_total_hip", "ln_bmd_femoral_neck",
)
N_RELAX = 7
N_STATES = len(STATES)
(X_LH, X_OC, X_OB, X_AROM, X_DMAB, X_MIN, X_ADAPT, X_BMD_SPINE, X_BMD_HIP,
 X_BMD_NECK) = range(N_STATES)
HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = bone.DAYS_PER_YEAR * HOURS_PER_DAY


@njit(cache=True, inline="always")
def signals(x, u, p, pc):
    """Algebraic model outputs at state ``x`` and inputs ``u``:
    ``(t_ng_dl, e2_pg_ml, e2_bone_pg_ml, lh_target, inhibition, oc_target, imbalance,
    resorption, rankl_block, withdrawal, e2_receptor_pg_ml)``."""
    t_ng, e2, e2_bone, lh_target, inh = hormones(x[X_LH], x[X_AROM], u, p, pc)
    s_e = bone.effective_estrogen_signal(e2_bone, u, p)
    oc_target = bone.osteoclast_target(s_e, u, x[X_DMAB], p)
    imbalance = bone.focal_imbalance(s_e, t_ng, pc.age_years, p)
    block = bone.rankl_block(u, p)
    res = bone.resorption(x[X_OC], block)
    e2_receptor = bone.receptor_equivalent_e2_pg_ml(e2_bone, s_e, u, p)
    withdrawal = bone.withdrawal_imbalance(x[X_ADAPT], e2_receptor, p)
    return (t_ng, e2, e2_bone, lh_target, inh, oc_target, imbalance, res, block, withdrawal,
            e2_receptor)


@njit(cache=True, inline="always")
def relaxations(x, u, p, pc, target, rate):
    """Fill ``target`` and ``rate`` (1/h) of the seven relaxing states; returns the signals."""
    sig = signals(x, u, p, pc)
    target[X_LH] = sig[3]
    rate[X_LH] = 1.0 / p.lh_tau_h
    target[X_OC] = sig[5]
    rate[X_OC] = 1.0 / (p.oc_tau_d * HOURS_PER_DAY)
    target[X_OB] = sig[7]
    rate[X_OB] = 1.0 / (p.ob_tau_d * HOURS_PER_DAY)
    target[X_AROM], rate[X_AROM] = exemestane_enzyme_kinetics(u, p)
    target[X_DMAB] = bone.dmab_reservoir_target(u, p)
    rate[X_DMAB] = 1.0 / (p.dmab_reservoir_tau_d * HOURS_PER_DAY)
    target[X_MIN] = bone.mineralization_target(sig[7], p)
    rate[X_MIN] = bone.mineralization_rate_per_y(sig[7], p) / HOURS_PER_YEAR
    target[X_ADAPT] = bone.adaptation_target(sig[10], pc.e2_adaptation_cap_pg_ml)
    rate[X_ADAPT] = 1.0 / (p.estrogen_adaptation_tau_y * HOURS_PER_YEAR)
    return sig


@njit(cache=True)
def ln_bmd(x, p):
    """ln BMD per site (relative): remodeling balance plus mineralization."""
    ms, mh, mn = bone.site_mineralization(x[X_MIN], p)
    return x[X_BMD_SPINE] + ms, x[X_BMD_HIP] + mh, x[X_BMD_NECK] + mn


@njit(cache=True, inline="always")
def drifts(x, sig, p):
    """d ln(BMD)/dt per site (1/h), from the state and its :func:`signals`."""
    rs, rh, rn = bone.bmd_log_rates_per_day(sig[7], x[X_OB], sig[6], sig[9], sig[8], p)
    return rs / HOURS_PER_DAY, rh / HOURS_PER_DAY, rn / HOURS_PER_DAY


@njit(cache=True, inline="always")
def derivatives(x, u, p, pc):
    """``dx/dt`` (1/h) of every state: the plain ODE form, for reference solvers."""
    target = np.empty(N_RELAX)
    rate = np.empty(N_RELAX)
    sig = relaxations(x, u, p, pc, target, rate)
    dx = np.empty(N_STATES)
    for i in range(N_RELAX):
        dx[i] = rate[i] * (target[i] - x[i])
    dx[X_BMD_SPINE], dx[X_BMD_HIP], dx[X_BMD_NECK] = drifts(x, sig, p)
    return dx
