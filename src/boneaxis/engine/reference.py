"""A tight-tolerance reference solution of the same model, independent of the fast engine's numerics.

The fast engine (:mod:`.integrator`) uses closed-form PK on a fixed grid and a fixed-step
exponential-midpoint scheme.  This module instead integrates *one* ODE system with
:func:`scipy.integrate.solve_ivp` (LSODA by default, adaptive step, ``rtol=1e-10``):

    states: depot and central amount (mg) of every drug in the scenario (denosumab with its
            saturable elimination), then the model states of :mod:`boneaxis.model.system`

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
from .._jit import njit
from scipy.integrate import solve_ivp

from ..model import parameters as params_mod
from ..model.endocrine import INPUTS
from ..model.parameters import Params
from ..model.pk import depot_rhs
from ..model.system import derivatives, signals
from ..scenario import Scenario, load_scenario
from .inputs import PIECEWISE_CONSTANT, piecewise_on_grid, pk_units, readout, switch_times
from .integrator import N_CHANNELS, record
from .simulate import Prepared, SimulationError, prepare, to_frame


@njit(cache=True)
def _inputs(y, cols, kinds, ka, scale, u_const):
    """Model inputs from the PK amounts (2 per unit) with the shared readout, plus the
    piecewise-constant exposure inputs of this segment."""
    u = u_const.copy()
    for i in range(cols.shape[0]):
        if kinds[i] < 3:  # not piecewise constant
            u[cols[i]] += readout(kinds[i], y[2 * i], y[2 * i + 1], ka[i], scale[i])
    return u


@njit(cache=True)
def _rhs(t, y, cols, kinds, ka, ke, scale, vmax, km, u_const, p, pc):
    n_pk = 2 * cols.shape[0]
    dy = np.empty_like(y)
    for i in range(cols.shape[0]):
        a_d, a_c = y[2 * i], y[2 * i + 1]
        dy[2 * i], dy[2 * i + 1] = depot_rhs(a_d, a_c, ka[i], ke[i])
        if vmax[i] > 0.0:
            dy[2 * i + 1] -= vmax[i] * a_c / (km[i] + a_c)
    u = _inputs(y, cols, kinds, ka, scale, u_const)
    dy[n_pk:] = derivatives(y[n_pk:], u, p, pc)
    return dy


@njit(cache=True)
def _channels(y, cols, kinds, ka, scale, u_const, p, pc):
    n_pk = 2 * cols.shape[0]
    u = _inputs(y, cols, kinds, ka, scale, u_const)
    x = y[n_pk:]
    out = np.empty((1, N_CHANNELS))
    record(out, 0, x, signals(x, u, p, pc), p)
    return u, out[0]


def reference_arrays(prep: Prepared, rtol: float = 1e-10, atol: float = 1e-12,
                     method: str = "LSODA") -> tuple[np.ndarray, np.ndarray]:
    """(model inputs, integrator channels) at the output times, like ``run_arrays``."""
    sc, p, pc = prep.scenario, prep.params, prep.pc
    out_t = prep.grid.out_times_h()
    t_end = float(out_t[-1])
    units = pk_units(sc, t_end, p)
    cols = np.array([un.column for un in units], dtype=np.int64)
    kinds = np.array([un.readout for un in units], dtype=np.int64)
    ka = np.array([un.ka_per_h for un in units], dtype=float)
    ke = np.array([un.ke_per_h for un in units], dtype=float)
    scale = np.array([un.scale for un in units], dtype=float)
    vmax = np.array([un.vmax_mg_per_h for un in units], dtype=float)
    km = np.array([un.km_mg for un in units], dtype=float)
    exposure = [un for un in units if un.readout in PIECEWISE_CONSTANT]

    # dose events (unit index, amount entering the depot) and exposure switch times
    ev_t = [un.dose_times_h for un in units]
    ev_i = [np.full(un.dose_times_h.shape, i) for i, un in enumerate(units)]
    ev_a = [un.doses_mg * un.dose_fraction for un in units]
    dose_t = np.concatenate(ev_t) if ev_t else np.zeros(0)
    dose_i = np.concatenate(ev_i).astype(int) if ev_i else np.zeros(0, dtype=int)
    dose_a = np.concatenate(ev_a) if ev_a else np.zeros(0)
    order = np.argsort(dose_t, kind="stable")
    dose_t, dose_i, dose_a = dose_t[order], dose_i[order], dose_a[order]
    switches = [switch_times(un) for un in exposure]

    t0 = min(float(prep.grid.t_first_h), float(dose_t[0]) if dose_t.size else 0.0)
    y = np.concatenate([np.zeros(2 * len(units)), prep.state0])
    n_u = len(INPUTS)

    def u_const_at(t):
        u = np.zeros(n_u)
        for un in exposure:
            u[un.column] += piecewise_on_grid(un, np.array([t]))[0]
        return u

    n_out = out_t.shape[0]
    u_out = np.empty((n_out, n_u))
    ch_out = np.empty((n_out, N_CHANNELS))
    cuts = np.unique(np.concatenate([dose_t, *switches])) if (dose_t.size or switches) else np.zeros(0)
    bounds = np.concatenate([[t0], cuts[cuts > t0], [np.inf]])
    j = k = 0
    for s_i in range(bounds.shape[0] - 1):
        a, b = bounds[s_i], bounds[s_i + 1]
        while j < dose_t.shape[0] and dose_t[j] <= a + 1e-9:
            y[2 * dose_i[j]] += dose_a[j]
            j += 1
        t_stop = min(b, t_end)
        u_c = u_const_at(0.5 * (a + t_stop) if t_stop > a else a)
        args = (cols, kinds, ka, ke, scale, vmax, km, u_c, p, pc)
        k_end = k
        while k_end < n_out and out_t[k_end] < b - 1e-9:
            k_end += 1
        if t_stop > a:
            teval = out_t[k:k_end]
            if teval.size == 0 or teval[-1] < t_stop:
                teval = np.concatenate([teval, [t_stop]])
            sol = solve_ivp(lambda t, yy: _rhs(t, yy, *args), (a, t_stop), y, method=method,
                            rtol=rtol, atol=atol, t_eval=np.clip(teval, a, t_stop))
            if not sol.success:
                raise SimulationError(f"reference solver failed at t={a:.3f} h: {sol.message}")
            for m in range(k_end - k):
                u_out[k + m], ch_out[k + m] = _channels(sol.y[:, m], cols, kinds, ka, scale,
                                                        u_c, p, pc)
            y = sol.y[:, -1].copy()
        else:
            for m in range(k, k_end):
                u_out[m], ch_out[m] = _channels(y, cols, kinds, ka, scale, u_c, p, pc)
        k = k_end
        if k >= n_out and t_stop >= t_end:
            break
    if not np.all(np.isfinite(ch_out)):
        raise SimulationError("reference solution is not finite")
    return u_out, ch_out


def reference_simulate(scenario: Scenario | dict | str | Path, params: Params | None = None,
                       rtol: float = 1e-10, atol: float = 1e-12,
                       method: str = "LSODA") -> pd.DataFrame:
    """Reference solution of ``scenario``: same columns and rows as :func:`boneaxis.simulate`."""
    sc = load_scenario(scenario)
    prep = prepare(sc, params if params is not None else params_mod.params())
    u, out = reference_arrays(prep, rtol=rtol, atol=atol, method=method)
    return to_frame(prep, u, out)
