"""Dosing history -> model inputs on a time grid (exact: closed-form PK, no smoothing).

Each drug in the scenario becomes a :class:`PKUnit` (one depot + central pool, its doses and how
its amounts map to a model input); a bisphosphonate becomes two, the fast and slow phases of its
bone-surface pool, whose contributions add.  :func:`input_matrix` evaluates every unit on a grid;
the reference engine integrates the same units as ODEs and maps them with the same
:func:`readout`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from .._jit import njit

from ..model.endocrine import INPUTS
from ..model.parameters import Params
from ..model.pk import DRUGS, depot_and_central_on_grid, testosterone_ng_dl_per_mg_per_h
from ..scenario import Scenario

READOUTS = ("concentration", "release_rate", "bound_amount", "exposure", "zero_order")
(R_CONC, R_RELEASE, R_BOUND, R_EXPOSURE, R_ZERO_ORDER) = range(len(READOUTS))
PIECEWISE_CONSTANT = (R_EXPOSURE, R_ZERO_ORDER)


@dataclass(frozen=True)
class PKUnit:
    drug: str
    column: int
    readout: int
    ka_per_h: float
    ke_per_h: float
    dose_fraction: float       # of each dose entering the depot (bioavailability, bone uptake)
    scale: float               # amount (mg) or rate (mg/h) -> model input units
    vmax_mg_per_h: float
    km_mg: float               # saturable elimination constant as an amount (Km x V)
    dose_times_h: np.ndarray
    doses_mg: np.ndarray
    interval_h: float
    release_h: float = 0.0
    phase: str = ""            # "" or, for a drug split into several units, the unit's name

    @property
    def name(self) -> str:
        """Unique name of the unit: the drug, with its phase if it has several."""
        return f"{self.drug}_{self.phase}" if self.phase else self.drug


def _bone_pool_phases(frac: float, p: Params) -> tuple[tuple[str, float, float], ...]:
    """(phase, dose fraction, elimination rate 1/h) of a bisphosphonate's bone-surface pool.

    Drug bound to bone surfaces is mostly buried under new bone within months (the fast phase,
    ``bp_active_half_life_d``); a share ``bp_slow_fraction`` stays where osteoclasts meet it,
    re-exposed as remodeling releases buried drug and it re-binds (Russell 2008 Osteoporos Int
    19:733), so the effect lasts years after a dose (``bp_slow_half_life_d``).  Linear kinetics:
    the pool after a dose is the sum of the two exponentials."""
    f_slow = p.bp_slow_fraction
    return (("fast", frac * (1.0 - f_slow), math.log(2.0) / (p.bp_active_half_life_d * 24.0)),
            ("slow", frac * f_slow, math.log(2.0) / (p.bp_slow_half_life_d * 24.0)))


def pk_units(sc: Scenario, run_end_h: float, p: Params) -> list[PKUnit]:
    """One unit per drug (all its treatments merged, doses sorted)."""
    by_drug: dict[str, list] = {}
    for tr in sc.treatments:
        by_drug.setdefault(tr.drug, []).append(tr)
    units = []
    for name, trs in by_drug.items():
        d = DRUGS[name]
        times = [tr.dose_times_h(run_end_h) for tr in trs]
        t = np.concatenate(times)
        a = np.concatenate([np.full(tt.shape, tr.dose_mg) for tt, tr in zip(times, trs)])
        order = np.argsort(t, kind="stable")
        readout = READOUTS.index(d.readout)
        scale = 1.0
        phases = (("", d.bioavailability, d.ke_per_h),)   # (name, dose fraction, ke 1/h)
        if readout == R_CONC:
            # mg/L is ng/mL x 1000, and is ug/mL as is
            scale = (1.0 if d.model_input.endswith("_ug_ml") else 1000.0) / d.volume_l
        elif readout in (R_RELEASE, R_ZERO_ORDER):
            # model input per mg/h released: serum testosterone added (ng/dL), or goserelin
            # (mg/h -> ug/day); an implant or gel releases dose/release_h for release_h
            per_mg_h = (testosterone_ng_dl_per_mg_per_h(p.t_cl_l_per_h)
                        if d.model_input == "t_exogenous_ng_dl" else 1000.0 * 24.0)
            scale = per_mg_h / d.release_h if readout == R_ZERO_ORDER else per_mg_h
        elif readout == R_BOUND:
            phases = _bone_pool_phases(d.bioavailability * p.bp_fraction_to_bone, p)
            scale = 1.0 if name == "zoledronic_acid" else getattr(p, f"potency_{name}")
        for phase, fraction, ke_per_h in phases:
            units.append(PKUnit(
                drug=name, column=INPUTS.index(d.model_input), readout=readout,
                ka_per_h=d.ka_per_h, ke_per_h=ke_per_h, dose_fraction=fraction, scale=scale,
                vmax_mg_per_h=d.vmax_mg_per_h, km_mg=d.km_mg_per_l * d.volume_l,
                dose_times_h=t[order], doses_mg=a[order],
                interval_h=min(tr.every_h for tr in trs), release_h=d.release_h, phase=phase,
            ))
    return units


@njit(cache=True)
def readout(kind, depot_mg, central_mg, ka_per_h, scale):
    """A unit's contribution to its model input from its amounts."""
    if kind == 0:      # concentration
        return central_mg * scale
    if kind == 1:      # release rate from the depot
        return ka_per_h * depot_mg * scale
    return central_mg * scale   # bound amount


@njit(cache=True)
def saturable_central_on_grid(dose_times_h, doses_mg, ka, ke, vmax, km, grid_h):
    """Central amount with linear + Michaelis-Menten elimination (denosumab), by RK4 sub-steps of
    at most 6 h on each grid interval (the depot, being linear, is exact)."""
    n = grid_h.shape[0]
    central = np.empty(n)
    a_d = 0.0
    a_c = 0.0
    t = grid_h[0]
    j = 0
    nd = dose_times_h.shape[0]
    while j < nd and dose_times_h[j] < t:
        j += 1  # doses before the grid start are not expected (grid starts at the first dose)
    for i in range(n):
        tg = grid_h[i]
        while True:
            t_next = tg
            if j < nd and dose_times_h[j] <= tg:
                t_next = dose_times_h[j]
            span = t_next - t
            if span > 0.0:
                m = int(np.ceil(span / 6.0))
                h = span / m
                for _ in range(m):
                    # RK4 on (a_d, a_c)
                    d1 = -ka * a_d
                    c1 = ka * a_d - ke * a_c - vmax * a_c / (km + a_c)
                    ad2 = a_d + 0.5 * h * d1
                    ac2 = a_c + 0.5 * h * c1
                    d2 = -ka * ad2
                    c2 = ka * ad2 - ke * ac2 - vmax * ac2 / (km + ac2)
                    ad3 = a_d + 0.5 * h * d2
                    ac3 = a_c + 0.5 * h * c2
                    d3 = -ka * ad3
                    c3 = ka * ad3 - ke * ac3 - vmax * ac3 / (km + ac3)
                    ad4 = a_d + h * d3
                    ac4 = a_c + h * c3
                    d4 = -ka * ad4
                    c4 = ka * ad4 - ke * ac4 - vmax * ac4 / (km + ac4)
                    a_d += h * (d1 + 2 * d2 + 2 * d3 + d4) / 6.0
                    a_c = max(a_c + h * (c1 + 2 * c2 + 2 * c3 + c4) / 6.0, 0.0)
                t = t_next
            if j < nd and dose_times_h[j] <= tg:
                a_d += doses_mg[j]
                j += 1
            else:
                break
        central[i] = a_c
    return central


def piecewise_on_grid(unit: PKUnit, grid_h: np.ndarray) -> np.ndarray:
    """Inputs constant between events: a supplement being taken (1 while a dose was taken within
    the last two intervals) or implants releasing at a constant rate (sum over active implants)."""
    out = np.zeros_like(grid_h)
    if unit.dose_times_h.size == 0:
        return out
    if unit.readout == R_ZERO_ORDER:
        for t, dose in zip(unit.dose_times_h, unit.doses_mg * unit.dose_fraction):
            out += np.where((grid_h >= t) & (grid_h < t + unit.release_h), dose * unit.scale, 0.0)
        return out
    idx = np.searchsorted(unit.dose_times_h, grid_h, side="right") - 1
    ok = idx >= 0
    since = grid_h[ok] - unit.dose_times_h[idx[ok]]
    out[ok] = (since < 2.0 * unit.interval_h).astype(float)
    return out


def switch_times(unit: PKUnit) -> np.ndarray:
    """Times at which a piecewise-constant input changes (besides the doses)."""
    lapse = unit.release_h if unit.readout == R_ZERO_ORDER else 2.0 * unit.interval_h
    return unit.dose_times_h + lapse


def input_matrix(units: list[PKUnit], grid_h: np.ndarray) -> np.ndarray:
    """Model inputs (len(grid), len(INPUTS)) on ``grid_h``."""
    u = np.zeros((grid_h.shape[0], len(INPUTS)))
    for un in units:
        doses = un.doses_mg * un.dose_fraction
        if un.readout in PIECEWISE_CONSTANT:
            u[:, un.column] += piecewise_on_grid(un, grid_h)
            continue
        if un.vmax_mg_per_h > 0.0:
            central = saturable_central_on_grid(un.dose_times_h, doses, un.ka_per_h, un.ke_per_h,
                                                un.vmax_mg_per_h, un.km_mg, grid_h)
            u[:, un.column] += central * un.scale
            continue
        depot, central = depot_and_central_on_grid(un.dose_times_h, doses, un.ka_per_h,
                                                   un.ke_per_h, grid_h)
        if un.readout == R_RELEASE:
            u[:, un.column] += un.ka_per_h * depot * un.scale
        else:
            u[:, un.column] += central * un.scale
    return u
