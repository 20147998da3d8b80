"""A tight-tolerance reference solution of the same model, independent of the fast engine's numerics.

The fast engine (:mod:`.integrator`) uses closed-form PK on a fixed grid and a fixed-step
exponential-midpoint scheme.  This module instead integrates *one* ODE system with
:func:`scipy.integrate.solve_ivp` (LSODA by default, adaptive step, ``rtol=1e-10``):

    states: anastrozole depot and central amounts (mg), one depot per testosterone drug (mg),
            LH, osteoclast and osteoblast activity, ln BMD at the three sites

The PK is integrated as ODEs (:func:`boneaxis.model.pk.depot_rhs`), not taken from the closed form,
and each dose is applied exactly: the solver is restarted at every dose time with the dose added
to the depot.  Hormones, bone targets and BMD rates come from :mod:`boneaxis.model`; nothing of the
fast engine's grid or time stepping is used (only :func:`.simulate.prepare` for the patient
constants and initial state, and :func:`.simulate.to_frame` for the output table).

It is slow (seconds for a 5-year daily-dosing run) and meant for tests and benchmarks only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from numba import njit
from scipy.integrate import solve_ivp

from ..model import bone
from ..model import parameters as params_mod
from ..model.endocrine import hormones
from ..model.parameters import Params
from ..model.pk import DRUGS, depot_rhs
from ..scenario import Scenario, load_scenario
from .integrator import N_CHANNELS
from .simulate import Prepared, SimulationError, prepare, to_frame

HOURS_PER_DAY = 24.0


@njit(cache=True)
def _signals(y, ana_scale, t_scale, n_t, p, pc):
    """Model outputs for a state vector: concentrations -> hormones -> bone targets."""
    c_ana = y[1] * ana_scale
    t_exo = 0.0
    for i in range(n_t):
        t_exo += t_scale[i] * y[2 + i]
    k = 2 + n_t
    t_ng, e2, e2b, lh_target, inh = hormones(y[k], c_ana, t_exo, p, pc)
    oc_target = bone.osteoclast_target(e2b, p)
    imb = bone.focal_imbalance(e2b, t_ng, pc.age_years, p)
    return c_ana, t_ng, e2, e2b, lh_target, inh, oc_target, imb


@njit(cache=True)
def _rhs(t, y, ana_ka, ana_ke, ana_scale, t_ka, t_scale, p, pc):
    n_t = t_ka.shape[0]
    dy = np.empty_like(y)
    dy[0], dy[1] = depot_rhs(y[0], y[1], ana_ka, ana_ke)
    for i in range(n_t):
        dy[2 + i], _ = depot_rhs(y[2 + i], 0.0, t_ka[i], 0.0)
    _, _, _, _, lh_target, _, oc_target, imb = _signals(y, ana_scale, t_scale, n_t, p, pc)
    k = 2 + n_t
    lh, oc, ob = y[k], y[k + 1], y[k + 2]
    # Relaxations as documented in model.endocrine / model.bone (tau in h / days).
    dy[k] = (lh_target - lh) / p.lh_tau_h
    dy[k + 1] = (oc_target - oc) / (p.oc_tau_d * HOURS_PER_DAY)
    dy[k + 2] = (oc - ob) / (p.ob_tau_d * HOURS_PER_DAY)
    rs, rh, rn = bone.bmd_log_rates_per_day(oc, ob, imb, p)
    dy[k + 3] = rs / HOURS_PER_DAY
    dy[k + 4] = rh / HOURS_PER_DAY
    dy[k + 5] = rn / HOURS_PER_DAY
    return dy


@njit(cache=True)
def _channels(y, ana_scale, t_scale, p, pc):
    """The integrator's output channels (see ``integrator.CHANNELS``) for one state."""
    n_t = t_scale.shape[0]
    c_ana, t_ng, e2, e2b, _, inh, _, _ = _signals(y, ana_scale, t_scale, n_t, p, pc)
    k = 2 + n_t
    out = np.empty(N_CHANNELS)
    out[0] = y[k]
    out[1] = t_ng
    out[2] = e2
    out[3] = e2b
    out[4] = inh
    out[5] = y[k + 1]
    out[6] = y[k + 2]
    out[7] = y[k + 3]
    out[8] = y[k + 4]
    out[9] = y[k + 5]
    return c_ana, out


def _dose_events(sc: Scenario, run_end_h: float, t_drugs: list[str]):
    """Sorted dose times with the state index each dose is added to."""
    times, idx, amt = [], [], []
    for tr in sc.treatments:
        info = DRUGS[tr.drug]
        d = tr.dose_times_h(run_end_h)
        if info.effect == "aromatase":
            slot = 0
        elif info.effect == "testosterone":
            slot = 2 + t_drugs.index(tr.drug)
        else:  # pragma: no cover - library only has these two effects
            raise ValueError(f"unknown drug effect {info.effect!r}")
        times.append(d)
        idx.append(np.full(d.shape, slot, dtype=int))
        amt.append(np.full(d.shape, tr.dose_mg))  # F enters the exposure, as in drug_inputs
    if not times:
        return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0)
    t, i, a = np.concatenate(times), np.concatenate(idx), np.concatenate(amt)
    order = np.argsort(t, kind="stable")
    return t[order], i[order], a[order]


def reference_arrays(prep: Prepared, rtol: float = 1e-10, atol: float = 1e-12,
                     method: str = "LSODA") -> tuple[np.ndarray, np.ndarray]:
    """(anastrozole ng/mL, integrator channels) at the output times, like ``run_arrays``."""
    sc, p, pc = prep.scenario, prep.params, prep.pc
    aromatase = [n for n in {tr.drug for tr in sc.treatments} if DRUGS[n].effect == "aromatase"]
    if len(aromatase) > 1:
        raise NotImplementedError("reference solver supports one aromatase inhibitor")
    ana = DRUGS[aromatase[0] if aromatase else "anastrozole"]
    t_drugs = sorted({tr.drug for tr in sc.treatments if DRUGS[tr.drug].effect == "testosterone"})
    ana_scale = ana.plasma_ng_ml(1.0)                                  # per mg central
    t_ka = np.array([DRUGS[n].ka_per_h for n in t_drugs], dtype=float)
    t_scale = np.array([DRUGS[n].testosterone_ng_dl(1.0, p.t_cl_l_per_h) for n in t_drugs],
                       dtype=float)                                    # per mg in depot

    out_t = prep.grid.out_times_h()
    t_end = float(out_t[-1])
    dose_t, dose_i, dose_a = _dose_events(sc, t_end, t_drugs)
    t0 = min(float(sc.start_h), float(dose_t[0]) if dose_t.size else 0.0)

    n_pk = 2 + len(t_drugs)
    y = np.concatenate([np.zeros(n_pk), prep.state0])
    args = (ana.ka_per_h, ana.ke_per_h, ana_scale, t_ka, t_scale, p, pc)
    fun = lambda t, yy: _rhs(t, yy, *args)  # noqa: E731

    c_out = np.empty(out_t.shape[0])
    ch_out = np.empty((out_t.shape[0], N_CHANNELS))
    # Segment boundaries: distinct dose times (a dose within 1e-9 h of an output counts as given).
    seg_starts = np.unique(dose_t)
    bounds = np.concatenate([[t0], seg_starts[seg_starts > t0], [np.inf]])
    j = 0  # next dose event
    k = 0  # next output
    n_out = out_t.shape[0]
    for s in range(bounds.shape[0] - 1):
        a, b = bounds[s], bounds[s + 1]
        while j < dose_t.shape[0] and dose_t[j] <= a + 1e-9:
            y[dose_i[j]] += dose_a[j]
            j += 1
        # outputs in [a, b): those before the next dose (a dose at an output time is counted)
        k_end = k
        while k_end < n_out and out_t[k_end] < b - 1e-9:
            k_end += 1
        t_stop = min(b, t_end)
        if t_stop > a:
            teval = out_t[k:k_end]
            if teval.size == 0 or teval[-1] < t_stop:
                teval = np.concatenate([teval, [t_stop]])
            teval = np.clip(teval, a, t_stop)
            sol = solve_ivp(fun, (a, t_stop), y, method=method, rtol=rtol, atol=atol,
                            t_eval=teval)
            if not sol.success:
                raise SimulationError(f"reference solver failed at t={a:.3f} h: {sol.message}")
            for m in range(k_end - k):
                c_out[k + m], ch_out[k + m] = _channels(sol.y[:, m], ana_scale, t_scale, p, pc)
            y = sol.y[:, -1].copy()
        else:
            for m in range(k, k_end):
                c_out[m], ch_out[m] = _channels(y, ana_scale, t_scale, p, pc)
        k = k_end
        if k >= n_out and t_stop >= t_end:
            break
    if not np.all(np.isfinite(ch_out)):
        raise SimulationError("reference solution is not finite")
    return c_out, ch_out


def reference_simulate(scenario: Scenario | dict | str | Path, params: Params | None = None,
                       rtol: float = 1e-10, atol: float = 1e-12,
                       method: str = "LSODA") -> pd.DataFrame:
    """Reference solution of ``scenario``: same columns and rows as :func:`boneaxis.simulate`."""
    sc = load_scenario(scenario)
    prep = prepare(sc, params if params is not None else params_mod.params())
    c_ana, out = reference_arrays(prep, rtol=rtol, atol=atol, method=method)
    return to_frame(prep, c_ana, out)
