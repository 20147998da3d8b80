"""Fracture-risk layer: T-scores, 10-year probabilities, hazard ratios (model/fracture.py)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boneaxis
from boneaxis.model import fracture as fx
from boneaxis.model.phenotypes import PHENOTYPES

SETTINGS = settings(max_examples=200, deadline=None)
sexes = st.sampled_from(["male", "female"])
ages = st.floats(40.0, 95.0)
kinds = st.sampled_from(["major", "hip"])


def trajectory(fn0=0.71, loss_pct_per_year=1.0, years=5, every_d=1.0):
    t = np.arange(0.0, years * 365.25 + 1e-9, every_d)
    rel = 1.0 - loss_pct_per_year / 100.0 * t / 365.25
    return pd.DataFrame({
        "time_days": t,
        "bmd_lumbar_spine_g_cm2": 0.94 * rel,
        "bmd_total_hip_g_cm2": 0.85 * rel,
        "bmd_femoral_neck_g_cm2": fn0 * rel,
    })


# ------------------------------------------------------------------ T-scores

def test_t_score_femoral_neck_female_reference():
    assert fx.t_score(0.858, "femoral_neck", "female") == pytest.approx(0.0, abs=1e-12)
    assert fx.t_score(0.738, "femoral_neck", "female") == pytest.approx(-1.0, abs=1e-12)
    assert fx.t_score(0.558, "femoral_neck", "female") == pytest.approx(-2.5, abs=1e-12)


def test_female_reference_is_default_for_men_and_sex_specific_differs():
    assert fx.t_score(0.738, "femoral_neck", "male") == pytest.approx(-1.0)
    mean, sd = fx.YOUNG_ADULT_REFERENCE["male"]["femoral_neck"]
    assert fx.t_score(mean - sd, "femoral_neck", "male", "sex_specific") == pytest.approx(-1.0)
    assert fx.t_score(0.738, "femoral_neck", "male", "sex_specific") < -1.0


@pytest.mark.parametrize("site", fx.SITES)
@pytest.mark.parametrize("sex", ["male", "female"])
def test_t_score_round_trip_and_vectorised(site, sex):
    t = np.linspace(-4, 2, 13)
    for ref in ("female", "sex_specific"):
        back = fx.t_score(fx.bmd_from_t_score(t, site, sex, ref), site, sex, ref)
        np.testing.assert_allclose(back, t, atol=1e-12)


def test_bad_inputs_raise():
    with pytest.raises(ValueError):
        fx.t_score(0.8, "wrist", "female")
    with pytest.raises(ValueError):
        fx.t_score(0.8, "femoral_neck", "woman")
    with pytest.raises(ValueError):
        fx.t_score(0.8, "femoral_neck", "female", reference="male")


def test_every_table_has_a_citation():
    for key, src in fx.REFERENCES.items():
        assert isinstance(src, (str, dict)) and src, key
    for site in fx.SITES:
        assert any(ch.isdigit() for ch in fx.YOUNG_ADULT_REFERENCE_SOURCE[site])


def test_sex_of_phenotype_covers_all_phenotypes():
    for p in PHENOTYPES:
        assert fx.SEX_OF_PHENOTYPE[p] in ("male", "female")
    assert fx.SEX_OF_PHENOTYPE["postmenopausal_woman"] == "female"
    assert fx.SEX_OF_PHENOTYPE["premenopausal_woman"] == "female"
    assert fx.SEX_OF_PHENOTYPE["ovariectomized_transman"] == "female"
    assert fx.SEX_OF_PHENOTYPE["man"] == "male"


# ------------------------------------------------------------------ probabilities

@SETTINGS
@given(t_hi=st.floats(-4.5, 2.0), d=st.floats(0.01, 3.0), age=ages, sex=sexes, kind=kinds)
def test_lower_bmd_gives_higher_10y_risk(t_hi, d, age, sex, kind):
    p_hi = fx.ten_year_probability(t_hi, age, sex, kind)
    p_lo = fx.ten_year_probability(t_hi - d, age, sex, kind)
    assert p_lo > p_hi


@SETTINGS
@given(t=st.floats(-6.0, 4.0), age=st.floats(20.0, 110.0), sex=sexes, kind=kinds,
       cm=st.booleans())
def test_probability_finite_and_in_unit_interval(t, age, sex, kind, cm):
    p = fx.ten_year_probability(t, age, sex, kind, competing_mortality=cm)
    assert np.isfinite(p) and 0.0 <= p <= 1.0


@SETTINGS
@given(t=st.floats(-4.5, 2.0), age=ages, sex=sexes, kind=kinds)
def test_competing_mortality_lowers_risk(t, age, sex, kind):
    with_death = fx.ten_year_probability(t, age, sex, kind, competing_mortality=True)
    without = fx.ten_year_probability(t, age, sex, kind, competing_mortality=False)
    assert with_death < without


@SETTINGS
@given(bmd_hi=st.floats(0.45, 1.1), d=st.floats(0.005, 0.3), age=ages, sex=sexes)
def test_trajectory_columns_monotone_in_bmd(bmd_hi, d, age, sex):
    a = fx.add_fracture_columns(trajectory(fn0=bmd_hi, years=1, every_d=7.0), sex, age)
    b = fx.add_fracture_columns(trajectory(fn0=bmd_hi - d, years=1, every_d=7.0), sex, age)
    for col in ("fracture_risk_10y_major_pct", "fracture_risk_10y_hip_pct"):
        assert np.all(b[col].to_numpy() > a[col].to_numpy())
        assert np.all((a[col] >= 0) & (a[col] <= 100)) and np.all(np.isfinite(a[col]))


def test_hip_gradient_steeper_than_major():
    # Johnell 2005: per SD, ~2.9 for hip vs ~1.4 for any osteoporotic fracture at 65
    r_hip = fx.ten_year_probability(-3.0, 65, "female", "hip") / \
        fx.ten_year_probability(-1.0, 65, "female", "hip")
    r_maj = fx.ten_year_probability(-3.0, 65, "female", "major") / \
        fx.ten_year_probability(-1.0, 65, "female", "major")
    assert r_hip > r_maj > 1.0
    assert fx.gradient_per_sd(65, "male", "hip") == pytest.approx(2.94)
    assert fx.gradient_per_sd(65, "female", "major") == pytest.approx(1.38)


def test_risk_rises_with_age_at_fixed_t_score():
    p = fx.ten_year_probability(-2.0, np.array([50.0, 60.0, 70.0, 80.0]), "female", "hip")
    assert np.all(np.diff(p) > 0)


def test_population_mean_hazard_matches_incidence():
    # averaging the hazard over T ~ N(Tbar, 1) recovers the population incidence
    z = np.linspace(-8, 8, 4001)
    w = np.exp(-0.5 * z ** 2)
    w /= w.sum()
    for sex in ("male", "female"):
        tbar = fx.age_matched_fn_t_score(70.0, sex)
        h = fx.fracture_hazard_per_year(tbar + z, 70.0, sex, "hip")
        assert np.sum(w * h) == pytest.approx(float(fx.hip_incidence_per_year(70.0, sex)), rel=1e-6)


def test_incidence_anchors_reproduced():
    assert fx.hip_incidence_per_year(67.0, "female") * 1000 == pytest.approx(2.2)
    assert fx.hip_incidence_per_year(92.0, "female") * 1000 == pytest.approx(31.8)
    assert fx.hip_incidence_per_year(67.0, "male") * 1000 == pytest.approx(0.9)
    assert fx.hip_incidence_per_year(92.0, "male") * 1000 == pytest.approx(20.8)


# ------------------------------------------------------------------ trajectory columns

def test_add_fracture_columns_shape_and_values():
    df = trajectory()
    out = fx.add_fracture_columns(df, "female", 65.0)
    assert df.columns.tolist() == trajectory().columns.tolist()  # input untouched
    for s in fx.SITES:
        np.testing.assert_allclose(out[f"t_score_{s}"],
                                   fx.t_score(df[f"bmd_{s}_g_cm2"], s, "female"))
    # the first row equals the direct computation (BMD after the run is held constant)
    assert len(out) == len(df)
    maj = out["fracture_risk_10y_major_pct"].to_numpy()
    assert np.all(np.diff(maj) > 0)          # losing bone and ageing: risk rises along the run


def test_constant_trajectory_matches_constant_probability():
    df = trajectory(loss_pct_per_year=0.0, years=1)
    out = fx.add_fracture_columns(df, "male", 70.0)
    t = float(fx.t_score(0.71, "femoral_neck", "male"))
    for kind in ("major", "hip"):
        direct = 100 * fx.ten_year_probability(t, 70.0, "male", kind)
        assert out[f"fracture_risk_10y_{kind}_pct"].iloc[0] == pytest.approx(direct, rel=1e-9)
        later = 100 * fx.ten_year_probability(t, 71.0, "male", kind)
        assert out[f"fracture_risk_10y_{kind}_pct"].iloc[-1] == pytest.approx(later, rel=1e-3)


def test_future_bone_loss_counted_in_risk_at_start():
    flat = fx.add_fracture_columns(trajectory(loss_pct_per_year=0.0), "female", 65.0)
    losing = fx.add_fracture_columns(trajectory(loss_pct_per_year=2.0), "female", 65.0)
    # same BMD at t=0, but the 10-year window starting at 0 sees the loss that follows
    col = "fracture_risk_10y_major_pct"
    assert losing[col].iloc[0] > flat[col].iloc[0]


def test_add_fracture_columns_fast_for_5y_daily():
    df = trajectory(years=5)
    assert len(df) == 1827
    fx.add_fracture_columns(df, "female", 65.0)
    t0 = time.perf_counter()
    n = 20
    for _ in range(n):
        fx.add_fracture_columns(df, "female", 65.0)
    assert (time.perf_counter() - t0) / n < 0.020


# ------------------------------------------------------------------ hazard ratio

def test_hazard_ratio_identical_is_one():
    df = trajectory()
    for kind in ("major", "hip"):
        assert fx.fracture_hazard_ratio(df, df, "female", 65.0, 0.0, 1096.0, kind) == \
            pytest.approx(1.0, abs=1e-12)


@SETTINGS
@given(loss=st.floats(0.2, 5.0), age=ages, sex=sexes, kind=kinds)
def test_hazard_ratio_lower_bmd_above_one(loss, age, sex, kind):
    drug = trajectory(loss_pct_per_year=loss, years=3, every_d=7.0)
    placebo = trajectory(loss_pct_per_year=0.0, years=3, every_d=7.0)
    hr = fx.fracture_hazard_ratio(drug, placebo, sex, age, 0.0, 3 * 365.25, kind)
    assert hr > 1.0
    assert fx.fracture_hazard_ratio(placebo, drug, sex, age, 0.0, 3 * 365.25, kind) < 1.0


def test_hazard_ratio_of_a_uniform_shift_is_the_gradient():
    a = trajectory(fn0=0.71 - 0.120, loss_pct_per_year=0.0)   # exactly 1 SD lower
    b = trajectory(fn0=0.71, loss_pct_per_year=0.0)
    hr = fx.fracture_hazard_ratio(a, b, "female", 65.0, 0.0, 1.0, "hip")
    assert hr == pytest.approx(float(fx.gradient_per_sd(65.0, "female", "hip")), rel=1e-3)


def test_hazard_ratio_rejects_empty_period():
    df = trajectory()
    with pytest.raises(ValueError):
        fx.fracture_hazard_ratio(df, df, "female", 65.0, 100.0, 100.0)


# ------------------------------------------------------- trial-level meta-regression (Bouxsein)

@pytest.mark.parametrize("kind,points", [("vertebral", [(2.0, 0.72), (6.0, 0.34)]),
                                         ("hip", [(2.0, 0.84), (6.0, 0.60)])])
def test_meta_regression_reproduces_the_published_predictions(kind, points):
    for d, rr in points:
        assert fx.treatment_relative_risk(d, kind) == pytest.approx(rr, rel=1e-12)
    # between the two published points the line is log-linear: 4 points is their geometric mean
    assert fx.treatment_relative_risk(4.0, kind) == pytest.approx(
        (points[0][1] * points[1][1]) ** 0.5, rel=1e-12)


@SETTINGS
@given(d=st.floats(0.0, 15.0), step=st.floats(0.01, 5.0),
       kind=st.sampled_from(["vertebral", "hip"]))
def test_meta_regression_risk_falls_as_the_gain_grows(d, step, kind):
    lo, hi = fx.treatment_relative_risk(d, kind), fx.treatment_relative_risk(d + step, kind)
    assert 0.0 < hi < lo < 1.1


@pytest.mark.parametrize("bad,kind,match", [(-0.5, "hip", "below 0"), (float("nan"), "hip", "finite"),
                                            (2.0, "major", "kind")])
def test_meta_regression_refuses_losses_and_bad_input(bad, kind, match):
    with pytest.raises(ValueError, match=match):
        fx.treatment_relative_risk(bad, kind)


def test_trial_relative_risk_reads_the_total_hip_difference_of_two_runs():
    slow = trajectory(loss_pct_per_year=0.5, years=3, every_d=0.25)
    fast = trajectory(loss_pct_per_year=2.5, years=3, every_d=0.25)
    day = 3 * 365.25
    # slow loses 1.5%, fast 7.5% of total hip by 3 years: a 6-point difference
    assert fx.total_hip_difference_pct_points(slow, fast, day) == pytest.approx(6.0, abs=1e-9)
    assert fx.trial_relative_risk(slow, fast, day, "hip") == pytest.approx(0.60, rel=1e-9)
    assert fx.trial_relative_risk(slow, slow, day, "vertebral") == pytest.approx(
        np.exp(fx.meta_regression_line("vertebral")[0]))
    with pytest.raises(ValueError, match="below 0"):
        fx.trial_relative_risk(fast, slow, day, "hip")
    with pytest.raises(ValueError, match="outside the simulated"):
        fx.trial_relative_risk(slow, fast, 5 * 365.25, "hip")


def test_z_score_lumbar_spine_against_the_tabulated_reference():
    from boneaxis.model.fracture import z_score

    assert float(z_score(0.952, "lumbar_spine", "female", 65.5)) == pytest.approx(0.0, abs=1e-12)
    assert float(z_score(1.057 + 0.110, "lumbar_spine", "male", 25.5)) == pytest.approx(1.0)
    # between decades: linear in age; the same BMD scores lower at 60 than at 70 in women
    assert float(z_score(0.9, "lumbar_spine", "female", 60)) < float(
        z_score(0.9, "lumbar_spine", "female", 70))
    with pytest.raises(ValueError, match="no verified age-matched reference"):
        z_score(0.8, "femoral_neck", "female", 60)


def test_total_hip_z_score_for_men_only_against_the_tabulated_reference():
    """Men's total hip: NHANES means (SD) by decade from Varatharajan 2026 Table 3; women have no
    verified age-matched hip table, so asking for one is an error, not a number."""
    from boneaxis.model.fracture import Z_SCORE_SITES, Z_SCORE_SITES_BY_SEX, z_score

    assert float(z_score(0.997, "total_hip", "male", 65.5)) == pytest.approx(0.0, abs=1e-12)
    assert float(z_score(1.067 - 0.120, "total_hip", "male", 25.5)) == pytest.approx(-1.0)
    # midway between the 61-70 and 71-80 rows: mean 0.979, SD 0.140
    assert float(z_score(0.979 - 0.140, "total_hip", "male", 70.5)) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="in women"):
        z_score(0.9, "total_hip", "female", 60)
    assert Z_SCORE_SITES == ("lumbar_spine",)
    assert Z_SCORE_SITES_BY_SEX["male"] == ("lumbar_spine", "total_hip")
    man = boneaxis.simulate({"patient": {"phenotype": "man", "age": 40},
                             "duration": "1 year", "output_every": "90 days"})
    woman = boneaxis.simulate({"patient": {"phenotype": "premenopausal_woman", "age": 40},
                               "duration": "1 year", "output_every": "90 days"})
    assert np.allclose(man.z_score_total_hip, z_score(man.bmd_total_hip_g_cm2, "total_hip",
                                                      "male", 40 + man.time_days / 365.25))
    assert abs(man.z_score_total_hip.iloc[0]) < 0.01      # default BMD = the age-matched mean
    assert "z_score_total_hip" not in woman.columns


def test_simulate_reports_spine_z_score_with_age_advancing():
    df = boneaxis.simulate({"patient": {"phenotype": "postmenopausal_woman", "age": 65.5},
                            "duration": "2 years", "output_every": "30 days"})
    from boneaxis.model.fracture import z_score

    expected = z_score(df.bmd_lumbar_spine_g_cm2, "lumbar_spine", "female",
                       65.5 + df.time_days / 365.25)
    assert np.allclose(df.z_score_lumbar_spine, expected)


def test_life_table_and_major_to_hip_ratio_are_the_published_values():
    from boneaxis.model.fracture import (
        hip_incidence_per_year, major_incidence_per_year, mortality_hazard_per_year,
    )

    assert float(mortality_hazard_per_year(70, "female")) == pytest.approx(-np.log1p(-0.014484))
    assert float(mortality_hazard_per_year(85, "male")) == pytest.approx(-np.log1p(-0.093585))
    ratio = major_incidence_per_year(75, "female") / hip_incidence_per_year(75, "female")
    assert float(ratio) == pytest.approx(11.0 / 2.3)


def test_default_bmd_is_the_age_matched_mean():
    """With no BMD given, a patient has the mean BMD of their sex and age: spine Z-score 0, and a
    45-year-old woman has more bone than a 68-year-old one (the defaults used to be age-blind)."""
    from boneaxis import Scenario, simulate
    from boneaxis.model.phenotypes import default_bmd_g_cm2

    for ph, age in (("premenopausal_woman", 45.0), ("man", 50.0), ("postmenopausal_woman", 68.0)):
        df = simulate(Scenario.model_validate(
            {"patient": {"phenotype": ph, "age": age}, "duration": "30 days"}))
        assert abs(df["z_score_lumbar_spine"].iloc[0]) < 0.01
    for site in ("lumbar_spine", "total_hip", "femoral_neck"):
        assert (default_bmd_g_cm2("premenopausal_woman", site, 45.0)
                > default_bmd_g_cm2("postmenopausal_woman", site, 68.0))
    ages = np.array([45.0, 68.0])
    assert default_bmd_g_cm2("man", "total_hip", ages).tolist() == [
        default_bmd_g_cm2("man", "total_hip", a) for a in ages]
