"""Scenario -> time series: dosing, exact drug inputs, integration, output table."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import parameters as params_mod
from ..model.endocrine import INPUTS, PatientConstants, hormones
from ..model.parameters import Params
from ..model.fracture import REFERENCES, SEX_OF_PHENOTYPE, fracture_columns
from ..model.phenotypes import SITES, Baseline, baseline, bone_cells_at_start, patient_constants
from ..model.bone import mineralization_target
from ..model.system import N_STATES, X_AROM, X_LH, X_MIN, X_OB, X_OC
from ..notice import DISCLAIMER
from ..scenario import HOURS_PER_YEAR, Scenario, load_scenario
from .inputs import input_matrix, pk_units
from .integrator import CHANNELS, integrate

# Other drugs' inputs appear as extra columns only when the scenario uses them.
DRUG_COLUMNS = {
    "c_letrozole_ng_ml": "letrozole_ng_ml",
    "c_exemestane_ng_ml": "exemestane_ng_ml",
    "t_exogenous_ng_dl": "testosterone_exogenous_ng_dl",
    "c_tamoxifen_ng_ml": "tamoxifen_ng_ml",
    "gnrh_release_ug_per_day": "goserelin_release_ug_per_day",
    "bp_bound_zol_eq_mg": "bisphosphonate_bound_zol_eq_mg",
    "c_denosumab_ug_ml": "denosumab_ug_ml",
    "calcium_vitamin_d_on": "calcium_vitamin_d_on",
}

OUTPUT_COLUMNS = (
    "time_days", "anastrozole_ng_ml", "lh_iu_l", "testosterone_ng_dl", "estradiol_pg_ml",
    "ctx_pct_change", "p1np_pct_change",
    *(f"bmd_{s}_{kind}" for s in SITES for kind in ("g_cm2", "pct_change")),
    "aromatase_inhibition_pct", "estradiol_bone_effective_pg_ml",
    *(f"t_score_{s}" for s in SITES), "fracture_risk_10y_major_pct", "fracture_risk_10y_hip_pct",
)


class SimulationError(RuntimeError):
    """The numerical solution failed; no numbers are returned."""


FINE_WINDOW_H = 28 * 24.0  # after a treatment starts or stops, the fine step is used this long


@dataclass(frozen=True, eq=False)
class Grid:
    """Integration steps (fine after each treatment change, coarse elsewhere) and output steps.

    Why two step sizes: the error of the fixed-step scheme comes from the first days after a
    regimen changes (inhibition switches on within hours); in a periodic steady state a 12 h step
    is as accurate, and 3-4x cheaper."""

    t_steps_h: np.ndarray    # step boundaries, t_steps_h[0] <= 0 (the run may start before day 0)
    out_steps: np.ndarray    # index into t_steps_h of each output time (t = 0, output_every, ...)

    @property
    def t_first_h(self) -> float:
        return float(self.t_steps_h[0])

    @property
    def steps_h(self) -> np.ndarray:
        return np.diff(self.t_steps_h)

    @property
    def n_steps(self) -> int:
        return self.t_steps_h.shape[0] - 1

    @property
    def n_out(self) -> int:
        return self.out_steps.shape[0]

    def half_times_h(self) -> np.ndarray:
        t = np.empty(2 * self.n_steps + 1)
        t[0::2] = self.t_steps_h
        t[1::2] = 0.5 * (self.t_steps_h[1:] + self.t_steps_h[:-1])
        return t

    def out_times_h(self) -> np.ndarray:
        return self.t_steps_h[self.out_steps]


def make_grid(sc: Scenario) -> Grid:
    """Steps that divide ``output_every`` exactly, so outputs and t = 0 fall on the grid: the fine
    ``step_h`` before day 0 and within ``FINE_WINDOW_H`` of any treatment start or stop, the
    ``coarse_step_h`` elsewhere; dose times are added as step boundaries."""
    oe = sc.output_every_h
    n_out = int(math.floor(sc.duration_h / oe + 1e-9)) + 1
    fine = oe / max(1, math.ceil(oe / sc.step_h - 1e-9))
    coarse = oe / max(1, math.ceil(oe / max(sc.coarse_step_h, sc.step_h) - 1e-9))
    changes = np.array([t for tr in sc.treatments for t in (tr.start_h, tr.stop_h)
                        if t is not None], dtype=float)
    first = math.ceil(-sc.start_h / fine - 1e-9)
    # per output interval [k oe, (k+1) oe): fine if a treatment change lies within FINE_WINDOW_H
    starts = oe * np.arange(n_out - 1, dtype=float)
    near = np.zeros(n_out - 1, dtype=bool)
    for c in changes:
        near |= (c < starts + oe) & (c + FINE_WINDOW_H > starts)
    h = np.where(near, fine, coarse)
    m = np.rint(oe / h).astype(np.int64)                  # steps per output interval
    offsets = np.concatenate([[0], np.cumsum(m)])          # first step of each interval
    within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], m)
    t = np.concatenate([-fine * np.arange(first, 0, -1, dtype=float),   # run-in before day 0
                        np.repeat(starts, m) + np.repeat(h, m) * within,
                        [(n_out - 1) * oe]])
    out_steps = first + offsets
    # every dose starts a step, so no step straddles the jump in a drug's input
    doses = np.concatenate([tr.dose_times_h(float(t[-1])) for tr in sc.treatments] or [np.zeros(0)])
    doses = doses[(doses > t[0]) & (doses < t[-1])]
    if doses.size:
        i = np.searchsorted(t, doses)
        gap = np.minimum(t[i] - doses, doses - t[i - 1])
        t = np.union1d(t, doses[gap > 1e-6])
        out_steps = np.searchsorted(t, oe * np.arange(n_out) - 1e-9)
    return Grid(t, out_steps.astype(np.int64))


@dataclass(frozen=True)
class Prepared:
    """Everything the integrator needs for one scenario (reused by the reference solver)."""

    scenario: Scenario
    params: Params
    base: Baseline
    pc: PatientConstants
    grid: Grid
    state0: np.ndarray


def prepare(sc: Scenario, p: Params) -> Prepared:
    pt = sc.patient
    base = baseline(pt.phenotype, pt.age, pt.labs.model_dump(), pt.bmd.model_dump())
    pc = patient_constants(pt.phenotype, pt.age, base, p)
    t0, _, e2b0, _, _ = hormones(base.lh_iu_l, 1.0, np.zeros(len(INPUTS)), p, pc)
    substrate = t0 + p.a4_aromatization_weight * pc.a4_ng_dl
    grid = make_grid(sc)
    ysm = pt.years_since_menopause
    if ysm is not None:  # the run may start before day 0 (treatment already running)
        ysm = max(ysm + grid.t_first_h / HOURS_PER_YEAR, 0.0)
    oc0, ob0 = bone_cells_at_start(pt.phenotype, ysm, e2b0, substrate, p)
    state0 = np.zeros(N_STATES)
    state0[X_LH], state0[X_OC], state0[X_OB], state0[X_AROM] = base.lh_iu_l, oc0, ob0, 1.0
    state0[X_MIN] = mineralization_target(oc0, p)
    return Prepared(sc, p, base, pc, grid, state0)


def run_arrays(prep: Prepared, clearance_multipliers: dict[str, float] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """(model inputs at outputs, integrator channels at outputs).

    ``clearance_multipliers`` scales a drug's elimination rate (between-patient PK variability;
    apparent volume unchanged)."""
    g = prep.grid
    half = g.half_times_h()
    units = pk_units(prep.scenario, float(half[-1]), prep.params)
    if clearance_multipliers:
        units = [replace(un, ke_per_h=un.ke_per_h * clearance_multipliers[un.drug])
                 if un.drug in clearance_multipliers else un for un in units]
    u = input_matrix(units, half)
    out = integrate(prep.state0, u, g.steps_h, g.out_steps, prep.params, prep.pc)
    idx = 2 * g.out_steps
    if not np.all(np.isfinite(out)):
        bad = int(np.argmax(~np.isfinite(out).all(axis=1)))
        raise SimulationError(
            f"numerical failure at day {g.out_times_h()[bad] / 24:.1f}: non-finite state; "
            "check the inputs (extreme doses or labs) or reduce step_h")
    return u[idx], out


def channel_columns(ch: np.ndarray, ch0: np.ndarray, u: np.ndarray,
                    bmd0_g_cm2: dict) -> dict[str, np.ndarray]:
    """The contract's model columns from integrator channels, for one patient or a batch.

    ``ch``: (..., n_times, N_CHANNELS); ``ch0``: (..., N_CHANNELS) at t = 0; ``u``: (..., n_times,
    len(INPUTS)); ``bmd0_g_cm2``: site -> baseline BMD, scalar or (..., 1).  Returns arrays
    (..., n_times); % changes are relative to t = 0.
    """
    c = {name: ch[..., i] for i, name in enumerate(CHANNELS)}
    c0 = {name: ch0[..., i, None] for i, name in enumerate(CHANNELS)}
    cols: dict[str, np.ndarray] = {
        "anastrozole_ng_ml": u[..., INPUTS.index("c_anastrozole_ng_ml")],
        "lh_iu_l": c["lh_iu_l"],
        "testosterone_ng_dl": c["testosterone_ng_dl"],
        "estradiol_pg_ml": c["estradiol_pg_ml"],
        "ctx_pct_change": 100.0 * (c["osteoclast_activity"] / c0["osteoclast_activity"] - 1.0),
        "p1np_pct_change": 100.0 * (c["osteoblast_activity"] / c0["osteoblast_activity"] - 1.0),
    }
    for s in SITES:
        rel = np.exp(c[f"bmd_{s}_rel"] - c0[f"bmd_{s}_rel"])
        cols[f"bmd_{s}_g_cm2"] = bmd0_g_cm2[s] * rel
        cols[f"bmd_{s}_pct_change"] = 100.0 * (rel - 1.0)
    cols["aromatase_inhibition_pct"] = 100.0 * c["aromatase_inhibition"]
    cols["estradiol_bone_effective_pg_ml"] = c["estradiol_bone_effective_pg_ml"]
    return cols


def to_frame(prep: Prepared, u: np.ndarray, out: np.ndarray) -> pd.DataFrame:
    base = prep.base
    cols = {"time_days": prep.grid.out_times_h() / 24.0,
            **channel_columns(out, out[0], u, base.bmd_g_cm2)}
    for name in INPUTS:
        if name != "c_anastrozole_ng_ml" and np.any(u[:, INPUTS.index(name)]):
            cols[DRUG_COLUMNS[name]] = u[:, INPUTS.index(name)]
    cols.update(fracture_columns(
        cols["time_days"], {s: cols[f"bmd_{s}_g_cm2"] for s in SITES},
        sex=SEX_OF_PHENOTYPE[prep.scenario.patient.phenotype], age_years=prep.scenario.patient.age))
    order = list(OUTPUT_COLUMNS) + [c for c in cols if c not in OUTPUT_COLUMNS]
    df = pd.DataFrame({c: cols[c] for c in order})
    df.attrs.update({
        "disclaimer": DISCLAIMER,
        "baseline_origin": dict(base.origin),
        "parameter_file": dict(params_mod.fitted_file_info()),
        "fracture_references": dict(REFERENCES),
    })
    return df


def simulate(scenario: Scenario | dict | str | Path, params: Params | None = None) -> pd.DataFrame:
    """Simulate one scenario: one row per output time, columns in :data:`OUTPUT_COLUMNS`.

    ``scenario`` may be a :class:`Scenario`, a mapping, YAML text or a file path.  Raises
    :class:`~boneaxis.scenario.ScenarioError` for invalid input and :class:`SimulationError` when
    the numerical solution fails.
    """
    sc = load_scenario(scenario)
    prep = prepare(sc, params if params is not None else params_mod.params())
    c_ana, out = run_arrays(prep)
    return to_frame(prep, c_ana, out)
