"""E2 feedback on LH by sex: men compensate an aromatase inhibitor, postmenopausal women do not."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boneaxis
from boneaxis.model import parameters as pm
from boneaxis.model.phenotypes import baseline, patient_constants

ANASTROZOLE = {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}


def _lh_change_pct(phenotype, age, treatments, duration):
    df = boneaxis.simulate({"patient": {"phenotype": phenotype, "age": age},
                            "treatments": treatments, "duration": duration})
    return 100.0 * (df.lh_iu_l.iloc[-1] / df.lh_iu_l.iloc[0] - 1.0)


@pytest.mark.parametrize("phenotype", ["postmenopausal_woman", "premenopausal_woman",
                                       "ovariectomized_transman"])
def test_women_and_transmen_use_the_womens_feedback_curve(phenotype):
    p = pm.params()
    base = baseline(phenotype, 50.0, {}, {}, p)
    pc = patient_constants(phenotype, 50.0, base, p)
    assert (pc.lh_fb_e2_k_pg_ml, pc.lh_fb_e2_hill) == (p.lh_e2_k_female_pg_ml,
                                                       p.lh_e2_hill_female)
    man = patient_constants("man", 50.0, baseline("man", 50.0, {}, {}, p), p)
    assert (man.lh_fb_e2_k_pg_ml, man.lh_fb_e2_hill) == (p.lh_e2_k_pg_ml, p.lh_e2_hill)


def test_postmenopausal_lh_does_not_rise_when_an_ai_removes_the_last_e2():
    # Climacteric 2014 (doi 10.3109/13697137.2014.929105): LH -11%, FSH +6% over two years of
    # anastrozole while E2 fell 92%.  The men's curve gave +213%.
    assert abs(_lh_change_pct("postmenopausal_woman", 64, [ANASTROZOLE], "2 years")) < 15.0


def test_men_and_premenopausal_women_still_raise_lh_on_an_ai():
    # Leder 2004: +55% in older men; Fertil Steril 2011 95:2063: more than doubled in young women
    assert _lh_change_pct("man", 68, [ANASTROZOLE], "12 weeks") > 25.0
    letrozole = {"drug": "letrozole", "dose": "2.5 mg", "every": "1 day"}
    assert _lh_change_pct("premenopausal_woman", 30, [letrozole], "7 days") > 80.0


TAMOXIFEN = {"drug": "tamoxifen", "dose": "20 mg", "every": "1 day"}


@pytest.mark.parametrize("e2", [0.5, 7.0, 25.0, 120.0, 400.0])
def test_without_tamoxifen_the_receptor_form_is_the_plain_hill_term(e2):
    from boneaxis.model.endocrine import lh_feedback_denominator
    p = pm.params()
    for k, n in ((p.lh_e2_k_pg_ml, p.lh_e2_hill), (p.lh_e2_k_female_pg_ml, p.lh_e2_hill_female)):
        assert lh_feedback_denominator(e2, 0.0, 0.0, k, n, p) == pytest.approx(1 + (e2 / k) ** n)


def test_tamoxifen_lowers_postmenopausal_lh_and_raises_premenopausal_e2_at_unchanged_lh():
    # a partial agonist at the hypothalamus raises a low E2 signal (postmenopausal gonadotropins
    # fall on tamoxifen) and stimulates the ovary directly (Groom 1979: E2 doubled, LH unchanged)
    assert _lh_change_pct("postmenopausal_woman", 64, [TAMOXIFEN], "1 year") < -20.0
    df = boneaxis.simulate({"patient": {"phenotype": "premenopausal_woman", "age": 35},
                            "treatments": [TAMOXIFEN], "duration": "8 weeks"})
    e2, lh = df.estradiol_pg_ml, df.lh_iu_l
    assert e2.iloc[-1] / e2.iloc[0] > 1.6
    assert abs(lh.iloc[-1] / lh.iloc[0] - 1.0) < 0.2


def test_only_the_ovary_is_stimulated_by_tamoxifen():
    p = pm.params()
    for phenotype, gain in (("premenopausal_woman", p.tam_ovarian_gain), ("man", 0.0),
                            ("postmenopausal_woman", 0.0)):
        pc = patient_constants(phenotype, 40.0, baseline(phenotype, 40.0, {}, {}, p), p)
        assert pc.tam_gonad_gain == gain


@settings(max_examples=200, deadline=None)
@given(e2=st.floats(0.0, 1e4), theta=st.floats(0.0, 0.999), ft=st.floats(0.0, 50.0),
       female=st.booleans())
def test_feedback_denominator_is_finite_at_least_one_and_falls_with_less_e2(e2, theta, ft, female):
    from boneaxis.model.endocrine import lh_feedback_denominator
    p = pm.params()
    k, n = ((p.lh_e2_k_female_pg_ml, p.lh_e2_hill_female) if female
            else (p.lh_e2_k_pg_ml, p.lh_e2_hill))
    d = lh_feedback_denominator(e2, theta, ft, k, n, p)
    assert math.isfinite(d) and d >= 1.0
    # less E2 never means more feedback (LH never falls when E2 does), whatever the tamoxifen
    assert lh_feedback_denominator(0.5 * e2, theta, ft, k, n, p) <= d + 1e-12
