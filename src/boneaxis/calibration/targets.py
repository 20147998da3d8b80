"""Calibration/validation targets as data, and their evaluation against the model."""

from __future__ import annotations

import warnings
import zlib
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..engine.simulate import RELATIVE_ENDPOINTS, prepare, run_arrays, to_frame
from ..model import parameters as params_mod
from ..model.parameters import Params
from ..scenario import HOURS_PER_YEAR, Scenario
from .. import units

_LEVEL_COLUMNS = {
    "aromatization_inhibition_pct": "aromatase_inhibition_pct",
}
HOURLY_UP_TO_H = 120 * 24.0


@dataclass(frozen=True)
class Target:
    id: str
    arm: str
    quantity: str
    time_h: float
    value: float
    tolerance: float
    role: str
    stat: str
    citation: str
    approx: bool = False
    note: str = ""
    # statistic the trial reported over its arm: mean | median | ratio_of_means (a hormone's
    # "baseline mean -> on-treatment mean": the % change of the arm's mean level)
    summary: str = "mean"
    vs_arm: str | None = None  # the target is the difference arm - vs_arm (same patients)
    since_h: float | None = None  # start of the window of stat "max" / "change_since"


@lru_cache(maxsize=1)
def load() -> tuple[dict[str, dict], tuple[Target, ...]]:
    raw = yaml.safe_load(resources.files("boneaxis.calibration").joinpath("targets.yaml").read_text())
    arms = raw["arms"]
    out = []
    for t in raw["targets"]:
        tol = t.get("tolerance_pp")
        if tol is None:
            tol = max(0.2 * abs(t["value"]), 1.0)
        out.append(Target(
            id=t["id"], arm=t["arm"], quantity=t["quantity"],
            time_h=units.duration_h(t["time"], t["id"]), value=float(t["value"]),
            tolerance=float(tol), role=t["role"], stat=t.get("stat", "at"),
            citation=arms[t["arm"]]["citation"], approx=bool(t.get("approx", False)),
            note=t.get("note", ""), summary=t.get("summary", "mean"), vs_arm=t.get("vs_arm"),
            since_h=units.duration_h(t["since"], t["id"]) if "since" in t else None,
        ))
    for t in out:
        if t.summary not in ("mean", "median", "ratio_of_means"):
            raise ValueError(f"target {t.id}: unknown summary {t.summary!r}")
        if t.summary == "ratio_of_means" and (t.quantity not in RELATIVE_ENDPOINTS or t.vs_arm):
            raise ValueError(f"target {t.id}: ratio_of_means needs a hormone % change, no vs_arm")
        if (t.quantity in _HAZARD_RATIOS or t.quantity in _TRIAL_RISKS) and t.vs_arm is None:
            raise ValueError(f"target {t.id}: a hazard ratio or relative risk needs vs_arm")
    return arms, tuple(out)


def arm_scenario(arm: dict, duration_h: float, output_every_h: float) -> Scenario:
    # trial arms may use doses outside the label on purpose (e.g. zoledronate 1 mg, Grey 2017),
    # and a bisphosphonate without an AI is the very evidence of the calibrated-domain note: those
    # warnings are meant for users, not for published arms (validated directly: load_scenario
    # makes sure users always see them)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(outside the usual|non-standard regimen|"
                                                  "without an aromatase inhibitor)")
        return Scenario.model_validate({
            "patient": arm["patient"], "treatments": arm.get("treatments", []),
            "duration": f"{duration_h} h", "output_every": f"{output_every_h} h",
        })


def _arm_settings(targets) -> dict[str, tuple[float, float]]:
    need: dict[str, float] = {}
    for t in targets:
        for arm in (t.arm, t.vs_arm):
            if arm is not None:
                need[arm] = max(need.get(arm, 0.0), t.time_h)
    return {a: (h, 1.0 if h <= HOURLY_UP_TO_H else 24.0) for a, h in need.items()}


def simulate_arms(p: Params, targets=None) -> dict[str, pd.DataFrame]:
    arms, all_targets = load()
    targets = all_targets if targets is None else targets
    frames = {}
    for arm, (dur, every) in _arm_settings(targets).items():
        prep = prepare(arm_scenario(arms[arm], dur, every), p)
        c, out = run_arrays(prep)
        frames[arm] = to_frame(prep, c, out)
    return frames


def _interval_h(arm: dict) -> float:
    tr = arm.get("treatments") or []
    return units.duration_h(tr[0]["every"], "every") if tr else 24.0


def evaluate(target: Target, frame: pd.DataFrame, arm: dict) -> float:
    t_h = frame["time_days"].to_numpy() * 24.0
    if target.quantity in _LEVEL_COLUMNS:
        series = frame[_LEVEL_COLUMNS[target.quantity]].to_numpy()
    elif target.quantity in RELATIVE_ENDPOINTS:
        x = frame[RELATIVE_ENDPOINTS[target.quantity]].to_numpy()
        series = 100.0 * (x / x[0] - 1.0)
    else:
        series = frame[target.quantity].to_numpy()
    if target.stat == "mean_last_interval":
        lo = target.time_h - _interval_h(arm)
        sel = (t_h > lo + 1e-9) & (t_h <= target.time_h + 1e-9)
        return float(np.mean(series[sel]))
    if target.stat == "max":      # peak over (since, time], e.g. a rebound overshoot
        sel = (t_h > target.since_h - 1e-9) & (t_h <= target.time_h + 1e-9)
        return float(np.max(series[sel]))
    at = float(np.interp(target.time_h, t_h, series))
    if target.stat == "change_since":  # % change of a %-change-from-baseline series since `since`
        ref = float(np.interp(target.since_h, t_h, series))
        return 100.0 * ((1.0 + at / 100.0) / (1.0 + ref / 100.0) - 1.0)
    return at


# Quantities read from a pair of arms (``vs_arm`` required) as a ratio, not a difference: the
# BMD-mediated hazard ratio, and the trial-level relative risk from the total-hip difference.
_HAZARD_RATIOS = {"fracture_hr_major": "major", "fracture_hr_hip": "hip"}
_TRIAL_RISKS = {"fracture_rr_vertebral_meta": "vertebral", "fracture_rr_hip_meta": "hip"}


def paired_value(target: Target, frame: pd.DataFrame, vs_frame: pd.DataFrame | None,
                 arms: dict) -> float:
    """The target's statistic for one patient: its arm, minus the same statistic of ``vs_arm``
    (the same patient), or for a fracture hazard ratio the ratio of the two arms' cumulative
    hazards from day 0 to ``time`` (:func:`boneaxis.model.fracture.fracture_hazard_ratio`), or
    for a trial-level relative risk the meta-regression's value at the two arms' total-hip
    difference at ``time`` (:func:`boneaxis.model.fracture.trial_relative_risk`)."""
    if target.quantity in _TRIAL_RISKS:
        from ..model.fracture import trial_relative_risk

        return trial_relative_risk(frame, vs_frame, target.time_h / 24.0,
                                   _TRIAL_RISKS[target.quantity])
    if target.quantity in _HAZARD_RATIOS:
        from ..model.fracture import SEX_OF_PHENOTYPE, fracture_hazard_ratio

        patient = arms[target.arm]["patient"]
        return fracture_hazard_ratio(frame, vs_frame, SEX_OF_PHENOTYPE[patient["phenotype"]],
                                     float(patient["age"]), 0.0, target.time_h / 24.0,
                                     kind=_HAZARD_RATIOS[target.quantity])
    v = evaluate(target, frame, arms[target.arm])
    if target.vs_arm is not None:
        v -= evaluate(target, vs_frame, arms[target.vs_arm])
    return float(v)


VIRTUAL_N = 100      # virtual patients per arm in reports and tests
VIRTUAL_SEED = 2026


def simulate_virtual_arms(p: Params, targets, n: int, seed: int) -> dict[str, list[pd.DataFrame]]:
    """``n`` virtual patients per arm (seeded per arm name, independent of which arms run)."""
    from ..population.virtual import YSM_SD_Y, patient_params, virtual_arm

    arms, _ = load()
    out: dict[str, list[pd.DataFrame]] = {}
    for arm, (dur, every) in _arm_settings(targets).items():
        frames = []
        # seeded by the patient definition: arms compared with each other share their patients
        arm_seed = (seed, zlib.crc32(repr(sorted(arms[arm]["patient"].items())).encode()))
        ysm_sd = float(arms[arm].get("years_since_menopause_sd_y", YSM_SD_Y))
        for patient, mult in virtual_arm(arms[arm]["patient"], n, arm_seed, ysm_sd):
            sc = arm_scenario({**arms[arm], "patient": patient}, dur, every)
            prep = prepare(sc, patient_params(p, mult))
            c, res = run_arrays(prep)
            frames.append(to_frame(prep, c, res))
        out[arm] = frames
    return out


def _window(t: Target) -> str:
    """How the statistic reads the time course (blank: the value at ``time``)."""
    if t.stat == "max":
        return f"peak from day {t.since_h / 24.0:.0f}"
    if t.stat == "change_since":
        return f"% change from day {t.since_h / 24.0:.0f}"
    if t.stat == "mean_last_interval":
        return "mean over the last dosing interval"
    return ""


def _summarise(t: Target, frames: list[pd.DataFrame], arm: dict, values: np.ndarray) -> float:
    """The arm's statistic from its patients' frames (``values``: each patient's statistic)."""
    if t.summary == "median":
        return float(np.median(values))
    if t.summary == "ratio_of_means":
        col = RELATIVE_ENDPOINTS[t.quantity]
        level = np.mean([evaluate(replace(t, quantity=col), f, arm) for f in frames])
        base = np.mean([f[col].iloc[0] for f in frames])
        return float(100.0 * (level / base - 1.0))
    return float(np.mean(values))


def results(p: Params | None = None, roles=("calibration", "validation"),
            virtual_n: int | None = VIRTUAL_N, seed: int = VIRTUAL_SEED) -> pd.DataFrame:
    """One row per target: reported value, simulated value, tolerance, pass/fail.

    ``simulated`` is the target's statistic (mean or median) over a virtual arm of ``virtual_n``
    patients; ``typical`` is the single typical patient (the arm's reported baseline).  With
    ``virtual_n=None`` only the typical patient is simulated and used.
    """
    p = p if p is not None else params_mod.params()
    arms, targets = load()
    targets = [t for t in targets if t.role in roles]
    frames = simulate_arms(p, targets)
    vframes = simulate_virtual_arms(p, targets, virtual_n, seed) if virtual_n else None
    rows = []
    def value(t, frame_of):
        return paired_value(t, frame_of(t.arm), frame_of(t.vs_arm) if t.vs_arm else None, arms)

    for t in targets:
        typical = value(t, frames.__getitem__)
        sim = typical
        if vframes is not None:
            values = np.array([value(t, lambda a, i=i: vframes[a][i])
                               for i in range(len(vframes[t.arm]))])
            sim = _summarise(t, vframes[t.arm], arms[t.arm], values)
        rows.append({
            "id": t.id, "role": t.role, "quantity": t.quantity,
            "time_days": t.time_h / 24.0, "window": _window(t), "reported": t.value,
            "simulated": sim,
            "typical": typical, "statistic": f"{t.summary} of {virtual_n}" if vframes else "typical",
            "tolerance": t.tolerance, "error": sim - t.value,
            "passed": abs(sim - t.value) <= t.tolerance, "approx": t.approx,
            "source": t.citation, "note": t.note,
        })
    return pd.DataFrame(rows)


__all__ = ["HOURS_PER_YEAR", "Target", "evaluate", "load", "paired_value", "results",
           "simulate_arms"]
