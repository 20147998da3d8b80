"""Sample a virtual population from a trial's ``population`` block, with inclusion criteria.

::

    population:
      phenotype: man                  # man | postmenopausal_woman | premenopausal_woman | ...
      n: 500
      seed: 1
      age: [60, 80]                   # a number (typical value) or [lo, hi] (inclusion range)
      years_since_menopause: [5, 15]  # postmenopausal_woman only
      labs: {testosterone: [200 ng/dL, 350 ng/dL], estradiol: 15 pg/mL, shbg: 45 nmol/L}
      bmd: {lumbar_spine: 1.12 g/cm2}
      t_score: [-2.5, -1.0]           # femoral neck; or {femoral_neck: [..], lumbar_spine: [..]}

A single value is the centre of the between-patient distribution (as in :mod:`.virtual`); a range
``[lo, hi]`` (either end may be ``null``) is an inclusion criterion.  For labs and BMD the
candidates come from the *population* distribution (the phenotype's default at the patient's age,
log-normal with the :data:`~.virtual.VARIABILITY` CV) restricted to the range: this is what
screening does (Burnett-Bowie 2009 enrolled men with T < 350 ng/dL; their mean was 319, near the
upper end, not the midpoint).  Age and years-since-menopause ranges, for which the model has no
population distribution, use a normal centred on the range midpoint (SD as in :mod:`.virtual`).

Restricting to the range is exact rejection sampling done by inverse-CDF: each variable's
truncated distribution is sampled directly from one uniform number, so no attempts are wasted
and there is no attempt limit that could fail by chance.  Criteria that nobody can meet (a range
outside the possible values, or holding less than 1 in 10^9 of the population) are an error.

Reproducibility independent of how the work is split: patient ``i`` is computed only from
``numpy.random.default_rng([seed, i])`` (a fixed number of uniforms, consumed in a fixed order)
and element-wise array arithmetic (scipy.special ``ndtr``/``ndtri`` for the normal CDF and its
inverse), so it is bit-identical whichever chunk computes it; a chunk is drawn as arrays.

Per-patient parameters: the bone-sensitivity multipliers of :mod:`.virtual` (E2->bone EC50, RANKL
gain, remodeling rate) and an anastrozole clearance multiplier (:data:`PK_VARIABILITY`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri
from pydantic import ValidationError, field_validator

from .. import units
from ..model.fracture import SEX_OF_PHENOTYPE, bmd_from_t_score
from ..model.phenotypes import (
    MENOPAUSE_AGE_Y, SITES, default_bmd_g_cm2, default_estradiol_pg_ml,
    default_lh_iu_l, default_shbg_nmol_l, default_testosterone_ng_dl,
)
from ..scenario import BMD_LIMITS_G_CM2, HOURS_PER_YEAR, LAB_LIMITS, PhenotypeBlock, ScenarioError
from .virtual import AGE_SD_Y, VARIABILITY, YSM_SD_Y, Variability

MAX_N = 1_000_000
MIN_MASS = 1e-9          # criteria holding less than this share of the population are refused
AGE_LIMITS_Y = (18.0, 100.0)
MULTIPLIERS = ("bone_e2_ec50_pg_ml", "oc_estrogen_gain", "turnover")

# Between-patient variability of drug clearance (log-normal multiplier on CL/F, V/F unchanged).
PK_VARIABILITY: dict[str, Variability] = {
    "anastrozole": Variability(0.30, "assumption: CV of apparent clearance CL/F ~30% "
                                     "(typical of oral small-molecule population PK)"),
}

# Fixed layout of each patient's uniforms (never reorder; append new draws at the end).
_U_AGE, _U_YSM, _U_T, _U_E2, _U_LH = 0, 1, 2, 3, 4
_U_BMD = {s: 5 + k for k, s in enumerate(SITES)}              # 5, 6, 7
_U_MULT = {m: 8 + k for k, m in enumerate(MULTIPLIERS)}       # 8, 9, 10
_U_PK = {d: 11 + k for k, d in enumerate(PK_VARIABILITY)}     # 11
_U_SHBG = 12
N_UNIFORMS = 16

_LAB_KEYS = {"testosterone": "testosterone_ng_dl", "estradiol": "estradiol_pg_ml", "lh": "lh_iu_l",
             "shbg": "shbg_nmol_l"}
_LAB_UNITS = {"testosterone_ng_dl": "ng/dL", "estradiol_pg_ml": "pg/mL", "lh_iu_l": "IU/L",
              "shbg_nmol_l": "nmol/L"}
_LAB_DEFAULTS = {"testosterone_ng_dl": default_testosterone_ng_dl,
                 "estradiol_pg_ml": default_estradiol_pg_ml, "lh_iu_l": default_lh_iu_l,
                 "shbg_nmol_l": default_shbg_nmol_l}
_LAB_PARSERS = {"lh": units.lh_iu_l, "shbg": units.shbg_nmol_l}


class PopulationError(ScenarioError):
    """A population block that cannot be sampled (message is one line, for the user)."""


# ----------------------------------------------------------------------------- the block
Range = tuple[float, float]


@dataclass(frozen=True)
class Quantity:
    """A typical value (centre of the distribution), an inclusion range, or neither."""

    centre: float | None = None
    range: Range | None = None


@dataclass(frozen=True)
class PopulationSpec:
    phenotype: str
    n: int
    seed: int
    age: Quantity
    years_since_menopause: Quantity
    labs: dict[str, Quantity] = field(default_factory=dict)
    bmd: dict[str, Quantity] = field(default_factory=dict)
    t_score: dict[str, Range] = field(default_factory=dict)

    def with_(self, n: int | None = None, seed: int | None = None) -> "PopulationSpec":
        from dataclasses import replace
        spec = replace(self, n=self.n if n is None else int(n),
                       seed=self.seed if seed is None else int(seed))
        _check_n(spec.n)
        _check_seed(spec.seed)
        return spec


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_N:
        raise PopulationError(f"population n must be a whole number from 1 to {MAX_N:,}, got {n!r}")


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PopulationError(f"population seed must be a whole number >= 0, got {seed!r}")


def _is_range(v: Any) -> bool:
    return isinstance(v, (list, tuple))


def _parse_range(v: Any, parse, what: str) -> Range:
    if len(v) != 2:
        raise ValueError(f"{what}: a range is [lo, hi], got {list(v)!r}")
    lo = -math.inf if v[0] is None else parse(v[0])
    hi = math.inf if v[1] is None else parse(v[1])
    if not lo < hi:
        raise ValueError(f"{what}: the range [{v[0]}, {v[1]}] is empty (lo must be below hi)")
    return lo, hi


def _parse_years(v: Any, what: str) -> float:
    if isinstance(v, bool) or v is None:
        raise ValueError(f"{what}: expected a number of years, got {v!r}")
    if isinstance(v, (int, float)):
        if not math.isfinite(v):
            raise ValueError(f"{what}: {v!r} is not a finite number")
        return float(v)
    return units.duration_h(v, what) / HOURS_PER_YEAR


def _quantity(v: Any, parse, what: str) -> Quantity:
    if v is None:
        return Quantity()
    if _is_range(v):
        return Quantity(range=_parse_range(v, parse, what))
    return Quantity(centre=parse(v))


def _parse_t(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"t_score: expected a number (SDs), got {v!r}")
    return float(v)


class PopulationBlock(PhenotypeBlock):
    """The ``population`` block as written (validated; see :func:`population_spec`)."""

    phenotype: str
    n: int = 100
    seed: int = 0
    age: Any = None
    years_since_menopause: Any = None
    labs: dict[str, Any] = {}
    bmd: dict[str, Any] = {}
    t_score: Any = None

    @field_validator("n", "seed", mode="before")
    @classmethod
    def _whole(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"must be a whole number, got {v!r}")
        return v

    @field_validator("n")
    @classmethod
    def _n(cls, v: int) -> int:
        if not 1 <= v <= MAX_N:
            raise ValueError(f"n must be from 1 to {MAX_N:,}, got {v}")
        return v

    @field_validator("seed")
    @classmethod
    def _seed(cls, v: int) -> int:
        if v < 0:
            raise ValueError(f"seed must be >= 0, got {v}")
        return v

    def spec(self) -> PopulationSpec:
        ph = self.phenotype
        age = _quantity(self.age, lambda x: _parse_years(x, "age"), "age")
        ysm = _quantity(self.years_since_menopause,
                        lambda x: _parse_years(x, "years_since_menopause"), "years_since_menopause")
        if ysm != Quantity() and ph != "postmenopausal_woman":
            raise ValueError("years_since_menopause applies to postmenopausal_woman only")
        labs = {}
        for key, v in self.labs.items():
            if key not in _LAB_KEYS:
                raise ValueError(f"unknown lab {key!r}; known: {', '.join(_LAB_KEYS)}")
            name = _LAB_KEYS[key]
            parse = _LAB_PARSERS.get(
                key, lambda x, k=key: units.hormone_conc(x, k, _LAB_UNITS[_LAB_KEYS[k]]))
            labs[name] = _quantity(v, parse, key)
        bmd = {}
        for site, v in self.bmd.items():
            if site not in SITES:
                raise ValueError(f"unknown BMD site {site!r}; known: {', '.join(SITES)}")
            bmd[site] = _quantity(v, lambda x, s=site: units.bmd_g_cm2(x, s), f"bmd {site}")
        t_score: dict[str, Range] = {}
        if self.t_score is not None:
            raw = self.t_score if isinstance(self.t_score, dict) else {"femoral_neck": self.t_score}
            for site, v in raw.items():
                if site not in SITES:
                    raise ValueError(f"t_score: unknown site {site!r}; known: {', '.join(SITES)}")
                if not _is_range(v):
                    raise ValueError(f"t_score {site}: an inclusion range [lo, hi] is expected, "
                                     f"got {v!r}")
                t_score[site] = _parse_range(v, _parse_t, f"t_score {site}")
        spec = PopulationSpec(ph, self.n, self.seed, age, ysm, labs, bmd, t_score)
        _feasible(spec)
        return spec


def population_spec(block: dict | PopulationBlock | PopulationSpec) -> PopulationSpec:
    """Validate a ``population`` mapping; raises :class:`PopulationError` (one line)."""
    if isinstance(block, PopulationSpec):
        return block
    try:
        b = block if isinstance(block, PopulationBlock) else PopulationBlock.model_validate(block)
        return b.spec()
    except ValidationError as err:
        msgs = []
        for e in err.errors():
            loc = ".".join(str(x) for x in e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            msgs.append(f"population.{loc}: {msg}" if loc else f"population: {msg}")
        raise PopulationError("; ".join(msgs)) from None
    except (ValueError, units.UnitError) as err:
        if isinstance(err, PopulationError):
            raise
        raise PopulationError(f"population: {err}") from None


# ----------------------------------------------------------------------------- bounds
def _intersect(r: Range | None, lo: float, hi: float) -> Range:
    return (lo, hi) if r is None else (max(r[0], lo), min(r[1], hi))


def _fmt_range(r: Range, unit: str = "") -> str:
    lo = "-inf" if r[0] == -math.inf else f"{r[0]:g}"
    hi = "inf" if r[1] == math.inf else f"{r[1]:g}"
    return f"[{lo}, {hi}]" + (f" {unit}" if unit else "")


def _age_bounds(spec: PopulationSpec) -> Range:
    lo, hi = _intersect(spec.age.range, *AGE_LIMITS_Y)
    ysm = spec.years_since_menopause
    ysm_lo = ysm.range[0] if ysm.range is not None else None
    if ysm_lo is not None and ysm_lo > 0:
        lo = max(lo, 30.0 + ysm_lo)   # the model allows years_since_menopause <= age - 30
    return lo, hi


def _bmd_bounds(spec: PopulationSpec, site: str) -> Range:
    lo, hi = _intersect(spec.bmd.get(site, Quantity()).range, *BMD_LIMITS_G_CM2)
    if site in spec.t_score:
        sex = SEX_OF_PHENOTYPE[spec.phenotype]
        t_lo, t_hi = spec.t_score[site]
        if t_lo > -math.inf:
            lo = max(lo, float(bmd_from_t_score(t_lo, site, sex)))
        if t_hi < math.inf:
            hi = min(hi, float(bmd_from_t_score(t_hi, site, sex)))
    return lo, hi


def _feasible(spec: PopulationSpec) -> None:
    """Refuse criteria nobody can meet, before any sampling."""
    a_lo, a_hi = _age_bounds(spec)
    if not a_lo < a_hi and not (spec.age.range is None and a_lo == a_hi):
        raise PopulationError(
            f"inclusion impossible: age {_fmt_range(spec.age.range or AGE_LIMITS_Y)} years "
            f"(with years_since_menopause {_fmt_range(spec.years_since_menopause.range or (0, 0))}"
            f", which needs age >= 30 + years since menopause) within the modelled "
            f"{AGE_LIMITS_Y[0]:g}-{AGE_LIMITS_Y[1]:g} years")
    c = spec.age.centre
    if c is not None and not AGE_LIMITS_Y[0] <= c <= AGE_LIMITS_Y[1]:
        raise PopulationError(f"age {c:g} years is outside the modelled range "
                              f"{AGE_LIMITS_Y[0]:g}-{AGE_LIMITS_Y[1]:g}")
    for name, q in spec.labs.items():
        lo, hi = LAB_LIMITS[name]
        shown = name.rsplit("_", 2)[0]
        if q.centre is not None and not lo <= q.centre <= hi:
            raise PopulationError(f"{shown} {q.centre:g} {_LAB_UNITS[name]} is outside the "
                                  f"possible range {lo:g}-{hi:g}")
        r = _intersect(q.range, lo, hi)
        if not r[0] < r[1]:
            raise PopulationError(
                f"inclusion impossible: {shown} {_fmt_range(q.range, _LAB_UNITS[name])} lies "
                f"outside the possible range {lo:g}-{hi:g} {_LAB_UNITS[name]}")
    for site in SITES:
        q = spec.bmd.get(site, Quantity())
        lo, hi = BMD_LIMITS_G_CM2
        if q.centre is not None and not lo <= q.centre <= hi:
            raise PopulationError(f"bmd {site} {q.centre:g} g/cm2 is outside the possible "
                                  f"range {lo}-{hi}")
        r = _bmd_bounds(spec, site)
        if not r[0] < r[1]:
            what = (f"t_score {site} {_fmt_range(spec.t_score[site])}" if site in spec.t_score
                    else f"bmd {site}")
            raise PopulationError(
                f"inclusion impossible: {what} with bmd {_fmt_range(q.range or BMD_LIMITS_G_CM2)}"
                f" g/cm2 leaves no possible BMD (g/cm2 {lo}-{hi})")


# ----------------------------------------------------------------------------- sampling
@dataclass(frozen=True)
class VirtualPatient:
    index: int
    patient: dict                    # scenario ``patient`` mapping (model units)
    multipliers: dict[str, float]    # bone sensitivity (applied by virtual.patient_params)
    pk: dict[str, float]             # clearance multiplier per drug


# ----------------------------------------------------------------------------- vectorized draws
def _uniforms(seed: int, start: int, stop: int) -> np.ndarray:
    """(stop - start, N_UNIFORMS): patient i's uniforms come from ``default_rng([seed, i])`` only."""
    out = np.empty((stop - start, N_UNIFORMS))
    for k, i in enumerate(range(start, stop)):
        out[k] = np.random.default_rng([seed, i]).random(N_UNIFORMS)
    return out


def _mass(a, b):
    """P(a <= Z <= b) for a standard normal Z, accurate in either tail (arrays)."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    flip = a > 0.0
    a2, b2 = np.where(flip, -b, a), np.where(flip, -a, b)
    return ndtr(b2) - ndtr(a2)


def _truncated_z(u, a, b):
    """Inverse CDF of the standard normal truncated to [a, b] at ``u`` in [0, 1) (arrays);
    computed in the lower tail, where it is accurate."""
    u, a, b = np.broadcast_arrays(np.asarray(u, float), np.asarray(a, float),
                                  np.asarray(b, float))
    flip = a > 0.0
    u2, a2, b2 = np.where(flip, 1.0 - u, u), np.where(flip, -b, a), np.where(flip, -a, b)
    pa, pb = ndtr(a2), ndtr(b2)
    p = np.clip(pa + u2 * (pb - pa), 1e-300, 1.0 - 1e-16)
    z = np.clip(ndtri(p), a2, b2)
    return np.where(flip, -z, z)


def _check_mass(mass, lo, hi, message) -> None:
    bad = (mass < MIN_MASS) & (lo != hi)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise PopulationError(message(k))


def _draw_normal(u, centre, sd, lo, hi, what: str) -> np.ndarray:
    u, centre, lo, hi = np.broadcast_arrays(*(np.asarray(x, float) for x in (u, centre, lo, hi)))
    a, b = (lo - centre) / sd, (hi - centre) / sd
    _check_mass(_mass(a, b), lo, hi, lambda k: (
        f"inclusion criteria cannot be met: {what} {_fmt_range((lo[k], hi[k]))} holds almost "
        f"nobody around {centre[k]:g}"))
    x = np.clip(centre + sd * _truncated_z(u, a, b), lo, hi)
    return np.where(lo == hi, lo, x)


def _draw_lognormal(u, mean, cv: float, lo: float, hi: float, what: str, unit: str,
                    who: str) -> np.ndarray:
    u, mean = np.broadcast_arrays(np.asarray(u, float), np.asarray(mean, float))
    s = math.sqrt(math.log1p(cv * cv))
    mu = np.log(mean) - 0.5 * s * s                  # mean-preserving, as in virtual._lognormal
    a = np.full(mu.shape, -np.inf) if lo <= 0.0 else (math.log(lo) - mu) / s
    b = np.full(mu.shape, np.inf) if hi == math.inf else (math.log(hi) - mu) / s
    _check_mass(_mass(a, b), np.full(mu.shape, lo), np.full(mu.shape, hi), lambda k: (
        f"inclusion criteria cannot be met: {what} {_fmt_range((lo, hi), unit)} selects fewer "
        f"than 1 in {1 / MIN_MASS:.0e} of {who} (typical {mean[k]:.3g} {unit}, CV {cv:.0%})"))
    return np.clip(np.exp(mu + s * _truncated_z(u, a, b)), lo, hi)


def sample_arrays(spec: PopulationSpec, start: int, stop: int) -> dict[str, np.ndarray]:
    """Patients ``start .. stop-1`` as arrays (one entry per patient): ``age``,
    ``years_since_menopause`` (NaN if not drawn), the labs (model units), ``bmd_<site>``,
    ``mult_<name>`` and ``pk_<drug>``.  Patient i depends only on ``spec`` and ``i``."""
    u = _uniforms(spec.seed, start, stop)
    n = u.shape[0]
    ph = spec.phenotype
    who = {"man": "men", "postmenopausal_woman": "postmenopausal women",
           "premenopausal_woman": "premenopausal women"}.get(ph, ph)
    out: dict[str, np.ndarray] = {}
    a_lo, a_hi = _age_bounds(spec)
    if spec.age.range is not None:
        centre = (0.5 * (spec.age.range[0] + spec.age.range[1])
                  if all(map(math.isfinite, spec.age.range)) else min(max(67.0, a_lo), a_hi))
        age = _draw_normal(u[:, _U_AGE], centre, AGE_SD_Y, a_lo, a_hi, "age")
    else:
        centre = spec.age.centre if spec.age.centre is not None else 65.0
        # as virtual.py (40-90 years), widened so that the typical value stays well inside
        lo = max(a_lo, min(40.0, centre - 2.0 * AGE_SD_Y))
        hi = min(a_hi, max(90.0, centre + 2.0 * AGE_SD_Y))
        age = _draw_normal(u[:, _U_AGE], centre, AGE_SD_Y, min(lo, hi), hi, "age")
    out["age"] = age
    ysm_q = spec.years_since_menopause
    ysm = np.full(n, np.nan)
    if ysm_q.range is not None:
        lo = np.full(n, max(ysm_q.range[0], 0.0))
        hi = np.minimum(ysm_q.range[1], age - 30.0)
        centre = (np.full(n, 0.5 * (ysm_q.range[0] + ysm_q.range[1]))
                  if math.isfinite(ysm_q.range[1]) else np.maximum(age - MENOPAUSE_AGE_Y, lo))
        ysm = _draw_normal(u[:, _U_YSM], centre, YSM_SD_Y, lo, hi, "years_since_menopause")
    elif ysm_q.centre is not None:    # as virtual.py: >= 1, at most 15 y past the median age
        hi = np.maximum(np.minimum(np.maximum(age - MENOPAUSE_AGE_Y + 15.0, 1.0), age - 30.0),
                        0.0)
        lo = np.minimum(1.0, hi)
        ysm = _draw_normal(u[:, _U_YSM], ysm_q.centre, YSM_SD_Y, lo, hi,
                           "years_since_menopause")
    out["years_since_menopause"] = ysm
    for name, k in (("testosterone_ng_dl", _U_T), ("estradiol_pg_ml", _U_E2), ("lh_iu_l", _U_LH),
                    ("shbg_nmol_l", _U_SHBG)):
        q = spec.labs.get(name, Quantity())
        centre = (np.full(n, q.centre) if q.centre is not None
                  else np.array([_LAB_DEFAULTS[name](ph, float(a)) for a in age]))
        lo, hi = _intersect(q.range, *LAB_LIMITS[name])
        out[name] = _draw_lognormal(u[:, k], centre, VARIABILITY[name].cv, lo, hi,
                                    name.rsplit("_", 2)[0], _LAB_UNITS[name], who)
    for s in SITES:
        q = spec.bmd.get(s, Quantity())
        centre = (np.full(n, q.centre) if q.centre is not None
                  else default_bmd_g_cm2(ph, s, age))
        lo, hi = _bmd_bounds(spec, s)
        what = f"t_score {s}" if s in spec.t_score else f"bmd {s}"
        out[f"bmd_{s}"] = _draw_lognormal(u[:, _U_BMD[s]], centre, VARIABILITY["bmd_g_cm2"].cv,
                                          lo, hi, what, "g/cm2", who)
    for m in MULTIPLIERS:
        out[f"mult_{m}"] = _draw_lognormal(u[:, _U_MULT[m]], 1.0, VARIABILITY[m].cv, 0.0,
                                           math.inf, m, "", who)
    for d, var in PK_VARIABILITY.items():
        out[f"pk_{d}"] = _draw_lognormal(u[:, _U_PK[d]], 1.0, var.cv, 0.0, math.inf, d, "", who)
    return out


def _patient_of(spec: PopulationSpec, arr: dict[str, np.ndarray], k: int, i: int
                ) -> VirtualPatient:
    p: dict[str, Any] = {"phenotype": spec.phenotype, "age": float(arr["age"][k])}
    if not math.isnan(arr["years_since_menopause"][k]):
        p["years_since_menopause"] = float(arr["years_since_menopause"][k])
    p["labs"] = {name: float(arr[name][k]) for name in _LAB_DEFAULTS}
    p["bmd"] = {s: float(arr[f"bmd_{s}"][k]) for s in SITES}
    mult = {m: float(arr[f"mult_{m}"][k]) for m in MULTIPLIERS}
    pk = {d: float(arr[f"pk_{d}"][k]) for d in PK_VARIABILITY}
    return VirtualPatient(i, p, mult, pk)


def sample_patient(spec: PopulationSpec, i: int) -> VirtualPatient:
    """Patient ``i`` of the population (depends only on ``spec`` and ``i``)."""
    return _patient_of(spec, sample_arrays(spec, i, i + 1), 0, i)


def sample_population(spec: PopulationSpec | dict, start: int = 0,
                      stop: int | None = None) -> list[VirtualPatient]:
    """Patients ``start .. stop-1`` (default: all ``spec.n``); any split gives the same patients."""
    spec = population_spec(spec)
    stop = spec.n if stop is None else stop
    if not 0 <= start <= stop <= spec.n:
        raise ValueError(f"patients {start}..{stop} are not within 0..{spec.n}")
    arr = sample_arrays(spec, start, stop)
    return [_patient_of(spec, arr, k, i) for k, i in enumerate(range(start, stop))]


def population_frame(patients: list[VirtualPatient]):
    """One row per patient: age, labs, BMD, T-scores and multipliers (for reports and checks)."""
    import pandas as pd
    from ..model.fracture import t_score

    rows = []
    for vp in patients:
        p = vp.patient
        sex = SEX_OF_PHENOTYPE[p["phenotype"]]
        row = {"patient": vp.index, "age": p["age"],
               "years_since_menopause": p.get("years_since_menopause", math.nan), **p["labs"]}
        for s, v in p["bmd"].items():
            row[f"bmd_{s}_g_cm2"] = v
            row[f"t_score_{s}"] = float(t_score(v, s, sex))
        row.update({f"mult_{k}": v for k, v in vp.multipliers.items()})
        row.update({f"pk_{k}_clearance": v for k, v in vp.pk.items()})
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["MAX_N", "PK_VARIABILITY", "PopulationBlock", "PopulationError", "PopulationSpec",
           "VirtualPatient", "population_frame", "population_spec", "sample_patient",
           "sample_population"]
