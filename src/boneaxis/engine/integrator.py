"""Fixed-step exponential-midpoint integration of the model, compiled with numba.

Why this scheme: the drug inputs are known exactly on any grid (:mod:`.inputs`), six states relax
towards targets (``dx/dt = rate (target - x)``, :func:`boneaxis.model.system.relaxations`) and BMD
moves slowly.  Each step

1. evaluates the targets at ``t`` and predicts every state to ``t + h/2`` exactly for frozen
   targets (``x + (target - x)(1 - e^{-rate h/2})``);
2. re-evaluates targets and rates at the midpoint with the midpoint inputs;
3. takes the full step with the midpoint targets and rates (and the midpoint BMD drift).

That is second-order accurate, unconditionally stable for the relaxations, and needs two model
evaluations per step, so a 5-year daily-dosing run takes a few milliseconds.  The equations live
in :mod:`boneaxis.model`; nothing is restated here.
"""

from __future__ import annotations

import math

import numpy as np
from .._jit import njit

from ..model.system import (
    N_RELAX, N_STATES, X_BMD_HIP, X_BMD_NECK, X_BMD_SPINE, X_OB, drifts, ln_bmd, relaxations,
)

# Output channels of the integrator (columns of the returned array).
CHANNELS = (
    "lh_iu_l", "testosterone_ng_dl", "estradiol_pg_ml", "estradiol_bone_effective_pg_ml",
    "aromatase_inhibition", "resorption_activity", "osteoblast_activity",
    "bmd_lumbar_spine_rel", "bmd_total_hip_rel", "bmd_femoral_neck_rel",
)
N_CHANNELS = len(CHANNELS)


@njit(cache=True)
def record(out, j, x, sig, p):
    """Write the output channels for state ``x`` with signals ``sig`` into row ``j``."""
    out[j, 0] = x[0]
    out[j, 1] = sig[0]
    out[j, 2] = sig[1]
    out[j, 3] = sig[2]
    out[j, 4] = sig[4]
    out[j, 5] = sig[7]        # resorption (CTX)
    out[j, 6] = x[X_OB]
    out[j, 7], out[j, 8], out[j, 9] = ln_bmd(x, p)


@njit(cache=True)
def integrate(state0, u_half, steps_h, out_steps, p, pc):
    """Integrate from the first grid time with steps ``steps_h`` (h).

    ``u_half`` holds the model inputs at each step boundary and midpoint (rows ``2k`` at step
    ``k``, ``2k+1`` at its midpoint).  Returns an array (len(out_steps), N_CHANNELS) of the
    outputs at the step boundaries ``out_steps`` (ascending).
    """
    n_out = out_steps.shape[0]
    out = np.empty((n_out, N_CHANNELS))
    s = np.empty((6, N_RELAX))
    integrate_kept(state0, u_half, steps_h, out_steps, p, pc, np.arange(n_out), out,
                   np.empty(N_STATES), np.empty(N_STATES), s[0], s[1], s[2], s[3], s[4], s[5])
    return out


@njit(cache=True)
def integrate_kept(state0, u_half, steps_h, out_steps, p, pc, dest, res,
                   x, xm, target, rate, r_half, r_full, d_half, d_full):
    """The stepping loop of :func:`integrate`, allocation-free (so that a CUDA thread can run it,
    :mod:`boneaxis.population.gpu`): output ``j`` (at step ``out_steps[j]``) is written to row
    ``dest[j]`` of ``res`` unless ``dest[j] < 0``.

    Scratch arrays from the caller: ``x``, ``xm`` (N_STATES); ``target``, ``rate``, ``r_half``,
    ``r_full``, ``d_half``, ``d_full`` (N_RELAX).
    """
    n_steps = steps_h.shape[0]
    n_out = out_steps.shape[0]
    for i in range(N_STATES):
        x[i] = state0[i]
    h_prev = -1.0
    # decay factors e^{-rate h/2}, e^{-rate h}: recomputed only when a rate changes (most rates
    # are constants; exemestane's enzyme kinetics and turnover-paced mineralization are not)
    for i in range(N_RELAX):
        r_half[i] = -1.0
        r_full[i] = -1.0
    j = 0
    for k in range(n_steps + 1):
        sig = relaxations(x, u_half[2 * k], p, pc, target, rate)
        while j < n_out and out_steps[j] == k:
            if dest[j] >= 0:
                record(res, dest[j], x, sig, p)
            j += 1
        if k == n_steps:
            break
        step_h = steps_h[k]
        half = 0.5 * step_h
        if step_h != h_prev:       # a new step size invalidates every cached decay factor
            h_prev = step_h
            for i in range(N_RELAX):
                r_half[i] = -1.0
                r_full[i] = -1.0
        # predictor to the midpoint with frozen targets
        for i in range(N_RELAX):
            if rate[i] != r_half[i]:
                r_half[i] = rate[i]
                d_half[i] = math.exp(-rate[i] * half)
            xm[i] = target[i] + (x[i] - target[i]) * d_half[i]
        ds, dh, dn = drifts(x, sig, p)
        xm[X_BMD_SPINE] = x[X_BMD_SPINE] + half * ds
        xm[X_BMD_HIP] = x[X_BMD_HIP] + half * dh
        xm[X_BMD_NECK] = x[X_BMD_NECK] + half * dn
        # midpoint targets, rates and drifts; full step
        sig_m = relaxations(xm, u_half[2 * k + 1], p, pc, target, rate)
        ds, dh, dn = drifts(xm, sig_m, p)
        for i in range(N_RELAX):
            if rate[i] != r_full[i]:
                r_full[i] = rate[i]
                d_full[i] = math.exp(-rate[i] * step_h)
            x[i] = target[i] + (x[i] - target[i]) * d_full[i]
        x[X_BMD_SPINE] += step_h * ds
        x[X_BMD_HIP] += step_h * dh
        x[X_BMD_NECK] += step_h * dn
