"""The boneaxis web app: a JSON API (OpenAPI at ``/openapi.json``, docs at ``/docs``) and one page.

Endpoints: ``POST /api/simulate`` (a scenario, same keys as the scenario file, as JSON -> columns
as arrays), ``POST /api/compare`` (2-4 scenarios -> series aligned on one time grid and a summary
table like ``boneaxis compare``), ``GET /api/drugs``, ``GET /api/phenotypes``, ``GET /api/health``.

Invalid input is answered 422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`` (the
FastAPI shape), never 500.  A run too long for a request (more than 30 years, more than
:data:`MAX_ROWS` output rows or :data:`MAX_STEPS` integrator steps) is refused the same way.
Everything the page needs is in ``static/``: no CDN, no database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal, Union

import numpy as np
import pandas as pd
import pydantic_core
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from ..engine import SimulationError
from ..engine.simulate import make_grid, prepare, run_arrays, to_frame
from ..model import parameters as params_mod
from ..model.bone import DAYS_PER_YEAR
from ..model.fracture import YOUNG_ADULT_REFERENCE
from ..model.phenotypes import (PHENOTYPES, SITES, default_bmd_g_cm2, default_estradiol_pg_ml,
                                default_lh_iu_l, default_testosterone_ng_dl)
from ..model.pk import DRUGS
from ..notice import DISCLAIMER
from ..trials.compare import window_mean
from ..scenario import (BMD_LIMITS_G_CM2, LAB_LIMITS, MAX_DURATION_Y, Scenario,
                        ScenarioError, load_scenario)
from ..units import UnitError

log = logging.getLogger("boneaxis.web")

MAX_ROWS = 20_000          # output rows per scenario (and on the aligned compare grid)
MAX_STEPS = 400_000        # integrator steps per scenario (duration incl. pre-run / step_h)
MAX_TREATMENTS = 16
SIGNIFICANT_DIGITS = 6     # numbers in responses are rounded to this many significant digits
CACHE_BYTES = 64 * 2**20   # identical requests (a reloaded shared URL) are answered from memory
STATIC_DIR = Path(__file__).parent / "static"

# --------------------------------------------------------------------------- request models
Quantity = Union[str, float]
_Q = "a number with a unit, as in the scenario file"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabsIn(_In):
    """Untreated baseline labs; text with any common unit ('15 pmol/L' and '15 pg/mL' differ)."""

    testosterone: Quantity | None = Field(None, description=f"{_Q}: '319 ng/dL', '11 nmol/L'")
    estradiol: Quantity | None = Field(None, description=f"{_Q}: '15 pg/mL', '55 pmol/L'")
    lh: Quantity | None = Field(None, description=f"{_Q}: '5 IU/L'")
    shbg: Quantity | None = Field(None, description=f"{_Q}: '45 nmol/L' (sets free T)")
    testosterone_ng_dl: float | None = None
    estradiol_pg_ml: float | None = None
    lh_iu_l: float | None = None
    shbg_nmol_l: float | None = None


class BMDIn(_In):
    """Baseline BMD per site in g/cm2 ('1.12 g/cm2', or a number in g/cm2)."""

    lumbar_spine: Quantity | None = None
    total_hip: Quantity | None = None
    femoral_neck: Quantity | None = None


class PatientIn(_In):
    phenotype: Literal[PHENOTYPES] = Field(description="man | postmenopausal_woman | "  # type: ignore[valid-type]
                                           "premenopausal_woman | ovariectomized_transman")
    age: Quantity = Field(description="years (18-100), or text such as '67 years'")
    years_since_menopause: Quantity | None = Field(None, description="postmenopausal_woman only")
    labs: LabsIn | None = None
    bmd: BMDIn | None = None


class TreatmentIn(_In):
    drug: str = Field(description="a drug from GET /api/drugs, e.g. anastrozole")
    dose: Quantity | None = Field(None, description="'1 mg'")
    every: Quantity | None = Field(None, description="'1 day', '84 h', 'daily', 'twice weekly', "
                                   "'weekly', 'monthly', '6 months'; default: the drug's regimen")
    start: Quantity | None = Field(None, description="'0 days'; negative = already running")
    duration: Quantity | None = Field(None, description="'1 year'; omit for the whole run")
    stop: Quantity | None = Field(None, description="absolute stop time, instead of duration")
    missed: list[Union[int, str]] | None = Field(None, description="1-based dose numbers not taken")
    route: str | None = None
    dose_mg: float | None = None
    every_h: float | None = None
    start_h: float | None = None
    stop_h: float | None = None


class ScenarioIn(_In):
    """A scenario: the keys of the scenario file (see the README), as JSON."""

    patient: PatientIn
    treatments: list[TreatmentIn] = Field(default_factory=list, max_length=MAX_TREATMENTS)
    duration: Quantity | None = Field(None, description=f"'1 year' (at most {MAX_DURATION_Y:g} years)")
    output_every: Quantity | None = Field(None, description="'1 day' (default)")
    duration_h: float | None = None
    output_every_h: float | None = None
    step_h: float | None = None
    coarse_step_h: float | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "patient": {"phenotype": "man", "age": 67,
                    "labs": {"testosterone": "319 ng/dL", "estradiol": "15 pg/mL", "lh": "5 IU/L"},
                    "bmd": {"lumbar_spine": "1.12 g/cm2", "total_hip": "0.95 g/cm2"}},
        "treatments": [
            {"drug": "testosterone_cypionate", "dose": "100 mg", "every": "1 week",
             "start": "-180 days"},
            {"drug": "anastrozole", "dose": "0.5 mg", "every": "twice weekly"}],
        "duration": "2 years", "output_every": "1 day"}]})


class CompareItem(_In):
    label: str | None = Field(None, max_length=80, description="name shown in the table and legend")
    scenario: ScenarioIn


class CompareIn(_In):
    scenarios: list[CompareItem] = Field(min_length=2, max_length=4)


# --------------------------------------------------------------------------- response models
Column = list[float | None]


class SimulateOut(BaseModel):
    rows: int
    columns: dict[str, Column] = Field(description="one array per output column (README), aligned")
    units: dict[str, str]
    warnings: list[str]
    baseline_origin: dict[str, str]
    disclaimer: str


class CompareSeries(BaseModel):
    label: str
    rows: int
    columns: dict[str, Column] = Field(description="interpolated to time_days; null past the end")
    warnings: list[str]


class SummaryRow(BaseModel):
    scenario: str
    year: float
    values: dict[str, float | None]


class CompareOut(BaseModel):
    time_days: Column
    series: list[CompareSeries]
    table_columns: dict[str, str] = Field(description="column -> label, in table order")
    table: list[SummaryRow]
    disclaimer: str


class DrugOut(BaseModel):
    name: str
    kind: str
    route: str
    default_regimen: str
    default_dose: str
    default_every: str
    typical_dose_mg: list[float]
    typical_interval_days: list[float]
    source: str


class DrugsOut(BaseModel):
    drugs: list[DrugOut]
    disclaimer: str


class PhenotypeOut(BaseModel):
    name: str
    label: str
    years_since_menopause_applies: bool
    defaults_at_60: dict[str, float]


class PhenotypesOut(BaseModel):
    phenotypes: list[PhenotypeOut]
    sites: list[str]
    t_score_reference: dict[str, list[float]] = Field(
        description="young-adult (mean, SD) g/cm2 per site: T = (BMD - mean) / SD")
    limits: dict[str, list[float]]
    disclaimer: str


class HealthOut(BaseModel):
    status: str
    version: str


# --------------------------------------------------------------------------- errors
class ApiError(Exception):
    """422 with a FastAPI-shaped ``detail`` list."""

    def __init__(self, detail: list[dict[str, Any]]):
        super().__init__("; ".join(d["msg"] for d in detail))
        self.detail = detail


def _detail(loc: list, msg: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": [str(x) if not isinstance(x, int) else x for x in loc], "msg": msg, "type": kind}


_TREATMENT_FIELDS = (("unknown drug", "drug"), ("dose", "dose"), ("interval", "every"),
                     ("stop/duration", "stop"), ("duration or stop", "stop"), ("start", "start"),
                     ("missed", "missed"), ("route", "route"), ("unknown treatment keys", ""))


def _refine(loc: list, msg: str) -> list:
    """The field inside ``loc`` that a model-level message is about (labs, BMD site, treatment)."""
    if not loc:
        for key in ("duration", "output_every", "coarse_step_h", "step_h", "treatments"):
            if msg.startswith(key):
                return [key]
        return []
    last, first = loc[-1], msg.split(" ", 1)[0].rstrip(":")
    if last == "labs" and first in ("testosterone", "estradiol", "lh", "shbg"):
        return [first]
    if last == "bmd" and msg.startswith("bmd "):
        return [msg.split(" ")[1]]
    if last == "patient":
        for key in ("age", "years_since_menopause"):
            if msg.startswith(key):
                return [key]
    if len(loc) == 2 and loc[0] == "treatments" and isinstance(last, int):
        for words, field in _TREATMENT_FIELDS:
            if words in msg:
                return [field] if field else []
    return []


def _scenario_errors(exc: Exception, prefix: list) -> list[dict[str, Any]]:
    """Per-field details from a :class:`ScenarioError` (its pydantic cause when there is one)."""
    cause = exc.__context__
    if isinstance(cause, ValidationError):
        out = []
        for e in cause.errors(include_url=False):
            loc = [x for x in e["loc"] if x != "__root__"]
            msg = str(e["msg"]).removeprefix("Value error, ")
            out.append(_detail(prefix + loc + _refine(loc, msg), msg))
        if out:
            return out
    out = []
    for part in str(exc).split("; "):       # fallback: "loc: message; loc: message"
        head, sep, msg = part.partition(": ")
        if sep and head and " " not in head:
            out.append(_detail(prefix + head.split("."), msg))
        elif out:
            out[-1]["msg"] += "; " + part
        else:
            out.append(_detail(prefix, part))
    return out


# --------------------------------------------------------------------------- computing
UNITS = {
    "time_days": "days", "anastrozole_ng_ml": "ng/mL", "lh_iu_l": "IU/L",
    "testosterone_ng_dl": "ng/dL", "estradiol_pg_ml": "pg/mL", "ctx_pct_change": "% change",
    "p1np_pct_change": "% change", "aromatase_inhibition_pct": "%",
    "estradiol_bone_effective_pg_ml": "pg/mL", "testosterone_free_pg_ml": "pg/mL",
    "fracture_risk_10y_major_pct": "%",
    "fracture_risk_10y_hip_pct": "%",
    **{f"bmd_{s}_g_cm2": "g/cm2" for s in SITES},
    **{f"bmd_{s}_pct_change": "% change" for s in SITES},
    **{f"t_score_{s}": "SD" for s in SITES},
    **{f"z_score_{s}": "SD" for s in SITES},
    "letrozole_ng_ml": "ng/mL", "exemestane_ng_ml": "ng/mL", "tamoxifen_ng_ml": "ng/mL",
    "testosterone_exogenous_ng_dl": "ng/dL", "goserelin_release_ug_per_day": "ug/day",
    "bisphosphonate_bound_zol_eq_mg": "mg zoledronic-acid equivalent", "denosumab_ug_ml": "ug/mL",
    "calcium_vitamin_d_on": "1 = taking",
}


def _round_rows(a: np.ndarray) -> list[list]:
    """Each row of ``a`` rounded to SIGNIFICANT_DIGITS of its largest finite magnitude (one number
    of decimals per row, so a series keeps a common resolution), as lists with None for NaN/inf.
    Vectorized over rows: a 5-year daily response (21 columns) takes ~1 ms instead of ~3.5."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    finite = np.isfinite(a)
    m = np.max(np.where(finite, np.abs(a), 0.0), axis=1, initial=0.0)
    decimals = SIGNIFICANT_DIGITS - 1 - np.floor(np.log10(np.where(m > 0, m, 1.0)))
    decimals = np.where(m > 0, np.clip(decimals, 0, 12), 0)
    scale = (10.0 ** decimals)[:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        rows = (np.rint(a * scale) / scale).tolist()
    for i in np.flatnonzero(~finite.all(axis=1)):
        rows[i] = [v if f else None for v, f in zip(rows[i], finite[i].tolist())]
    return rows


def _round(a: np.ndarray) -> list:
    return _round_rows(np.asarray(a, dtype=float)[None, :])[0]


def _load(data: dict, prefix: list) -> tuple[Scenario, list[str]]:
    """Validate a scenario mapping; limits for a web request; warnings as strings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sc = load_scenario(data)
        except ScenarioError as exc:
            raise ApiError(_scenario_errors(exc, prefix)) from None
        except (UnitError, ValueError, TypeError, ArithmeticError) as exc:
            raise ApiError([_detail(prefix, f"invalid scenario: {exc}")]) from None
    msgs = list(dict.fromkeys(str(w.message) for w in caught))
    n_rows = int(math.floor(sc.duration_h / sc.output_every_h + 1e-9)) + 1
    if n_rows > MAX_ROWS:
        raise ApiError([_detail(prefix + ["output_every"],
                                f"the output would have {n_rows} rows, more than the {MAX_ROWS} a "
                                "web request returns; choose a coarser output_every (e.g. '7 days') "
                                "or a shorter duration, or use the command line")])
    steps = make_grid(sc).n_steps
    if steps > MAX_STEPS:
        raise ApiError([_detail(prefix + ["duration"],
                                f"the simulation is too long for a web request ({steps} steps of "
                                f"{sc.step_h:g} h, at most {MAX_STEPS}); shorten the duration, an "
                                "early negative start, or raise step_h, or use the command line")])
    return sc, msgs


def _run(sc: Scenario, prefix: list) -> pd.DataFrame:
    try:
        prep = prepare(sc, params_mod.params())
        u, out = run_arrays(prep)
        return to_frame(prep, u, out)
    except SimulationError as exc:
        raise ApiError([_detail(prefix, str(exc), "simulation_error")]) from None
    except Exception as exc:  # never a 500 for a validated scenario: say what failed
        log.exception("simulation failed")
        raise ApiError([_detail(prefix, f"the simulation failed ({type(exc).__name__}: {exc})",
                                "simulation_error")]) from None


class _Cache:
    """Response bytes of recent identical requests, bounded in total size (thread-safe)."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size, self.lock = max_bytes, 0, threading.Lock()
        self.items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            v = self.items.get(key)
            if v is not None:
                self.items.move_to_end(key)
            return v

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.size += len(value)
            while self.size > self.max_bytes:
                _, old = self.items.popitem(last=False)
                self.size -= len(old)


_cache = _Cache(CACHE_BYTES)


def _key(kind: str, body: BaseModel) -> str:
    text = json.dumps(body.model_dump(mode="json", exclude_none=True), sort_keys=True)
    return hashlib.sha256(f"{kind}:{text}".encode()).hexdigest()


def _scenario_dict(s: ScenarioIn) -> dict:
    return s.model_dump(exclude_none=True)


def _json(payload: dict) -> Response:
    return Response(pydantic_core.to_json(payload), media_type="application/json")


def _err(exc: ApiError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=422)


def simulate_payload(body: ScenarioIn) -> bytes:
    key = _key("simulate", body)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    sc, msgs = _load(_scenario_dict(body), ["body"])
    df = _run(sc, ["body"])
    origin = df.attrs.get("baseline_origin", {})
    df.attrs = {}            # pandas deep-copies attrs on every column access: 4 ms per request
    payload = {
        "rows": int(len(df)),
        "columns": dict(zip(df.columns, _round_rows(df.to_numpy(dtype=float).T))),
        "units": {c: UNITS.get(c, "") for c in df.columns},
        "warnings": msgs,
        "baseline_origin": {str(k): str(v) for k, v in origin.items()},
        "disclaimer": DISCLAIMER,
    }
    data = pydantic_core.to_json(payload)
    _cache.put(key, data)
    return data


TABLE_COLUMNS = {
    "estradiol_pg_ml": "E2 pg/mL", "testosterone_ng_dl": "T ng/dL", "lh_iu_l": "LH IU/L",
    "ctx_pct_change": "CTX %", "p1np_pct_change": "P1NP %",
    "bmd_lumbar_spine_pct_change": "spine BMD %", "bmd_total_hip_pct_change": "hip BMD %",
    "t_score_femoral_neck": "FN T-score", "fracture_risk_10y_major_pct": "10-y major fracture %",
}
SUMMARY_YEARS = (0, 1, 2, 5, 10, 20, 30)


def summary_rows(label: str, df: pd.DataFrame) -> list[dict]:
    t = df["time_days"].to_numpy()
    dt = float(t[1] - t[0]) if len(t) > 1 else 1.0
    years = [y for y in SUMMARY_YEARS if DAYS_PER_YEAR * y <= t[-1] + dt - 1e-9]   # "1 year" ends at day 365
    if t[-1] - DAYS_PER_YEAR * years[-1] > dt:
        years.append(round(float(t[-1]) / DAYS_PER_YEAR, 3))
    rows = []
    for y in years:   # as `boneaxis compare`: the mean over the week before each time point
        means = window_mean(df, DAYS_PER_YEAR * y, TABLE_COLUMNS)
        vals = {c: round(v, 3) if math.isfinite(v) else None for c, v in means.items()}
        rows.append({"scenario": label, "year": float(y), "values": vals})
    return rows


def compare_payload(body: CompareIn) -> bytes:
    key = _key("compare", body)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    loaded, errors = [], []
    for i, item in enumerate(body.scenarios):
        try:
            loaded.append(_load(_scenario_dict(item.scenario), ["body", "scenarios", i, "scenario"]))
        except ApiError as exc:
            errors.extend(exc.detail)
    if errors:
        raise ApiError(errors)
    step_d = min(sc.output_every_h for sc, _ in loaded) / 24.0
    end_d = max(sc.duration_h for sc, _ in loaded) / 24.0
    n = int(math.floor(end_d / step_d + 1e-9)) + 1
    if n > MAX_ROWS:
        raise ApiError([_detail(["body", "scenarios"],
                                f"the aligned series would have {n} rows (finest output_every over "
                                f"the longest duration), more than {MAX_ROWS}; use a coarser "
                                "output_every")])
    grid = step_d * np.arange(n)
    labels, series, table = [], [], []
    for i, (item, (sc, msgs)) in enumerate(zip(body.scenarios, loaded)):
        label = (item.label or "").strip() or f"scenario {i + 1}"
        if label in labels:
            label = f"{label} ({i + 1})"
        labels.append(label)
        df = _run(sc, ["body", "scenarios", i, "scenario"])
        df.attrs = {}
        t = df["time_days"].to_numpy()
        cols = {}
        for c in df.columns:
            if c == "time_days":
                continue
            y = np.interp(grid, t, df[c].to_numpy(float))
            y[grid > t[-1] + 1e-9] = np.nan
            cols[c] = _round(y)
        series.append({"label": label, "rows": int(len(df)), "columns": cols, "warnings": msgs})
        table.extend(summary_rows(label, df))
    payload = {"time_days": _round(grid), "series": series, "table_columns": TABLE_COLUMNS,
               "table": table, "disclaimer": DISCLAIMER}
    data = pydantic_core.to_json(payload)
    _cache.put(key, data)
    return data


_KIND = {
    "c_anastrozole_ng_ml": "aromatase inhibitor", "c_letrozole_ng_ml": "aromatase inhibitor",
    "c_exemestane_ng_ml": "aromatase inhibitor", "c_tamoxifen_ng_ml": "SERM",
    "gnrh_release_ug_per_day": "ovarian suppression", "t_exogenous_ng_dl": "testosterone (TRT)",
}


def drugs_payload() -> dict:
    out = []
    for name, d in DRUGS.items():
        dose, _, every = d.default_regimen.partition(" every ")
        out.append({
            "name": name, "kind": _KIND.get(d.model_input, "bone protection"), "route": d.route,
            "default_regimen": d.default_regimen, "default_dose": dose, "default_every": every,
            "typical_dose_mg": [float(x) for x in d.typical_dose_mg],
            "typical_interval_days": [round(x / 24.0, 4) for x in d.typical_interval_h],
            "source": d.source})
    return {"drugs": out, "disclaimer": DISCLAIMER}


def phenotypes_payload() -> dict:
    labels = {"man": "man", "postmenopausal_woman": "postmenopausal woman",
              "premenopausal_woman": "premenopausal woman",
              "ovariectomized_transman": "ovariectomized trans man"}
    out = []
    for p in PHENOTYPES:
        out.append({"name": p, "label": labels.get(p, p.replace("_", " ")),
                    "years_since_menopause_applies": p == "postmenopausal_woman",
                    "defaults_at_60": {
                        "testosterone_ng_dl": round(default_testosterone_ng_dl(p, 60.0), 3),
                        "estradiol_pg_ml": default_estradiol_pg_ml(p, 60.0),
                        "lh_iu_l": round(default_lh_iu_l(p, 60.0), 3),
                        **{f"bmd_{s}_g_cm2": default_bmd_g_cm2(p, s, 60.0) for s in SITES}}})
    limits = {k: list(v) for k, v in LAB_LIMITS.items()}
    limits.update({"bmd_g_cm2": list(BMD_LIMITS_G_CM2), "age_years": [18.0, 100.0],
                   "duration_years": [0.0, MAX_DURATION_Y], "output_rows": [1.0, float(MAX_ROWS)]})
    return {"phenotypes": out, "sites": list(SITES),
            "t_score_reference": {s: list(v) for s, v in YOUNG_ADULT_REFERENCE["female"].items()},
            "limits": limits, "disclaimer": DISCLAIMER}


# --------------------------------------------------------------------------- the app
_422 = {422: {"description": "invalid input (a message per field) or a run too long for a request"}}


def create_app() -> FastAPI:
    app = FastAPI(title="boneaxis", version=__version__,
                  description="Aromatase inhibitors, the sex-hormone axis and bone. " + DISCLAIMER)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = []
        for e in exc.errors():
            loc = list(e.get("loc", ()))
            detail.append(_detail(loc, str(e.get("msg", "invalid")).removeprefix("Value error, "),
                                  str(e.get("type", "value_error"))))
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # a body that cannot even be decoded (e.g. not UTF-8) is invalid input: 422, as documented
        if exc.status_code == 400:
            return JSONResponse({"detail": [_detail(["body"], str(exc.detail), "body_invalid")]},
                                status_code=422)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    def _run(payload, body, what: str) -> Any:
        """JSON response of ``payload(body)``; any failure is a 422 (user input never gives 500)."""
        try:
            return Response(payload(body), media_type="application/json")
        except ApiError as exc:
            return _err(exc)
        except Exception as exc:  # noqa: BLE001
            log.exception("%s failed", what)
            return _err(ApiError([_detail(["body"], f"could not run {what} "
                                          f"({type(exc).__name__}: {exc})")]))

    @app.post("/api/simulate", response_model=SimulateOut, responses=_422,
              summary="Simulate one scenario")
    async def api_simulate(body: ScenarioIn) -> Any:
        """One scenario (the scenario file's keys, as JSON) -> one array per output column."""
        return _run(simulate_payload, body, "this scenario")

    @app.post("/api/compare", response_model=CompareOut, responses=_422,
              summary="Compare two to four scenarios")
    async def api_compare(body: CompareIn) -> Any:
        """2-4 scenarios -> series on one time grid and a summary table (weekly means at years)."""
        return _run(compare_payload, body, "these scenarios")

    drugs_cached = drugs_payload()
    phen_cached = phenotypes_payload()

    @app.get("/api/drugs", response_model=DrugsOut, summary="The drug library")
    async def api_drugs() -> Any:
        return drugs_cached

    @app.get("/api/phenotypes", response_model=PhenotypesOut, summary="Phenotypes and references")
    async def api_phenotypes() -> Any:
        return phen_cached

    @app.get("/api/health", response_model=HealthOut, summary="Liveness")
    async def api_health() -> Any:
        return {"status": "ok", "version": __version__}

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    if workers > 1:
        uvicorn.run("boneaxis.web.app:app", host=host, port=port, workers=workers,
                    log_level="warning")
    else:
        uvicorn.run(app, host=host, port=port, log_level="info")
