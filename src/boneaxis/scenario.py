"""Scenario = patient + treatments + run settings, parsed and validated.

The YAML/JSON keys are a public contract (users' scripts rely on them): extend, never rename::

    patient:
      phenotype: man              # man | postmenopausal_woman | ovariectomized_transman
      age: 67                     # years
      years_since_menopause: 12   # women only
      labs: {testosterone: 319 ng/dL, estradiol: 15 pg/mL, lh: 5 IU/L}   # each optional
      bmd: {lumbar_spine: 1.12 g/cm2, total_hip: 0.95 g/cm2}             # optional
    treatments:
      - {drug: anastrozole, dose: 1 mg, every: 1 day, start: 0 days, duration: 1 year}
      - {drug: testosterone_cypionate, dose: 100 mg, every: 1 week}      # no duration = whole run
    duration: 1 year
    output_every: 1 day

Treatments also take ``stop`` (instead of ``duration``), ``missed`` (1-based numbers of doses not
taken) and ``route`` (checked against the drug's route).  ``every`` takes a time or a word such
as ``twice weekly`` (every 3.5 days) or ``daily``.  A negative ``start`` means the treatment was
already running before day 0 (e.g. established TRT): the run begins then and outputs start at 0.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import units
from .model.phenotypes import check_phenotype
from .model.pk import BISPHOSPHONATES, DRUGS
from .model.system import HOURS_PER_YEAR

AROMATASE_INHIBITORS = ("anastrozole", "letrozole", "exemestane")

MAX_DURATION_Y = 30.0

# Plausible human ranges; values outside are rejected as impossible (not merely unusual).
LAB_LIMITS = {
    "testosterone_ng_dl": (1.0, 3000.0),
    "estradiol_pg_ml": (0.1, 1000.0),
    "lh_iu_l": (0.01, 200.0),
    "shbg_nmol_l": (1.0, 300.0),
}
BMD_LIMITS_G_CM2 = (0.2, 2.0)
_LAB_DISPLAY = {"testosterone_ng_dl": ("testosterone", "ng/dL"),
                "estradiol_pg_ml": ("estradiol", "pg/mL"), "lh_iu_l": ("lh", "IU/L"),
                "shbg_nmol_l": ("shbg", "nmol/L")}


class ScenarioError(ValueError):
    """Input that does not describe a valid scenario (message is meant for the user)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labs(_Strict):
    testosterone_ng_dl: float | None = None
    estradiol_pg_ml: float | None = None
    lh_iu_l: float | None = None
    shbg_nmol_l: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("labs must be a mapping, e.g. {estradiol: 15 pg/mL}")
        parsers = {
            "testosterone": ("testosterone_ng_dl",
                             lambda v: units.hormone_conc(v, "testosterone", "ng/dL")),
            "estradiol": ("estradiol_pg_ml", lambda v: units.hormone_conc(v, "estradiol", "pg/mL")),
            "lh": ("lh_iu_l", units.lh_iu_l),
            "shbg": ("shbg_nmol_l", units.shbg_nmol_l),
        }
        out = {}
        for key, val in data.items():
            if val is None:
                continue
            if key in parsers:                      # text with a unit: "15 pmol/L"
                field, parse = parsers[key]
                out[field] = parse(val)
            elif key in cls.model_fields:           # numbers already in model units
                out[key] = val
            else:
                raise ValueError(f"unknown lab {key!r}; known: testosterone, estradiol, lh, shbg")
        return out

    @model_validator(mode="after")
    def _plausible(self) -> "Labs":
        for name, (lo, hi) in LAB_LIMITS.items():
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and lo <= v <= hi):
                shown, unit = _LAB_DISPLAY[name]
                raise ValueError(f"{shown} {v:g} {unit} is outside the possible range {lo:g}-{hi:g}")
        return self


_SITES = ("lumbar_spine", "total_hip", "femoral_neck")


class BMD(_Strict):
    lumbar_spine: float | None = None
    total_hip: float | None = None
    femoral_neck: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("bmd must be a mapping, e.g. {lumbar_spine: 1.0 g/cm2}")
        out = {}
        for key, val in data.items():
            if key not in _SITES:
                raise ValueError(f"unknown BMD site {key!r}; known: {', '.join(_SITES)}")
            if val is None:
                continue
            v = val if isinstance(val, float) and not isinstance(val, bool) else units.bmd_g_cm2(val, key)
            lo, hi = BMD_LIMITS_G_CM2
            if not (math.isfinite(v) and lo <= v <= hi):
                raise ValueError(f"bmd {key} {v:g} g/cm2 is outside the possible range {lo}-{hi}")
            out[key] = v
        return out


class PhenotypeBlock(_Strict):
    """A strict input block whose ``phenotype`` must be a known one (patients, populations)."""

    @field_validator("phenotype", check_fields=False)
    @classmethod
    def _known(cls, v: str) -> str:
        return check_phenotype(v)


class Patient(PhenotypeBlock):
    phenotype: str
    age: float = Field(description="years")
    years_since_menopause: float | None = None
    labs: Labs = Labs()
    bmd: BMD = BMD()

    @field_validator("age", "years_since_menopause", mode="before")
    @classmethod
    def _years(cls, v: Any) -> Any:
        if v is None or isinstance(v, bool):
            return None if v is None else float("nan")
        if isinstance(v, str):
            return units.duration_h(v, "age") / HOURS_PER_YEAR
        return v

    @model_validator(mode="after")
    def _check(self) -> "Patient":
        if not (math.isfinite(self.age) and 18 <= self.age <= 100):
            raise ValueError(f"age {self.age:g} years is outside the modelled range 18-100")
        ysm = self.years_since_menopause
        if ysm is not None:
            if self.phenotype != "postmenopausal_woman":
                raise ValueError("years_since_menopause applies to postmenopausal_woman only")
            if not (math.isfinite(ysm) and 0 <= ysm <= self.age - 30):
                raise ValueError(f"years_since_menopause {ysm:g} is impossible at age {self.age:g}")
        return self


class Treatment(_Strict):
    drug: str
    dose_mg: float
    every_h: float
    start_h: float = 0.0
    stop_h: float | None = None     # exclusive end of dosing (absolute time); None = whole run
    missed: tuple[int, ...] = ()    # 1-based dose numbers not taken
    route: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("each treatment must be a mapping with at least drug and dose")
        d = dict(data)
        drug = d.get("drug")
        if not isinstance(drug, str) or drug not in DRUGS:
            raise ValueError(f"unknown drug {drug!r}; known: {', '.join(sorted(DRUGS))}")
        info = DRUGS[drug]
        out: dict[str, Any] = {"drug": drug}
        if "dose" in d:
            out["dose_mg"] = units.mass_mg(d.pop("dose"), f"{drug} dose")
        elif "dose_mg" in d:
            out["dose_mg"] = d.pop("dose_mg")
        else:
            raise ValueError(f"{drug}: missing dose (e.g. dose: 1 mg)")
        every = d.pop("every", None)
        if every is None and "every_h" in d:
            out["every_h"] = d.pop("every_h")
        else:
            every = every if every is not None else info.default_regimen.split(" every ", 1)[1]
            out["every_h"] = units.duration_h(every, f"{drug} every")
        start = d.pop("start", None)
        out["start_h"] = units.duration_h(start, f"{drug} start") if start is not None else d.pop("start_h", 0.0)
        dur, stop = d.pop("duration", None), d.pop("stop", None)
        if dur is not None and stop is not None:
            raise ValueError(f"{drug}: give duration or stop, not both")
        if dur is not None:
            out["stop_h"] = out["start_h"] + units.duration_h(dur, f"{drug} duration")
        elif stop is not None:
            out["stop_h"] = units.duration_h(stop, f"{drug} stop")
        elif "stop_h" in d:
            out["stop_h"] = d.pop("stop_h")
        missed = d.pop("missed", ())
        if missed is None:
            missed = ()
        if not isinstance(missed, (list, tuple)):
            missed = (missed,)
        for k in missed:   # whole dose numbers only: not 2.5, not true, not "three"
            if isinstance(k, bool) or not (isinstance(k, int) or
                                           (isinstance(k, str) and k.strip().isdigit())):
                raise ValueError(f"{drug}: missed doses are 1-based dose numbers, "
                                 f"e.g. missed: [3, 4]; got {k!r}")
        out["missed"] = tuple(int(k) for k in missed)
        route = d.pop("route", None)
        if route is not None and route != info.route:
            raise ValueError(f"{drug}: unknown route {route!r} (this drug is {info.route})")
        out["route"] = route
        d.pop("drug", None)
        if d:
            raise ValueError(f"{drug}: unknown treatment keys {sorted(d)}")
        return out

    @model_validator(mode="after")
    def _check(self) -> "Treatment":
        info = DRUGS[self.drug]
        if not math.isfinite(self.dose_mg) or self.dose_mg <= 0:
            raise ValueError(f"{self.drug}: dose must be positive, got {self.dose_mg:g} mg")
        if not math.isfinite(self.every_h) or self.every_h < 1.0:
            raise ValueError(f"{self.drug}: dosing interval must be at least 1 hour, got "
                             f"{self.every_h:g} h")
        if not math.isfinite(self.start_h):
            raise ValueError(f"{self.drug}: start must be finite")
        if self.stop_h is not None and not (math.isfinite(self.stop_h) and self.stop_h >= self.start_h):
            raise ValueError(f"{self.drug}: stop/duration must not end before the start")
        if any((not isinstance(k, int)) or k < 1 for k in self.missed):
            raise ValueError(f"{self.drug}: missed doses are 1-based dose numbers, e.g. missed: [3, 4]")
        lo, hi = info.typical_dose_mg
        if not lo <= self.dose_mg <= hi:
            warnings.warn(f"{self.drug}: {self.dose_mg:g} mg is outside the usual {lo:g}-{hi:g} mg",
                          stacklevel=2)
        lo_h, hi_h = info.typical_interval_h
        if not lo_h <= self.every_h <= hi_h:
            warnings.warn(f"{self.drug}: every {self.every_h / 24:g} days is a non-standard regimen "
                          f"(usual: {info.default_regimen})", stacklevel=2)
        return self

    def dose_times_h(self, run_end_h: float) -> np.ndarray:
        """Times (h) of the doses actually taken: ``start + k*every`` before ``stop`` (exclusive)
        and no later than the end of the run, less the missed ones."""
        k_last = math.floor((run_end_h - self.start_h) / self.every_h + 1e-9)
        if self.stop_h is not None:
            k_last = min(k_last, math.ceil((self.stop_h - self.start_h) / self.every_h - 1e-9) - 1)
        times = self.start_h + self.every_h * np.arange(max(k_last + 1, 0), dtype=float)
        if self.missed:
            keep = np.ones(times.shape[0], dtype=bool)
            keep[[k - 1 for k in self.missed if k <= times.shape[0]]] = False
            times = times[keep]
        return times


class Scenario(_Strict):
    patient: Patient
    treatments: tuple[Treatment, ...] = ()
    duration_h: float = HOURS_PER_YEAR
    output_every_h: float = 24.0
    # integrator step (h); 3 h keeps every drug within 0.002 pp BMD and 0.3% hormones of the
    # reference (at 6 h exemestane's fast enzyme kinetics costs 2% in LH; docs/benchmarks.md)
    step_h: float = 3.0
    # step (h) away from treatment changes (for 28 days after any start or stop, step_h is used);
    # never below step_h; None: chosen per drug and regimen (engine.simulate.coarse_step_h);
    # set it to step_h for a uniform grid
    coarse_step_h: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a scenario must be a mapping with at least 'patient'")
        d = dict(data)
        if "patient" not in d:
            raise ValueError("scenario: missing 'patient'")
        if "duration" in d:
            d["duration_h"] = units.duration_h(d.pop("duration"), "duration")
        if "output_every" in d:
            d["output_every_h"] = units.duration_h(d.pop("output_every"), "output_every")
        tr = d.get("treatments") or ()
        if not isinstance(tr, (list, tuple)):
            raise ValueError("treatments must be a list")
        d["treatments"] = tuple(tr)
        return d

    @model_validator(mode="after")
    def _check(self) -> "Scenario":
        if not (math.isfinite(self.duration_h) and 0 < self.duration_h <= MAX_DURATION_Y * HOURS_PER_YEAR):
            raise ValueError(f"duration must be between 1 hour and {MAX_DURATION_Y:g} years, got "
                             f"{self.duration_h / HOURS_PER_YEAR:.3g} years")
        if not (math.isfinite(self.output_every_h) and 1.0 <= self.output_every_h <= self.duration_h):
            raise ValueError("output_every must be at least 1 hour and at most the duration")
        if not (0.05 <= self.step_h <= 24.0):
            raise ValueError("step_h must be between 0.05 and 24 hours")
        if self.coarse_step_h is not None and not (0.05 <= self.coarse_step_h <= 24.0):
            raise ValueError("coarse_step_h must be between 0.05 and 24 hours")
        for t in self.treatments:
            if t.start_h < -MAX_DURATION_Y * HOURS_PER_YEAR:
                raise ValueError(f"{t.drug}: start is more than {MAX_DURATION_Y:g} years before day 0")
            if t.missed:
                # a missed dose that is never scheduled is a typo, not a no-op
                n = t.model_copy(update={"missed": ()}).dose_times_h(self.duration_h).size
                beyond = sorted(k for k in set(t.missed) if k > n)
                if beyond:
                    raise ValueError(f"{t.drug}: missed dose {beyond[0]} is beyond the {n} doses "
                                     f"scheduled in this run")
        # Outside the calibrated domain, said once per scenario: the bisphosphonate effect is
        # fitted on women taking an AI and under-predicts the gain without one
        # (docs/validation.md; tests/test_calibration.py KNOWN_MISSES)
        drugs = {t.drug for t in self.treatments}
        bisphosphonates = sorted(drugs & BISPHOSPHONATES)
        if bisphosphonates and not drugs & set(AROMATASE_INHIBITORS):
            warnings.warn(f"{', '.join(bisphosphonates)} without an aromatase inhibitor: the "
                          "bisphosphonate effect is calibrated on women taking one (Z-FAST, SABRE, "
                          "ARIBON); without one the model's BMD gain is 25-50% below the trials' "
                          "(docs/validation.md rows alendronate_weekly_* and grey2017_*), so read "
                          "it as a floor", stacklevel=2)
        return self

    @property
    def start_h(self) -> float:
        """First simulated time: 0, or earlier when a treatment started before day 0."""
        return min([0.0] + [t.start_h for t in self.treatments])

    def with_treatments(self, treatments) -> "Scenario":
        return self.model_copy(update={"treatments": tuple(treatments)})


def _one_line(err: ValidationError) -> str:
    msgs = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if x not in ("__root__",))
        msg = e["msg"].removeprefix("Value error, ")
        msgs.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(msgs)


def parse_yaml(text: str, error: type[Exception]) -> Any:
    """``yaml.safe_load`` with a one-line ``error`` (line number included) for malformed YAML."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise error(f"malformed YAML{where}: {getattr(exc, 'problem', exc)}") from None


def load_scenario(source: dict | str | Path) -> Scenario:
    """A :class:`Scenario` from a mapping, a YAML/JSON string, or a file path.

    Raises :class:`ScenarioError` with a one-line message for anything invalid.
    """
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and source.endswith((".yaml", ".yml", ".json"))):
        path = Path(source)
        if not path.is_file():
            raise ScenarioError(f"scenario file not found: {path}")
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ScenarioError(f"scenario file {path} is not UTF-8 text") from None
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror or exc}") from None
    if isinstance(source, str):
        source = parse_yaml(source, ScenarioError)
    if isinstance(source, Scenario):
        return source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return Scenario.model_validate(source)
    except ValidationError as err:
        raise ScenarioError(_one_line(err)) from None
    except units.UnitError as err:
        raise ScenarioError(str(err)) from None
