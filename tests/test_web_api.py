"""The web app's JSON API (FastAPI TestClient): contract columns, 422s with per-field messages."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from boneaxis import DISCLAIMER, OUTPUT_COLUMNS  # noqa: E402
from boneaxis.web.app import MAX_ROWS, app  # noqa: E402

QUICK = {
    "patient": {"phenotype": "man", "age": 67,
                "labs": {"testosterone": "319 ng/dL", "estradiol": "15 pg/mL", "lh": "5 IU/L"},
                "bmd": {"lumbar_spine": "1.12 g/cm2"}},
    "treatments": [{"drug": "testosterone_cypionate", "dose": "100 mg", "every": "1 week",
                    "start": "-180 days"},
                   {"drug": "anastrozole", "dose": "0.5 mg", "every": "twice weekly"}],
    "duration": "1 year",
    "output_every": "1 day",
}


@pytest.fixture(scope="module")
def client():
    with TestClient(app) as c:
        yield c


def _patient(**kw):
    return {"phenotype": "man", "age": 67, **kw}


def _errors(r):
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail
    for d in detail:
        assert isinstance(d["loc"], list) and d["msg"] and d["type"]
    return detail


def test_simulate_returns_contract_columns(client):
    r = client.post("/api/simulate", json=QUICK)
    assert r.status_code == 200, r.text
    body = r.json()
    cols = body["columns"]
    assert list(cols)[: len(OUTPUT_COLUMNS)] == list(OUTPUT_COLUMNS)
    assert "testosterone_exogenous_ng_dl" in cols      # the extra drug column of TRT
    n = body["rows"]
    assert n == 366 and all(len(v) == n for v in cols.values())
    assert cols["time_days"][0] == 0 and cols["time_days"][-1] == 365
    assert cols["estradiol_pg_ml"][0] > 15.0          # labs are untreated; TRT raises E2
    assert cols["bmd_lumbar_spine_g_cm2"][0] == pytest.approx(1.12, rel=1e-4)
    assert max(cols["anastrozole_ng_ml"]) > 0
    assert body["units"]["estradiol_pg_ml"] == "pg/mL"
    # every column has a unit; a man also gets the total-hip Z-score
    assert all(body["units"][c] for c in cols)
    assert body["units"]["z_score_total_hip"] == body["units"]["z_score_lumbar_spine"] == "SD"
    assert body["disclaimer"] == DISCLAIMER
    # identical request (e.g. a reloaded shared URL) -> identical answer
    assert client.post("/api/simulate", json=QUICK).json() == body


def test_shbg_lab_sets_free_testosterone(client):
    def first_row(shbg, treatments):
        sc = {**QUICK, "treatments": treatments,
              "patient": {**QUICK["patient"], "labs": {**QUICK["patient"]["labs"], "shbg": shbg}}}
        r = client.post("/api/simulate", json=sc)
        assert r.status_code == 200, r.text
        cols = r.json()["columns"]
        return cols["testosterone_ng_dl"][0], cols["testosterone_free_pg_ml"][0]

    # untreated, the labs fix total T: more SHBG binds more of it
    assert first_row("25 nmol/L", [])[1] > 1.2 * first_row("60 nmol/L", [])[1]
    # on TRT (LH suppressed) free T is set by the dose and clearance, total T by SHBG
    (t_lo, ft_lo), (t_hi, ft_hi) = (first_row(s, QUICK["treatments"]) for s in ("25 nmol/L", "60 nmol/L"))
    assert t_hi > 1.2 * t_lo
    assert ft_hi == pytest.approx(ft_lo, rel=0.1)


def test_simulate_matches_library(client):
    import boneaxis

    df = boneaxis.simulate(QUICK)
    cols = client.post("/api/simulate", json=QUICK).json()["columns"]
    for c in ("estradiol_pg_ml", "bmd_lumbar_spine_pct_change", "fracture_risk_10y_hip_pct"):
        scale = float(df[c].abs().max())      # 6 significant digits of the column's largest value
        assert cols[c] == pytest.approx(df[c].tolist(), rel=1e-5, abs=1e-5 * scale)


def test_unusual_regimen_is_a_warning(client):
    sc = {"patient": _patient(), "duration": "30 days",
          "treatments": [{"drug": "denosumab", "dose": "60 mg", "every": "daily"}]}
    r = client.post("/api/simulate", json=sc)
    assert r.status_code == 200
    assert any("non-standard" in w for w in r.json()["warnings"])


@pytest.mark.parametrize("scenario, field, words", [
    ({"patient": _patient(), "treatments": [{"drug": "aspirin", "dose": "1 mg"}]},
     ["body", "treatments", 0, "drug"], "unknown drug 'aspirin'"),
    ({"patient": _patient(), "treatments": [{"drug": "anastrozole", "dose": "-1 mg"}]},
     ["body", "treatments", 0, "dose"], "dose must be positive"),
    ({"patient": _patient(labs={"estradiol": "5000 pg/mL"})},
     ["body", "patient", "labs", "estradiol"], "outside the possible range"),
    ({"patient": _patient(labs={"estradiol": "15"})},
     ["body", "patient", "labs", "estradiol"], "has no unit"),
    ({"patient": _patient(labs={"estradiol": 15})},
     ["body", "patient", "labs", "estradiol"], "has no unit"),
    ({"patient": _patient(labs={"estradiol": "15 furlongs"})},
     ["body", "patient", "labs", "estradiol"], "cannot be expressed in pg/mL"),
    ({"patient": _patient(labs={"shbg": "45 pg/mL"})},
     ["body", "patient", "labs", "shbg"], "cannot be expressed in nmol/L"),
    ({"patient": _patient(labs={"shbg": "0.1 nmol/L"})},
     ["body", "patient", "labs", "shbg"], "outside the possible range"),
    ({"patient": _patient(), "duration": "40 years"}, ["body", "duration"], "30 years"),
    ({"patient": _patient(age=12)}, ["body", "patient", "age"], "outside the modelled range"),
    ({"patient": _patient(phenotype="dog")}, ["body", "patient", "phenotype"], "man"),
    ({"patient": _patient(), "colour": "red"}, ["body", "colour"], "Extra inputs"),
    ({"patient": _patient(), "treatments": [{"drug": "anastrozole", "dose": "1 mg", "every": "0 h"}]},
     ["body", "treatments", 0, "every"], "at least 1 hour"),
    ({"treatments": []}, ["body", "patient"], "Field required"),
])
def test_bad_input_is_422_with_field_message(client, scenario, field, words):
    detail = _errors(client.post("/api/simulate", json=scenario))
    assert any(d["loc"] == field and words in d["msg"] for d in detail), detail


def test_too_long_for_a_request(client):
    detail = _errors(client.post("/api/simulate", json={
        "patient": _patient(), "duration": "30 years", "output_every": "1 h"}))
    assert detail[0]["loc"] == ["body", "output_every"]
    assert str(MAX_ROWS) in detail[0]["msg"] and "coarser" in detail[0]["msg"]
    detail = _errors(client.post("/api/simulate", json={
        "patient": _patient(), "duration": "30 years", "output_every": "30 days", "step_h": 0.05,
        "coarse_step_h": 0.05}))
    assert "too long for a web request" in detail[0]["msg"]


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"text"', b'{"patient": 3}'])
def test_malformed_bodies_are_422(client, raw):
    r = client.post("/api/simulate", content=raw, headers={"Content-Type": "application/json"})
    _errors(r)


def test_drugs_phenotypes_health(client):
    drugs = client.get("/api/drugs").json()["drugs"]
    names = {d["name"] for d in drugs}
    assert {"anastrozole", "zoledronic_acid", "denosumab", "testosterone_cypionate"} <= names
    ana = next(d for d in drugs if d["name"] == "anastrozole")
    assert ana["default_dose"] == "1 mg" and ana["kind"] == "aromatase inhibitor"
    ph = client.get("/api/phenotypes").json()
    assert [p["name"] for p in ph["phenotypes"]][0] == "man"
    assert set(ph["t_score_reference"]) == {"lumbar_spine", "total_hip", "femoral_neck"}
    assert ph["disclaimer"] == DISCLAIMER
    assert client.get("/api/health").json()["status"] == "ok"


def test_compare_two_scenarios(client):
    untreated = {**QUICK, "treatments": QUICK["treatments"][:1], "output_every": "7 days"}
    r = client.post("/api/compare", json={"scenarios": [
        {"label": "TRT + anastrozole", "scenario": QUICK}, {"label": "TRT", "scenario": untreated}]})
    assert r.status_code == 200, r.text
    body = r.json()
    n = len(body["time_days"])
    assert n == 366                                   # the finest grid of the two
    assert [s["label"] for s in body["series"]] == ["TRT + anastrozole", "TRT"]
    for s in body["series"]:
        assert all(len(v) == n for v in s["columns"].values())
    rows = body["table"]
    assert {(r["scenario"], r["year"]) for r in rows} == {
        ("TRT + anastrozole", 0.0), ("TRT + anastrozole", 1.0), ("TRT", 0.0), ("TRT", 1.0)}
    yr1 = {r["scenario"]: r["values"] for r in rows if r["year"] == 1.0}
    assert yr1["TRT + anastrozole"]["estradiol_pg_ml"] < yr1["TRT"]["estradiol_pg_ml"]
    assert set(body["table_columns"]) == set(rows[0]["values"])


def test_compare_limits_and_errors(client):
    _errors(client.post("/api/compare", json={"scenarios": [{"scenario": QUICK}]}))
    _errors(client.post("/api/compare", json={"scenarios": [{"scenario": QUICK}] * 5}))
    bad = {**QUICK, "treatments": [{"drug": "anastrozole", "dose": "-2 mg"}]}
    detail = _errors(client.post("/api/compare", json={"scenarios": [
        {"scenario": QUICK}, {"scenario": bad}]}))
    assert detail[0]["loc"][:4] == ["body", "scenarios", 1, "scenario"]


def test_page_and_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and page.text.count("it does not prescribe") == 1
    for asset in ("app.js", "app.css"):
        r = client.get(f"/static/{asset}")
        assert r.status_code == 200 and len(r.text) > 1000
    assert "http" not in client.get("/static/app.js").text.replace("http://www.w3.org/2000/svg", "")
    assert "/api/simulate" in client.get("/openapi.json").json()["paths"]


def test_undecodable_body_is_422_not_400(client):
    r = client.post("/api/simulate", content=b"\xff\xfe\xdb\xb5\x00*q",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body"]


def test_response_rounding_per_column():
    """Numbers are rounded to 6 significant digits of each column's largest magnitude (one
    resolution per series, not per number); NaN and inf become null; columns do not interact."""
    import numpy as np

    from boneaxis.web.app import SIGNIFICANT_DIGITS, _round, _round_rows

    assert SIGNIFICANT_DIGITS == 6
    a = np.array([[123.456789, 0.000123456, -7.0], [np.nan, 1.23456789e-5, np.inf],
                  [0.0, 0.0, 0.0]])
    rows = _round_rows(a)
    assert rows[0] == [123.457, 0.0, -7.0]               # 3 decimals for a column up to ~123
    assert rows[1] == [None, 1.23457e-5, None]
    assert rows[2] == [0.0, 0.0, 0.0]
    assert _round(a[0]) == rows[0]
