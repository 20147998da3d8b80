"""Scenario parsing and validation: every bad input is a one-line ScenarioError."""

import copy
import warnings

import numpy as np
import pytest

from boneaxis import ScenarioError, load_scenario
from boneaxis.scenario import HOURS_PER_YEAR, Treatment

BASE = {
    "patient": {"phenotype": "man", "age": 67,
                "labs": {"testosterone": "319 ng/dL", "estradiol": "15 pg/mL", "lh": "5 IU/L"}},
    "treatments": [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}],
    "duration": "1 year",
}


def scen(**changes):
    """BASE with dotted-path changes, e.g. scen(**{"treatments.0.dose": "0 mg"})."""
    d = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = d
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return d


_DELETE = object()


def treatment(**kw):
    return Treatment.model_validate({"drug": "anastrozole", "dose": "1 mg", **kw})


def test_valid_base():
    sc = load_scenario(BASE)
    assert sc.patient.labs.estradiol_pg_ml == pytest.approx(15.0)
    assert sc.patient.labs.testosterone_ng_dl == pytest.approx(319.0)
    assert sc.duration_h == pytest.approx(HOURS_PER_YEAR)
    assert sc.treatments[0].every_h == pytest.approx(24.0)


def test_pmol_labs_converted():
    sc = load_scenario(scen(**{"patient.labs.estradiol": "15 pmol/L",
                               "patient.labs.testosterone": "11.06 nmol/L"}))
    assert sc.patient.labs.estradiol_pg_ml == pytest.approx(4.0857, rel=1e-4)
    assert sc.patient.labs.testosterone_ng_dl == pytest.approx(319.0, rel=1e-3)


@pytest.mark.parametrize("changes, match", [
    ({"treatments.0.drug": "letrozolium"}, "unknown drug 'letrozolium'"),
    ({"treatments.0.drug": ["anastrozole"]}, "unknown drug"),
    ({"patient.phenotype": "martian"}, "unknown phenotype 'martian'"),
    ({"treatments.0.dose": "0 mg"}, "dose must be positive, got 0 mg"),
    ({"treatments.0.dose": "-1 mg"}, "dose must be positive, got -1 mg"),
    ({"treatments.0.dose": "1"}, "has no unit"),
    ({"treatments.0.dose": 1}, "has no unit"),
    ({"patient.labs.estradiol": "15"}, "estradiol: '15' has no unit"),
    ({"patient.labs.estradiol": "5000 pg/mL"}, "estradiol 5000 pg/mL is outside the possible range"),
    ({"patient.labs.testosterone": "50000 ng/dL"}, "testosterone 50000 ng/dL is outside"),
    ({"patient.labs.lh": "0 IU/L"}, "lh 0 IU/L is outside the possible range"),
    ({"patient.labs.cortisol": "5 ug/dL"}, "unknown lab 'cortisol'"),
    ({"treatments.0.every": "30 min"}, "at least 1 hour, got 0.5 h"),
    ({"treatments.0.every": "0 h"}, "at least 1 hour"),
    ({"duration": "31 years"}, "duration must be between 1 hour and 30 years, got 31 years"),
    ({"duration": "0 days"}, "duration must be between"),
    ({"treatments.0.route": "intravenous"}, "unknown route 'intravenous'"),
    ({"treatments.0.dose": "nan mg"}, "'nan mg' is not a finite number"),
    ({"treatments.0.dose": "inf mg"}, "not a finite number"),
    ({"treatments.0.dose": "1 mL"}, "cannot be expressed in mg"),
    ({"treatments.0.missed": 2.5}, "missed doses are 1-based dose numbers"),
    ({"treatments.0.missed": [0]}, "missed doses are 1-based dose numbers"),
    ({"treatments.0.missed": True}, "missed doses are 1-based dose numbers"),
    ({"treatments.0.missed": [3, 4000]}, "missed dose 4000 is beyond the .* doses scheduled"),
    ({"treatments.0.duration": "10 days", "treatments.0.stop": "20 days"}, "not both"),
    ({"treatments.0.duration": "-10 days"}, "must not end before the start"),
    ({"treatments.0.dosage": "1 mg"}, "unknown treatment keys"),
    ({"patient.age": 12}, "age 12 years is outside the modelled range"),
    ({"patient.years_since_menopause": 5}, "postmenopausal_woman only"),
    ({"patient.phenotype": _DELETE}, "phenotype"),
    ({"output_every": "30 min"}, "output_every must be at least 1 hour"),
    ({"treatments": "anastrozole"}, "treatments must be a list"),
    ({"colour": "blue"}, "colour"),
])
def test_invalid(changes, match):
    with pytest.raises(ScenarioError, match=match) as info:
        load_scenario(scen(**changes))
    assert "\n" not in str(info.value)


def test_bmd_out_of_range():
    d = scen()
    d["patient"]["bmd"] = {"lumbar_spine": "5 g/cm2"}
    with pytest.raises(ScenarioError, match="bmd lumbar_spine 5 g/cm2 is outside"):
        load_scenario(d)


def test_missing_patient():
    with pytest.raises(ScenarioError, match="missing 'patient'"):
        load_scenario({"duration": "1 year"})


def test_malformed_yaml():
    with pytest.raises(ScenarioError, match=r"malformed YAML \(line 3\)"):
        load_scenario("patient:\n  phenotype: man\n  age: 67: x\n")


def test_yaml_not_a_mapping():
    with pytest.raises(ScenarioError, match="must be a mapping"):
        load_scenario("- a\n- b\n")


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(str(tmp_path / "nope.yaml"))


def test_binary_file(tmp_path):
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(p)


def test_yaml_file_roundtrip(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("patient: {phenotype: postmenopausal_woman, age: 60, years_since_menopause: 8}\n"
                 "treatments:\n  - {drug: anastrozole, dose: 1 mg, every: daily}\n"
                 "duration: 6 months\n")
    sc = load_scenario(p)
    assert sc.patient.years_since_menopause == 8
    assert sc.duration_h == pytest.approx(HOURS_PER_YEAR / 2)


def test_unusual_dose_warns_but_is_accepted():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sc = load_scenario(scen(**{"treatments.0.dose": "20 mg"}))
    assert sc.treatments[0].dose_mg == 20.0
    msgs = [str(x.message) for x in w]
    assert any("20 mg is outside the usual 0.25-10 mg" in m for m in msgs), msgs


# --- dosing times -------------------------------------------------------------------------

def test_twice_weekly_is_every_84_hours():
    tr = treatment(every="twice weekly")
    assert tr.every_h == 84.0
    np.testing.assert_allclose(tr.dose_times_h(168.0 * 2), [0, 84, 168, 252, 336])


def test_run_end_is_inclusive():
    np.testing.assert_allclose(treatment(every="1 day").dose_times_h(48.0), [0, 24, 48])
    np.testing.assert_allclose(treatment(every="1 day").dose_times_h(47.9), [0, 24])


def test_stop_is_exclusive():
    tr = treatment(every="1 day", stop="3 days")
    assert tr.stop_h == 72.0
    np.testing.assert_allclose(tr.dose_times_h(1000.0), [0, 24, 48])


def test_duration_counts_from_start():
    tr = treatment(every="1 day", start="2 days", duration="3 days")
    assert (tr.start_h, tr.stop_h) == (48.0, 120.0)
    np.testing.assert_allclose(tr.dose_times_h(1000.0), [48, 72, 96])


def test_stop_is_absolute_time():
    tr = treatment(every="1 day", start="2 days", stop="3 days")
    np.testing.assert_allclose(tr.dose_times_h(1000.0), [48])


def test_zero_duration_gives_no_doses():
    assert treatment(every="1 day", duration="0 days").dose_times_h(1000.0).size == 0


def test_negative_start_doses_before_day_zero():
    tr = Treatment.model_validate({"drug": "testosterone_cypionate", "dose": "100 mg",
                                   "every": "1 week", "start": "-21 days"})
    np.testing.assert_allclose(tr.dose_times_h(168.0), [-504, -336, -168, 0, 168])
    sc = load_scenario({"patient": BASE["patient"], "treatments": [
        {"drug": "testosterone_cypionate", "dose": "100 mg", "every": "1 week",
         "start": "-21 days"}]})
    assert sc.start_h == -504.0


@pytest.mark.parametrize("missed, expected", [
    ([2], [0, 48, 72, 96]),
    ([1, 5], [24, 48, 72]),
    (3, [0, 24, 72, 96]),
    (["4"], [0, 24, 48, 96]),
    ([9], [0, 24, 48, 72, 96]),          # beyond the last dose: nothing removed
])
def test_missed_doses_removed(missed, expected):
    tr = treatment(every="1 day", duration="5 days", missed=missed)
    np.testing.assert_allclose(tr.dose_times_h(1000.0), expected)


def test_missed_doses_counted_from_first_dose_when_started_early():
    tr = treatment(every="1 day", start="-2 days", missed=[1, 3])
    np.testing.assert_allclose(tr.dose_times_h(48.0), [-24, 24, 48])


def test_default_regimen_used_when_every_missing():
    tr = Treatment.model_validate({"drug": "testosterone_cypionate", "dose": "100 mg"})
    assert tr.every_h == 168.0
