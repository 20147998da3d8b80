"""Monitoring summary (report/monitoring.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boneaxis import DISCLAIMER
from boneaxis.model import fracture as fx
from boneaxis.report import monitoring as mon


def linear_fn_trajectory(t_start, t_end, days=1000, every=1.0):
    """Femoral-neck (and other sites) T-score falling linearly from t_start to t_end."""
    t = np.arange(0.0, days + 1e-9, every)
    ts = t_start + (t_end - t_start) * t / days
    return pd.DataFrame({
        "time_days": t,
        **{f"bmd_{s}_g_cm2": fx.bmd_from_t_score(ts, s, "female") for s in fx.SITES},
    })


def test_first_crossing_interpolates():
    c = mon.first_crossing([0, 10, 20], [0.0, -0.5, -1.5], -1.0)
    assert c == mon.Crossing(15.0, False)
    assert mon.first_crossing([0, 10], [-3.0, -3.5], -2.5) == mon.Crossing(0.0, True)
    assert mon.first_crossing([0, 10], [0.0, -0.5], -1.0) == mon.Crossing(None, False)


def test_crossing_days_on_synthetic_trajectory():
    # T falls linearly from -0.5 to -3.0 over 1000 days: -1.0 at day 200, -2.0 at 600, -2.5 at 800
    df = linear_fn_trajectory(-0.5, -3.0, every=7.0)   # crossings fall between samples
    cr = mon.threshold_crossings(df, "female")
    for site in fx.SITES:
        assert cr[site][-1.0].day == pytest.approx(200.0, abs=1e-6)
        assert cr[site][-2.0].day == pytest.approx(600.0, abs=1e-6)
        assert cr[site][-2.5].day == pytest.approx(800.0, abs=1e-6)
        assert not cr[site][-1.0].already_below


def test_plan_text_has_disclaimer_once_guideline_and_dates():
    df = linear_fn_trajectory(-0.5, -3.0)
    text = mon.monitoring_plan(df, "postmenopausal_woman", 65.0)
    assert text.count(DISCLAIMER) == 1
    assert text.rstrip().endswith(DISCLAIMER)
    assert "Hadji" in text and "J Bone Oncol 2017" in text
    assert "Aromatase Inhibitor-Associated Bone Loss" in text
    assert "day 200" in text and "day 800" in text and "day 600" in text
    assert "every 1 to 2 years" in text
    assert "advises clinicians to consider" in text


def test_plan_is_not_an_instruction_to_the_patient():
    for t0, t1 in ((0.5, 0.3), (-1.6, -1.9), (-1.0, -3.0), (-2.6, -2.8)):
        text = mon.monitoring_plan(linear_fn_trajectory(t0, t1), "man", 70.0).lower()
        body = text.replace(DISCLAIMER.lower(), "")
        for phrase in ("you should", "you must", "take ", "start taking", "stop taking",
                       "ask your doctor for"):
            assert phrase not in body, phrase
        assert "extrapolation" in text   # guideline written for postmenopausal women


def test_plan_states_already_below_and_never_crossing():
    text = mon.monitoring_plan(linear_fn_trajectory(-2.7, -2.9), "postmenopausal_woman", 70.0)
    assert "already below -2.5 at the start" in text
    text = mon.monitoring_plan(linear_fn_trajectory(0.5, 0.4), "postmenopausal_woman", 60.0)
    assert "stays above -1.0" in text


def test_plan_rejects_unknown_phenotype():
    with pytest.raises(ValueError):
        mon.monitoring_plan(linear_fn_trajectory(0, -1), "alien", 60.0)


def test_plan_from_a_real_simulation():
    import boneaxis
    sc = {"patient": {"phenotype": "postmenopausal_woman", "age": 65},
          "treatments": [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}],
          "duration": "2 years", "output_every": "1 day"}
    df = boneaxis.simulate(sc)
    out = fx.add_fracture_columns(df, fx.SEX_OF_PHENOTYPE["postmenopausal_woman"], 65.0)
    assert np.all(np.isfinite(out["fracture_risk_10y_hip_pct"]))
    assert out["fracture_risk_10y_major_pct"].iloc[-1] > out["fracture_risk_10y_major_pct"].iloc[0]
    text = mon.monitoring_plan(df, "postmenopausal_woman", 65.0)
    assert text.count(DISCLAIMER) == 1


def test_denosumab_stop_is_described_with_the_projected_loss():
    import boneaxis
    from boneaxis.scenario import load_scenario

    sc = load_scenario({"patient": {"phenotype": "postmenopausal_woman", "age": 64,
                                    "years_since_menopause": 14}, "duration": "4 years",
                        "treatments": [{"drug": "denosumab", "dose": "60 mg", "every": "6 months",
                                        "stop": "2 years"}]})
    df = boneaxis.simulate(sc)
    last, due = mon.denosumab_stop(df, sc.treatments)
    assert last == pytest.approx(1.5 * 365.25, abs=1) and due == pytest.approx(730.5, abs=1)
    text = mon.monitoring_plan(df, "postmenopausal_woman", 64.0, treatments=sc.treatments)
    assert "Denosumab's last dose" in text and "Tsourdi" in text
    loss = mon._pct_change_between(df, "lumbar_spine", due, due + 365.25)
    assert loss < -3.0                      # the rebound takes back most of the gain
    assert f"lumbar spine {loss:+.1f}%" in text
    assert text.rstrip().endswith(DISCLAIMER)
    # a regimen that runs to the end of the scenario has no stop to describe
    on = load_scenario({**sc.model_dump(), "treatments": [
        {"drug": "denosumab", "dose": "60 mg", "every": "6 months"}]})
    assert mon.denosumab_stop(boneaxis.simulate(on), on.treatments) is None


def test_premenopausal_woman_and_young_man_get_the_age_matched_reading_older_people_do_not():
    import boneaxis
    from boneaxis.scenario import load_scenario
    gos = {"drug": "goserelin", "dose": "3.6 mg", "every": "28 days"}
    ana = {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}
    sc = load_scenario({"patient": {"phenotype": "premenopausal_woman", "age": 42},
                        "treatments": [gos, ana], "duration": "3 years",
                        "output_every": "30 days"})
    df = boneaxis.simulate(sc)
    text = mon.monitoring_plan(df, "premenopausal_woman", 42.0, treatments=sc.treatments)
    z = df["z_score_lumbar_spine"].to_numpy()
    assert z[-1] < z[0] - 0.5                      # ovarian suppression + AI: a real fall
    assert f"lumbar spine Z-score: {z[0]:+.2f} -> {z[-1]:+.2f}" in text
    assert "below the expected range for age" in text and "J Clin Densitom 2006;9:22-30" in text
    assert text.count(boneaxis.DISCLAIMER) == 1 and text.endswith(boneaxis.DISCLAIMER)
    assert "No Z-score here at the total hip or femoral neck" in text
    man45 = linear_fn_trajectory(0.0, -0.5)
    assert "Age-matched reading (men under 50)" in mon.monitoring_plan(man45, "man", 45.0)
    sc = load_scenario({"patient": {"phenotype": "man", "age": 45}, "treatments": [ana],
                        "duration": "2 years", "output_every": "30 days"})
    man = boneaxis.simulate(sc)
    text = mon.monitoring_plan(man, "man", 45.0, treatments=sc.treatments)
    zh = man["z_score_total_hip"].to_numpy()
    assert zh[-1] < zh[0]                          # anastrozole alone: men lose hip BMD too
    assert f"total hip Z-score: {zh[0]:+.2f} -> {zh[-1]:+.2f}" in text
    assert "No Z-score here at the femoral neck" in text
    for phenotype, age in (("man", 60.0), ("postmenopausal_woman", 45.0)):
        assert "Age-matched reading" not in mon.monitoring_plan(man45, phenotype, age)
