"""Many patients on one regimen, fast: endpoint values only, no per-patient DataFrame.

:func:`run_batch` is the population path of the engine.  For ``n`` patients sharing a regimen it

1. validates each patient once (pydantic ``Patient``, ~10 us) and calls
   :func:`boneaxis.engine.simulate.prepare` on a copy of one shared scenario (baseline steady
   state, patient constants, initial state: ~60 us);
2. evaluates the drug inputs (:func:`~boneaxis.engine.inputs.pk_units` +
   :func:`~boneaxis.engine.inputs.input_matrix`) ONCE per group of patients with the same
   PK-relevant parameters (PK has no between-patient variability yet, so once per batch);
3. integrates every patient with :func:`boneaxis.engine.integrator.integrate` inside one numba
   function that loops over patients with ``prange`` (all cores, no Python per step), keeping
   only the output rows asked for; and
4. converts integrator channels to the public output columns the way
   :func:`boneaxis.engine.simulate.to_frame` does (same formulas, vectorized).

Results are identical, patient by patient, to ``simulate()`` run one scenario at a time (the
same compiled integrator on the same inputs; ``tests/test_population_scale.py`` checks it).
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence

import numpy as np
from numba import prange
from numba.np.unsafe.ndarray import to_fixed_tuple

from dataclasses import replace as _dc_replace

from .._jit import njit
from ..engine.inputs import R_CONC, R_RELEASE, input_matrix, pk_units
from ..engine.integrator import CHANNELS, N_CHANNELS, integrate
from ..engine.simulate import SimulationError, channel_columns, make_grid, prepare
from ..model.endocrine import INPUTS, PatientConstants
from ..model.parameters import Params
from ..model.parameters import params as default_params
from ..model.phenotypes import SITES
from ..model.pk.absorption import depot_and_central_on_grid
from ..model.system import N_STATES
from ..scenario import HOURS_PER_YEAR, Patient, load_scenario
from .virtual import patient_params

N_PARAMS = len(Params._fields)
N_PC = len(PatientConstants._fields)

# Endpoint names are output columns of ``simulate()`` (see ``OUTPUT_COLUMNS``).
ENDPOINTS = (
    "anastrozole_ng_ml", "lh_iu_l", "testosterone_ng_dl", "estradiol_pg_ml",
    "ctx_pct_change", "p1np_pct_change",
    *(f"bmd_{s}_{kind}" for s in SITES for kind in ("g_cm2", "pct_change")),
    "aromatase_inhibition_pct", "estradiol_bone_effective_pg_ml",
)
DEFAULT_ENDPOINTS = (
    "bmd_lumbar_spine_pct_change", "bmd_total_hip_pct_change", "bmd_femoral_neck_pct_change",
    "ctx_pct_change", "p1np_pct_change", "estradiol_pg_ml",
)
MONTH_H = HOURS_PER_YEAR / 12.0

# Parameters that pk_units() reads (testosterone clearance, bisphosphonate bone pool): patients
# differing in any of these get their own input matrix.
_PK_FIELDS = tuple(f for f in Params._fields
                   if f.startswith(("t_cl_", "bp_", "potency_")))
_CH = {name: i for i, name in enumerate(CHANNELS)}


@njit(cache=True)
def _params_row(a):
    return Params(*to_fixed_tuple(a, N_PARAMS))


@njit(cache=True)
def _pc_row(a):
    return PatientConstants(*to_fixed_tuple(a, N_PC))


@njit(cache=True, parallel=True)
def integrate_many(state0, u_half, steps_h, out_steps, prm, pcs, rows):
    """Integrate patient ``i`` (``state0[i]``, parameters ``prm[i]``, constants ``pcs[i]``) on the
    shared inputs ``u_half``; keep output rows ``rows``.  Returns (n, len(rows), N_CHANNELS)."""
    n = state0.shape[0]
    res = np.empty((n, rows.shape[0], N_CHANNELS))
    for i in prange(n):
        out = integrate(state0[i], u_half, steps_h, out_steps, _params_row(prm[i]), _pc_row(pcs[i]))
        for a in range(rows.shape[0]):
            for c in range(N_CHANNELS):
                res[i, a, c] = out[rows[a], c]
    return res


@njit(cache=True, parallel=True)
def integrate_many_pk(state0, u_rest, steps_h, out_steps, prm, pcs, rows,
                      grid_h, dose_t, doses, ka, ke, scale, col, release):
    """As :func:`integrate_many`, with one linear PK unit whose elimination rate differs by
    patient (``ke[i]``): its column is added to ``u_rest`` per patient.  Also returns that input
    column at the kept rows, (n, len(rows))."""
    n = state0.shape[0]
    res = np.empty((n, rows.shape[0], N_CHANNELS))
    ucol = np.empty((n, rows.shape[0]))
    for i in prange(n):
        u = u_rest.copy()
        depot, central = depot_and_central_on_grid(dose_t, doses, ka, ke[i], grid_h)
        if release:
            u[:, col] += ka * depot * scale
        else:
            u[:, col] += central * scale
        out = integrate(state0[i], u, steps_h, out_steps, _params_row(prm[i]), _pc_row(pcs[i]))
        for a in range(rows.shape[0]):
            ucol[i, a] = u[2 * out_steps[rows[a]], col]
            for c in range(N_CHANNELS):
                res[i, a, c] = out[rows[a], c]
    return res, ucol


def _time_rows(grid, times_h: Sequence[float] | None) -> np.ndarray:
    out_t = grid.out_times_h()
    if times_h is None:
        return np.array([grid.n_out - 1], dtype=np.int64)
    rows = []
    for t in times_h:
        j = int(np.argmin(np.abs(out_t - t)))
        if not abs(out_t[j] - t) <= 1e-6 * max(1.0, abs(t)):
            every = out_t[1] - out_t[0] if out_t.size > 1 else 0.0
            raise ValueError(f"time {t:g} h is not an output time (every {every:g} h up to "
                             f"{out_t[-1]:g} h)")
        rows.append(j)
    return np.asarray(rows, dtype=np.int64)


def channels_to_endpoints(ch: np.ndarray, ch0: np.ndarray, u: np.ndarray, bmd0: np.ndarray,
                          endpoints: Sequence[str]) -> np.ndarray:
    """Requested output columns from integrator channels (via ``simulate.channel_columns``).

    ``ch``: (n, n_times, N_CHANNELS) at the requested times; ``ch0``: (n, N_CHANNELS) at t = 0;
    ``u``: (n or 1, n_times, len(INPUTS)) inputs at the requested times; ``bmd0``: (n, len(SITES))
    g/cm2.
    Returns (n, len(endpoints), n_times).
    """
    n, nt, _ = ch.shape
    cols = channel_columns(ch, ch0, u, {s: bmd0[:, i, None] for i, s in enumerate(SITES)})
    res = np.empty((n, len(endpoints), nt))
    for k, e in enumerate(endpoints):
        if e not in cols:
            raise ValueError(f"unknown endpoint {e!r}; choose from {', '.join(ENDPOINTS)}")
        res[:, k, :] = np.broadcast_to(cols[e], (n, nt))
    return res


def set_threads(threads: int | None) -> None:
    """Numba threads for :func:`integrate_many` (None: leave as is)."""
    if threads is not None:
        import numba
        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))


def run_batch(patients: Iterable[tuple],
              treatments: Sequence[dict] = (),
              duration_h: float = 5 * HOURS_PER_YEAR,
              output_every_h: float = MONTH_H,
              endpoints: Sequence[str] = DEFAULT_ENDPOINTS,
              times: Sequence[float] | None = None,
              *, step_h: float = 3.0, params: Params | None = None,
              threads: int | None = None) -> np.ndarray:
    """Endpoint values for many patients on one regimen: array (n, len(endpoints), len(times)).

    ``patients``: (patient mapping in scenario form, parameter multipliers) pairs, e.g. from
    :func:`boneaxis.population.virtual_arm`, optionally with a third item ``{drug: clearance
    multiplier}`` (CL/F scaled, V/F unchanged, as :mod:`.sampling` draws it); ``treatments``:
    scenario treatment mappings shared by all; ``times``: output times in hours (on the
    ``output_every_h`` grid; default: the last output).  ``step_h`` is the integrator step (the
    scenario default, 3 h, unless given; the coarse step is chosen as in ``simulate()``).  ``threads`` sets numba's thread count (default: all
    cores).  With no clearance multipliers each patient's result is bit-identical to
    ``simulate()`` of the same scenario with :func:`patient_params`.
    """
    patients = list(patients)
    endpoints = tuple(endpoints)
    p0 = params if params is not None else default_params()
    if not patients:
        return np.empty((0, len(endpoints), 1 if times is None else len(times)))
    base_sc = load_scenario({"patient": patients[0][0], "treatments": list(treatments),
                             "duration_h": float(duration_h),
                             "output_every_h": float(output_every_h), "step_h": float(step_h)})
    n = len(patients)
    state0 = np.empty((n, N_STATES))
    prm = np.empty((n, N_PARAMS))
    pcs = np.empty((n, N_PC))
    bmd0 = np.empty((n, len(SITES)))
    drugs = {tr.drug for tr in base_sc.treatments}
    pk_mult = np.ones((n, len(drugs)))
    drug_order = sorted(drugs)
    pk_key = []
    grid = make_grid(base_sc)       # the same for every patient (same treatments and times)
    for i, item in enumerate(patients):
        pd_, mult = item[0], item[1]
        pt = Patient.model_validate(pd_)
        p = patient_params(p0, mult)
        prep = prepare(base_sc.model_copy(update={"patient": pt}), p, grid)
        state0[i] = prep.state0
        prm[i] = p
        pcs[i] = prep.pc
        bmd0[i] = [prep.base.bmd_g_cm2[s] for s in SITES]
        pk = item[2] if len(item) > 2 and item[2] else {}
        for d, m in pk.items():
            if d in drugs:
                pk_mult[i, drug_order.index(d)] = float(m)
        pk_key.append(tuple(getattr(p, f) for f in _PK_FIELDS))
    rows_t = _time_rows(grid, times)
    rows = np.concatenate([[0], rows_t]).astype(np.int64)
    half = grid.half_times_h()
    u_rows = 2 * grid.out_steps[rows_t]
    set_threads(threads)
    ch = np.empty((n, rows.shape[0], N_CHANNELS))
    u_out = np.empty((n, rows_t.shape[0], len(INPUTS)))
    varying = [drug_order[k] for k in range(len(drug_order)) if np.any(pk_mult[:, k] != 1.0)]
    groups: dict[tuple, list[int]] = {}
    for i, k in enumerate(pk_key):
        key = k if len(varying) <= 1 else k + tuple(pk_mult[i])
        groups.setdefault(key, []).append(i)
    for idx in groups.values():
        sel = np.asarray(idx)
        p = _params_row_py(prm[idx[0]])
        units = pk_units(base_sc, float(half[-1]), p)
        if len(varying) > 1:   # rare: several drugs vary -> one input matrix per patient
            units = [_dc_replace(un, ke_per_h=un.ke_per_h * pk_mult[idx[0], drug_order.index(
                un.drug)]) for un in units]
        vu = [un for un in units if len(varying) == 1 and un.drug == varying[0]]
        if vu and vu[0].readout in (R_CONC, R_RELEASE) and vu[0].vmax_mg_per_h == 0.0:
            un = vu[0]
            u_rest = input_matrix([x for x in units if x is not un], half)
            ke = un.ke_per_h * pk_mult[sel, drug_order.index(un.drug)]
            ch[sel], ucol = integrate_many_pk(
                state0[sel], u_rest, grid.steps_h, grid.out_steps,
                prm[sel], pcs[sel], rows, half, un.dose_times_h, un.doses_mg * un.dose_fraction,
                un.ka_per_h, np.ascontiguousarray(ke), un.scale, un.column,
                un.readout == R_RELEASE)
            u_out[sel] = u_rest[u_rows][None]
            u_out[sel, :, un.column] = ucol[:, 1:]
            continue
        if vu:   # a saturable or piecewise unit varies: per patient
            for i in idx:
                us = [_dc_replace(x, ke_per_h=x.ke_per_h * pk_mult[i, drug_order.index(x.drug)])
                      for x in units]
                u = input_matrix(us, half)
                ch[i] = integrate_many(state0[i:i + 1], u, grid.steps_h, grid.out_steps,
                                       prm[i:i + 1], pcs[i:i + 1], rows)[0]
                u_out[i] = u[u_rows]
            continue
        u = input_matrix(units, half)
        ch[sel] = integrate_many(state0[sel], u, grid.steps_h, grid.out_steps,
                                 prm[sel], pcs[sel], rows)
        u_out[sel] = u[u_rows][None]
    if not np.all(np.isfinite(ch)):
        bad = int(np.argmax(~np.isfinite(ch).all(axis=(1, 2))))
        raise SimulationError(f"numerical failure for patient {bad}: non-finite state")
    return channels_to_endpoints(ch[:, 1:], ch[:, 0], u_out, bmd0, endpoints)


def _params_row_py(a: np.ndarray) -> Params:
    return Params(*(float(v) for v in a))


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


__all__ = ["ENDPOINTS", "DEFAULT_ENDPOINTS", "MONTH_H", "run_batch", "patient_params",
           "integrate_many", "channels_to_endpoints", "set_threads", "default_threads"]
