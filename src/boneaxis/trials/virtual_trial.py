"""Virtual trials: a population, arms given to the same patients, endpoints summarised.

A trial file (YAML; keys are a contract: extended, never renamed)::

    name: my-trial
    citation: "..."                      # optional
    population: {phenotype: man, n: 500, seed: 1, age: [60, 80],
                 labs: {testosterone: [200 ng/dL, 350 ng/dL]}}   # see population/sampling.py
    arms:                                # the first arm is the reference for differences
      placebo: {treatments: []}
      anastrozole: {treatments: [{drug: anastrozole, dose: 1 mg, every: 1 day}]}
    duration: 1 year
    output_every: 1 month                # optional (default 1 month)
    endpoints: [bmd_lumbar_spine_pct_change, estradiol_pg_ml]
    observed:                            # optional published values, each with its source
      - {arm: anastrozole, endpoint: bmd_lumbar_spine_pct_change, time: 1 year, mean: -1.0,
         source: "..."}

Endpoints are output columns of :func:`boneaxis.simulate` (``time_days`` excepted) and the
relative changes ``estradiol_pct_change``, ``testosterone_pct_change``, ``lh_pct_change``.
An observed row gives ``mean`` or ``median`` (the statistic the study reported), optionally
``vs_arm`` (the value is a difference between arms, same patients), ``tolerance`` (pp; default
max(20% of |value|, 1) as for the calibration targets) and ``average_over`` (e.g. ``1 day``: the
per-patient value is averaged over that window ending at ``time``, for trough-to-trough means).

Every patient is simulated in every arm (paired design); only the requested endpoints are kept,
as (patients x output times) arrays per arm.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from .. import units
from ..engine.simulate import (DRUG_COLUMNS, OUTPUT_COLUMNS, RELATIVE_ENDPOINTS, prepare, run_arrays,
                               to_frame)
from ..model import parameters as params_mod
from ..model.parameters import Params
from ..population.sampling import (
    PopulationBlock, PopulationError, PopulationSpec, VirtualPatient, population_spec,
    sample_patient,
)
from ..population.virtual import patient_params
from ..scenario import HOURS_PER_YEAR, Patient, Scenario, ScenarioError, load_scenario, parse_yaml

ENDPOINTS: tuple[str, ...] = tuple(
    [c for c in OUTPUT_COLUMNS if c != "time_days"] + list(DRUG_COLUMNS.values())
    + list(RELATIVE_ENDPOINTS))
DEFAULT_OUTPUT_EVERY = "1 month"
SUMMARY_COLUMNS = ("trial", "arm", "endpoint", "time_days", "n", "mean", "median", "sd",
                   "p2_5", "p97_5")
DIFFERENCE_COLUMNS = ("trial", "arm", "vs_arm", "endpoint", "time_days", "n", "mean_difference",
                      "sd_difference", "ci95_low", "ci95_high", "p2_5", "p97_5")
OBSERVED_COLUMNS = ("trial", "arm", "vs_arm", "endpoint", "time_days", "statistic", "observed",
                    "simulated", "tolerance", "error", "within_tolerance", "source", "note")


class TrialError(ScenarioError):
    """A trial file that is not valid (the message is one line, for the user)."""


# ----------------------------------------------------------------------------- the file
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Arm(_Strict):
    treatments: list[dict]
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _has_treatments(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("an arm is a mapping with a 'treatments' list, e.g. {treatments: []}")
        if "treatments" not in data:
            raise ValueError("missing 'treatments' (write treatments: [] for an untreated arm)")
        if data["treatments"] is None:
            return {**data, "treatments": []}
        if not isinstance(data["treatments"], list):
            raise ValueError("'treatments' must be a list")
        return data


class Observed(_Strict):
    arm: str
    endpoint: str
    time: str
    mean: float | None = None
    median: float | None = None
    vs_arm: str | None = None
    tolerance: float | None = None
    average_over: str | None = None
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _one_statistic(self) -> "Observed":
        if (self.mean is None) == (self.median is None):
            raise ValueError("give exactly one of mean or median")
        if self.tolerance is not None and not (math.isfinite(self.tolerance) and self.tolerance > 0):
            raise ValueError("tolerance must be positive")
        return self

    @property
    def statistic(self) -> str:
        return "mean" if self.mean is not None else "median"

    @property
    def value(self) -> float:
        return float(self.mean if self.mean is not None else self.median)

    @property
    def tol(self) -> float:
        return self.tolerance if self.tolerance is not None else max(0.2 * abs(self.value), 1.0)


class TrialFile(_Strict):
    name: str
    citation: str = ""
    description: str = ""
    population: PopulationBlock
    arms: dict[str, Arm]
    duration: str
    output_every: str = DEFAULT_OUTPUT_EVERY
    endpoints: list[str]
    observed: list[Observed] = []

    @field_validator("arms")
    @classmethod
    def _arms(cls, v: dict) -> dict:
        if not v:
            raise ValueError("at least one arm is needed")
        return v

    @field_validator("endpoints")
    @classmethod
    def _endpoints(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one endpoint is needed")
        for e in v:
            if e not in ENDPOINTS:
                raise ValueError(f"unknown endpoint {e!r}; known: {', '.join(ENDPOINTS)}")
        if len(set(v)) != len(v):
            raise ValueError("endpoints are listed twice")
        return v

    @model_validator(mode="after")
    def _observed(self) -> "TrialFile":
        for k, o in enumerate(self.observed):
            for a in (o.arm, o.vs_arm):
                if a is not None and a not in self.arms:
                    raise ValueError(f"observed[{k}]: unknown arm {a!r}; arms: {', '.join(self.arms)}")
            if o.endpoint not in self.endpoints:
                raise ValueError(f"observed[{k}]: endpoint {o.endpoint!r} is not among the "
                                 f"trial's endpoints")
        return self


@dataclass(frozen=True)
class Trial:
    """A validated trial: population spec, one scenario template per arm, times in hours."""

    name: str
    citation: str
    population: PopulationSpec
    arms: dict[str, Scenario]          # patient is a typical placeholder, replaced per patient
    endpoints: tuple[str, ...]
    duration_h: float
    output_every_h: float
    observed: tuple[dict, ...] = ()
    source: str = ""
    description: str = ""

    def with_(self, n: int | None = None, seed: int | None = None) -> "Trial":
        return dataclasses.replace(self, population=self.population.with_(n=n, seed=seed))


def _one_line(err: ValidationError) -> str:
    msgs = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "missing"
        elif e["type"] == "extra_forbidden":
            msg = "unknown key"
        msgs.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(msgs)


def _read(source: dict | str | Path) -> tuple[dict, str]:
    if isinstance(source, dict):
        return source, "<mapping>"
    path = Path(source)
    if isinstance(source, str) and "\n" in source:
        text, where = source, "<text>"
    else:
        if not path.is_file():
            raise TrialError(f"trial file not found: {path}")
        try:
            text, where = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise TrialError(f"cannot read trial file {path}: {exc}") from None
    data = parse_yaml(text, TrialError)
    if not isinstance(data, dict):
        raise TrialError("a trial file is a mapping with name, population, arms, duration, endpoints")
    return data, where


def load_trial(source: dict | str | Path) -> Trial:
    """Validate a trial (mapping, YAML text or file path); one-line :class:`TrialError` if bad."""
    data, where = _read(source)
    try:
        tf = TrialFile.model_validate(data)
    except ValidationError as err:
        raise TrialError(f"trial {data.get('name', where)!s}: {_one_line(err)}") from None
    name = tf.name
    try:
        spec = population_spec(tf.population)
        duration_h = units.duration_h(tf.duration, "duration")
        every_h = units.duration_h(tf.output_every, "output_every")
        typical = _typical_patient(spec)
        arms = {}
        for arm, a in tf.arms.items():
            try:
                arms[arm] = load_scenario({"patient": typical, "treatments": a.treatments,
                                           "duration": f"{duration_h} h",
                                           "output_every": f"{every_h} h"})
            except ScenarioError as exc:
                raise TrialError(f"arm {arm}: {exc}") from None
        observed = []
        for k, o in enumerate(tf.observed):
            t_h = units.duration_h(o.time, f"observed[{k}].time")
            if not 0.0 <= t_h <= duration_h + 1e-6:
                raise TrialError(f"observed[{k}]: time {o.time} is outside the trial duration "
                                 f"{tf.duration}")
            avg_h = units.duration_h(o.average_over, f"observed[{k}].average_over") \
                if o.average_over is not None else 0.0
            observed.append({"arm": o.arm, "vs_arm": o.vs_arm, "endpoint": o.endpoint,
                             "time_h": t_h, "statistic": o.statistic, "value": o.value,
                             "tolerance": o.tol, "average_over_h": avg_h,
                             "source": o.source, "note": o.note})
    except (PopulationError, units.UnitError, ValueError) as exc:
        msg = str(exc)
        raise TrialError(msg if msg.startswith("trial ") else f"trial {name}: {msg}") from None
    return Trial(name, tf.citation, spec, arms, tuple(tf.endpoints), duration_h, every_h,
                 tuple(observed), where, tf.description)


def _typical_patient(spec: PopulationSpec) -> dict:
    """Patient 0, used to validate the arms' scenarios once."""
    return sample_patient(spec, 0).patient


# ----------------------------------------------------------------------------- built-ins
def builtin_dir():
    return resources.files("boneaxis.trials").joinpath("builtin")


def builtin_names() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in builtin_dir().iterdir()
                  if p.name.endswith(".yaml"))


def builtin_trial(name: str) -> Trial:
    if name not in builtin_names():
        raise TrialError(f"no trial file or built-in trial named {name!r}; built-ins: "
                         f"{', '.join(builtin_names())}")
    text = builtin_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    tr = load_trial(text)
    return dataclasses.replace(tr, source=f"built-in {name}")


def resolve(file_or_name: str | Path) -> Trial:
    """A trial file path, or the name of a built-in trial."""
    p = Path(file_or_name)
    if p.is_file():
        return load_trial(p)
    if isinstance(file_or_name, str) and file_or_name in builtin_names():
        return builtin_trial(file_or_name)
    if p.suffix in (".yaml", ".yml") or p.parent != Path("."):
        raise TrialError(f"trial file not found: {p}")
    return builtin_trial(str(file_or_name))


# ----------------------------------------------------------------------------- running
def _endpoint_values(df: pd.DataFrame, endpoint: str) -> np.ndarray:
    if endpoint in RELATIVE_ENDPOINTS:
        x = df[RELATIVE_ENDPOINTS[endpoint]].to_numpy(float)
        return 100.0 * (x / x[0] - 1.0)
    if endpoint in df.columns:
        return df[endpoint].to_numpy(float)
    return np.zeros(len(df))          # a drug column absent in this arm: the drug is not given


def simulate_patient(trial: Trial, vp: VirtualPatient, p: Params) -> dict[str, dict[str, np.ndarray]]:
    """{arm: {endpoint: values at the output times}} for one virtual patient."""
    patient = Patient.model_validate(vp.patient)
    pp = patient_params(p, vp.multipliers)
    out = {}
    for arm, sc in trial.arms.items():
        prep = prepare(sc.model_copy(update={"patient": patient}), pp)
        u, res = run_arrays(prep, vp.pk)
        df = to_frame(prep, u, res)
        out[arm] = {e: _endpoint_values(df, e) for e in trial.endpoints}
    return out


@dataclass
class TrialResult:
    trial: Trial
    times_days: np.ndarray
    values: dict[str, dict[str, np.ndarray]]      # arm -> endpoint -> (n, n_times)
    summary: pd.DataFrame
    differences: pd.DataFrame
    observed: pd.DataFrame
    seconds: float
    patients: list[VirtualPatient] = field(default_factory=list, repr=False)

    @property
    def n(self) -> int:
        return self.trial.population.n

    def write(self, directory: str | Path) -> list[Path]:
        d = Path(directory)
        if d.exists() and not d.is_dir():
            raise TrialError(f"cannot write results into {d}: it is not a directory")
        d.mkdir(parents=True, exist_ok=True)
        written = []
        for name, df in (("summary", self.summary), ("differences", self.differences)):
            df.to_csv(d / f"{name}.csv", index=False)
            df.to_parquet(d / f"{name}.parquet", index=False)
            written += [d / f"{name}.csv", d / f"{name}.parquet"]
        if len(self.observed):
            self.observed.to_csv(d / "observed.csv", index=False)
            written.append(d / "observed.csv")
        return written


def _summary_rows(trial: Trial, arm: str, endpoint: str, x: np.ndarray, t: np.ndarray) -> pd.DataFrame:
    n = x.shape[0]
    q = np.percentile(x, [2.5, 50.0, 97.5], axis=0)
    return pd.DataFrame({
        "trial": trial.name, "arm": arm, "endpoint": endpoint, "time_days": t, "n": n,
        "mean": x.mean(axis=0), "median": q[1],
        "sd": x.std(axis=0, ddof=1) if n > 1 else np.full(t.shape, np.nan),
        "p2_5": q[0], "p97_5": q[2],
    })


def _difference_rows(trial: Trial, arm: str, ref: str, endpoint: str, d: np.ndarray,
                     t: np.ndarray) -> pd.DataFrame:
    n = d.shape[0]
    mean = d.mean(axis=0)
    sd = d.std(axis=0, ddof=1) if n > 1 else np.full(t.shape, np.nan)
    half = 1.959963984540054 * sd / math.sqrt(n)
    q = np.percentile(d, [2.5, 97.5], axis=0)
    return pd.DataFrame({
        "trial": trial.name, "arm": arm, "vs_arm": ref, "endpoint": endpoint, "time_days": t,
        "n": n, "mean_difference": mean, "sd_difference": sd, "ci95_low": mean - half,
        "ci95_high": mean + half, "p2_5": q[0], "p97_5": q[1],
    })


def _at_time(x: np.ndarray, t_h: np.ndarray, time_h: float, average_h: float) -> np.ndarray:
    """Per-patient value at ``time_h`` (linear between outputs) or averaged over the window."""
    if average_h > 0.0:
        sel = (t_h > time_h - average_h + 1e-6) & (t_h <= time_h + 1e-6)
        if sel.any():
            return x[:, sel].mean(axis=1)
    j = int(np.searchsorted(t_h, time_h - 1e-6))
    if j < len(t_h) and abs(t_h[j] - time_h) < 1e-6:
        return x[:, j]
    j = min(max(j, 1), len(t_h) - 1)
    w = (time_h - t_h[j - 1]) / (t_h[j] - t_h[j - 1])
    return (1.0 - w) * x[:, j - 1] + w * x[:, j]


def compare_observed(trial: Trial, values, times_days: np.ndarray) -> pd.DataFrame:
    t_h = times_days * 24.0
    rows = []
    for o in trial.observed:
        v = _at_time(values[o["arm"]][o["endpoint"]], t_h, o["time_h"], o["average_over_h"])
        if o["vs_arm"] is not None:
            v = v - _at_time(values[o["vs_arm"]][o["endpoint"]], t_h, o["time_h"],
                             o["average_over_h"])
        sim = float(np.median(v) if o["statistic"] == "median" else np.mean(v))
        rows.append({
            "trial": trial.name, "arm": o["arm"], "vs_arm": o["vs_arm"] or "",
            "endpoint": o["endpoint"], "time_days": o["time_h"] / 24.0,
            "statistic": o["statistic"], "observed": o["value"], "simulated": sim,
            "tolerance": o["tolerance"], "error": sim - o["value"],
            "within_tolerance": abs(sim - o["value"]) <= o["tolerance"],
            "source": o["source"], "note": o["note"],
        })
    return pd.DataFrame(rows, columns=list(OBSERVED_COLUMNS))


def run_trial(trial: Trial | dict | str | Path, n: int | None = None, seed: int | None = None,
              params: Params | None = None, progress=None, keep_patients: bool = False) -> TrialResult:
    """Simulate every patient in every arm; summaries, paired differences, observed check.

    ``progress(done, n)`` is called after each patient when given.
    """
    tr = trial if isinstance(trial, Trial) else resolve(trial) if isinstance(trial, (str, Path)) \
        else load_trial(trial)
    if n is not None or seed is not None:
        try:
            tr = tr.with_(n=n, seed=seed)
        except PopulationError as exc:
            raise TrialError(str(exc)) from None
    p = params if params is not None else params_mod.params()
    spec = tr.population
    t0 = time.perf_counter()
    first = next(iter(tr.arms.values()))
    n_out = int(math.floor(first.duration_h / first.output_every_h + 1e-9)) + 1
    values = {a: {e: np.empty((spec.n, n_out)) for e in tr.endpoints} for a in tr.arms}
    times_days = None
    kept = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # dose warnings were shown when the file was loaded
        for i in range(spec.n):
            vp = sample_patient(spec, i)
            if keep_patients:
                kept.append(vp)
            res = simulate_patient(tr, vp, p)
            for a, by_e in res.items():
                for e, v in by_e.items():
                    values[a][e][i] = v
            if progress is not None:
                progress(i + 1, spec.n)
    times_days = np.arange(n_out) * first.output_every_h / 24.0
    arms = list(tr.arms)
    ref = arms[0]
    summary = pd.concat([_summary_rows(tr, a, e, values[a][e], times_days)
                         for a in arms for e in tr.endpoints], ignore_index=True)
    diffs = [_difference_rows(tr, a, ref, e, values[a][e] - values[ref][e], times_days)
             for a in arms[1:] for e in tr.endpoints]
    differences = (pd.concat(diffs, ignore_index=True) if diffs
                   else pd.DataFrame(columns=list(DIFFERENCE_COLUMNS)))
    observed = compare_observed(tr, values, times_days)
    return TrialResult(tr, times_days, values, summary, differences, observed,
                       time.perf_counter() - t0, kept)


# ----------------------------------------------------------------------------- text
def _g(v: float) -> str:
    if not math.isfinite(v):
        return "nan"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def report_times(result: TrialResult) -> list[float]:
    """Output times shown in the printed table: each whole year, the end and observed times."""
    t = result.times_days
    end = float(t[-1])
    show = {end}
    year = HOURS_PER_YEAR / 24.0
    show.update(float(t[np.argmin(abs(t - k * year))]) for k in range(1, int(end / year + 1e-9) + 1))
    for o in result.trial.observed:
        show.add(float(t[np.argmin(abs(t - o["time_h"] / 24.0))]))
    return sorted(show)


def text_table(result: TrialResult) -> str:
    tr = result.trial
    lines = [f"trial {tr.name}: {result.n} virtual patients x {len(tr.arms)} arms "
             f"({result.seconds:.1f} s)" + (f"; {tr.citation}" if tr.citation else "")]
    times = report_times(result)
    s = result.summary[result.summary["time_days"].isin(times)]
    w_arm = max(3, *(len(a) for a in tr.arms))
    w_e = max(8, *(len(e) for e in tr.endpoints))
    head = f"{'arm':<{w_arm}}  {'endpoint':<{w_e}}  {'day':>7}  {'mean':>8}  {'2.5-97.5%':>19}"
    lines += ["", head]
    for r in s.itertuples(index=False):
        lines.append(f"{r.arm:<{w_arm}}  {r.endpoint:<{w_e}}  {r.time_days:>7.0f}  "
                     f"{_g(r.mean):>8}  {_g(r.p2_5) + ' to ' + _g(r.p97_5):>19}")
    if len(result.differences):
        d = result.differences
        d = d[d["time_days"] == times[-1]]
        lines += ["", f"differences vs {list(tr.arms)[0]} at day {times[-1]:.0f} "
                      "(paired; 95% CI of the mean)",
                  f"{'arm':<{w_arm}}  {'endpoint':<{w_e}}  {'mean diff':>9}  {'95% CI':>19}"]
        for r in d.itertuples(index=False):
            lines.append(f"{r.arm:<{w_arm}}  {r.endpoint:<{w_e}}  {_g(r.mean_difference):>9}  "
                         f"{_g(r.ci95_low) + ' to ' + _g(r.ci95_high):>19}")
    if len(result.observed):
        ok = int(result.observed["within_tolerance"].sum())
        lines += ["", f"observed vs simulated ({ok} of {len(result.observed)} within tolerance)"]
        for r in result.observed.itertuples(index=False):
            arm = r.arm + (f" - {r.vs_arm}" if r.vs_arm else "")
            lines.append(f"{arm:<{w_arm}}  {r.endpoint:<{w_e}}  day {r.time_days:>5.0f}  "
                         f"{r.statistic} {_g(r.observed):>7} vs {_g(r.simulated):>7} "
                         f"(+/-{_g(r.tolerance)}) {'ok' if r.within_tolerance else 'MISS'}")
    return "\n".join(lines)


__all__ = ["ENDPOINTS", "Trial", "TrialError", "TrialResult", "builtin_names", "builtin_trial",
           "load_trial", "resolve", "run_trial", "text_table"]
