"""SBML export: a valid document, the same equations as the Python model, the same trajectories.

The exported formulas restate :mod:`boneaxis.model`; these tests are what keeps them the same
model: the rates of the exported ODEs are compared with :func:`boneaxis.model.system.derivatives`
(and the PK with :func:`boneaxis.model.pk.depot_rhs`) at random states and drug amounts, and
libRoadRunner's simulation of the document with :func:`boneaxis.simulate`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

libsbml = pytest.importorskip("libsbml")

import boneaxis  # noqa: E402
from boneaxis.cli import main  # noqa: E402
from boneaxis.interop import sbml  # noqa: E402

HORMONE_TOL_REL = 0.01   # 1 % of boneaxis.simulate
BMD_TOL_PP = 0.05        # percentage points of BMD change

ANA_DAILY = [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}]
CASES = {
    "postmenopausal_woman_ana_1mg_daily_1y": {
        "patient": {"phenotype": "postmenopausal_woman", "age": 64},
        "treatments": ANA_DAILY, "duration": "1 year", "output_every": "1 day",
    },
    "man_ana_1mg_daily_1y": {
        "patient": {"phenotype": "man", "age": 67},
        "treatments": ANA_DAILY, "duration": "1 year", "output_every": "1 day",
    },
    # doses before day 0 (SBML time 0 is then the start of the run) and missed doses
    "man_trt_from_-60d_plus_ana_twice_weekly_missed_120d": {
        "patient": {"phenotype": "man", "age": 45},
        "treatments": [
            {"drug": "testosterone_cypionate", "dose": "100 mg", "every": "1 week",
             "start": "-60 days"},
            {"drug": "anastrozole", "dose": "0.5 mg", "every": "twice weekly", "missed": [3, 4, 5]},
        ],
        "duration": "120 days", "output_every": "1 day",
    },
}

# every model input in use at once (for the equation check; not simulated)
ALL_INPUTS = {
    "patient": {"phenotype": "man", "age": 58},
    "treatments": [
        {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"},
        {"drug": "letrozole", "dose": "2.5 mg", "every": "1 day"},
        {"drug": "exemestane", "dose": "25 mg", "every": "1 day"},
        {"drug": "tamoxifen", "dose": "20 mg", "every": "1 day"},
        {"drug": "goserelin", "dose": "3.6 mg", "every": "28 days"},
        {"drug": "testosterone_gel", "dose": "50 mg", "every": "1 day"},
        {"drug": "zoledronic_acid", "dose": "4 mg", "every": "6 months"},
        {"drug": "denosumab", "dose": "60 mg", "every": "6 months"},
        {"drug": "calcium_vitamin_d", "dose": "1000 mg", "every": "1 day"},
    ],
    "duration": "1 year",
}


def _scenario(d):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return boneaxis.load_scenario(d)


def test_default_export_is_valid_sbml_with_units():
    text = sbml.export_sbml()
    errors, warns = sbml.check_sbml(text)
    assert errors == []
    assert warns == []          # unit checks included
    doc = libsbml.readSBMLFromString(text)
    m = doc.getModel()
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    assert m.getTimeUnits() == "hour" and m.getSubstanceUnits() == "mg"
    assert m.getNumEvents() >= 1 and m.getNumRules() > 40
    for name in ("estradiol_pg_ml", "lh_iu_l", "testosterone_ng_dl", "arom_ic50_ng_ml"):
        assert m.getParameter(name).isSetUnits()


def test_every_drug_exports_without_errors():
    errors, _ = sbml.check_sbml(sbml.export_sbml(_scenario(ALL_INPUTS)))
    assert errors == []


def test_cli_export_sbml(tmp_path, capsys):
    out = tmp_path / "model.xml"
    assert main(["export-sbml", "-o", str(out)]) == 0
    assert sbml.check_sbml(out.read_text())[0] == []
    text = capsys.readouterr().out
    assert str(out) in text and "does not prescribe" in text
    assert main(["export-sbml", str(tmp_path / "missing.yaml"), "-o", str(out)]) == 2


@pytest.fixture(scope="module")
def rr_mod():
    return pytest.importorskip("roadrunner")


def test_exported_rates_equal_the_python_model(rr_mod):
    """dx/dt of the SBML model == system.derivatives (and the PK == depot_rhs) at random points."""
    from boneaxis.engine.inputs import PIECEWISE_CONSTANT, pk_units, readout
    from boneaxis.engine.simulate import prepare
    from boneaxis.model.endocrine import INPUTS
    from boneaxis.model.parameters import params
    from boneaxis.model.pk import depot_rhs
    from boneaxis.model.system import (STATES, X_ADAPT, X_AROM, X_BMD_SPINE, X_DMAB,
                                       derivatives)

    sc = _scenario(ALL_INPUTS)
    p = params()
    prep = prepare(sc, p)
    units = pk_units(sc, sc.duration_h, p)
    rr = sbml.load_roadrunner(sbml.export_sbml(sc))
    rng = np.random.default_rng(7)
    for trial in range(25):
        x = prep.state0 * rng.uniform(0.5, 1.5, prep.state0.size)
        x[X_BMD_SPINE:] = rng.normal(0.0, 0.02, 3)  # ln BMD
        x[X_AROM] = rng.uniform(0.05, 1.0)         # active aromatase
        x[X_DMAB] = rng.uniform(0.0, 0.5)          # denosumab precursor reservoir
        x[X_ADAPT] = rng.uniform(0.0, 120.0)       # adapted bone E2 (withdrawal on or off)
        u = np.zeros(len(INPUTS))
        pk_rates = {}
        for un in units:
            if un.readout in PIECEWISE_CONSTANT:
                level = rng.uniform(0.0, 1.0) * (1.0 if un.drug == "calcium_vitamin_d" else 150.0)
                if un.drug == "calcium_vitamin_d":
                    level = float(level > 0.5)
                rr.setValue(f"{un.drug}_level", level)
                u[un.column] += level
                continue
            a_d, a_c = rng.uniform(0.0, 2.0) * un.doses_mg[0], rng.uniform(0.0, 1.0) * un.doses_mg[0]
            if trial == 0:
                a_c = 0.0   # the C <= 0 branches
            rr.setValue(f"{un.name}_depot", a_d)
            if un.readout != 1:  # release-rate drugs have no central pool in the SBML model
                rr.setValue(f"{un.name}_central", a_c)
            u[un.column] += readout(un.readout, a_d, a_c, un.ka_per_h, un.scale)
            dd, dc = depot_rhs(a_d, a_c, un.ka_per_h, un.ke_per_h)
            if un.vmax_mg_per_h > 0.0:
                dc -= un.vmax_mg_per_h * a_c / (un.km_mg + a_c)
            pk_rates[un.name] = (dd, dc, un.readout != 1)
        for name, v in zip(STATES, x):
            rr.setValue(name, float(v))
        want = derivatives(x, u, p, prep.pc)
        rates = rr.getRatesOfChangeNamedArray()   # species: amount rates (compartment 1 L)
        got = {name.rstrip("'"): float(v) for name, v in zip(rates.colnames, rates[0])}
        for i, name in enumerate(STATES):
            assert got[name] == pytest.approx(want[i], rel=1e-9, abs=1e-15), (trial, name)
        for drug, (dd, dc, has_central) in pk_rates.items():
            assert got[f"{drug}_depot"] == pytest.approx(dd, rel=1e-12, abs=1e-15), drug
            if has_central:
                assert got[f"{drug}_central"] == pytest.approx(dc, rel=1e-12, abs=1e-15), drug


@pytest.mark.parametrize("case", list(CASES))
def test_roadrunner_matches_boneaxis_simulate(rr_mod, case):
    sc = _scenario(CASES[case])
    fast = boneaxis.simulate(sc)
    rr = sbml.roadrunner_simulate(sc)
    assert len(rr) == len(fast)
    np.testing.assert_allclose(rr["time_days"], fast["time_days"], atol=1e-9)
    later = slice(1, None)   # after day 0 (outputs from day 1 on)
    for col in ("estradiol_pg_ml", "lh_iu_l", "testosterone_ng_dl"):
        a, b = rr[col].to_numpy()[later], fast[col].to_numpy()[later]
        rel = np.max(np.abs(a - b) / np.abs(b))
        assert rel < HORMONE_TOL_REL, (col, rel)
    for s in ("lumbar_spine", "total_hip", "femoral_neck"):
        col = f"bmd_{s}_pct_change"
        diff = np.max(np.abs(rr[col].to_numpy() - fast[col].to_numpy()))
        assert diff < BMD_TOL_PP, (col, diff)
