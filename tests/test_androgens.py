"""Exogenous testosterone and the male axis: label levels and the Finkelstein 2016 design."""

import warnings

import pytest

import boneaxis

GOSERELIN = {"drug": "goserelin", "dose": "3.6 mg", "every": "28 days"}


def _run(treatments, weeks=16, age=35):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # goserelin in a man: a non-standard use, by design here
        return boneaxis.simulate({"patient": {"phenotype": "man", "age": age},
                                  "treatments": treatments, "duration": f"{weeks} weeks"})


def _gel(g_per_day):
    # AndroGel 1%: g of gel x 10 = mg of testosterone applied
    return {"drug": "testosterone_gel", "dose": f"{10 * g_per_day:g} mg", "every": "1 day"}


def test_gel_50_mg_daily_restores_the_normal_range_in_a_suppressed_man():
    # AndroGel label: ~10% of the applied dose absorbed; 50 mg daily gives levels that
    # approximate the normal range (298-1043 ng/dL).  Goserelin removes the man's own T.
    alone = _run([GOSERELIN]).testosterone_ng_dl.iloc[-1]
    on_gel = _run([GOSERELIN, _gel(5)]).iloc[28:].testosterone_ng_dl
    assert alone < 200
    assert 298 <= on_gel.min() and on_gel.max() <= 1043
    # the absorbed share is counted once: 10% of 50 mg/day over a ~1000 L/day clearance
    assert on_gel.mean() - alone == pytest.approx(500, rel=0.25)


def test_resorption_rises_as_testosterone_falls_and_more_without_aromatization():
    # Finkelstein 2016 J Clin Invest 126:1114 (men on goserelin + 0-10 g testosterone gel, with or
    # without anastrozole, 16 weeks): CTX rose as the T dose fell, and rose considerably more when
    # aromatization was also blocked; DXA BMD fell modestly.
    ana = {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}
    ctx, ctx_ai = [], []
    for g in (0, 1.25, 2.5, 5, 10):
        tr = [GOSERELIN] + ([_gel(g)] if g else [])
        ctx.append(_run(tr).ctx_pct_change.iloc[-1])
        ctx_ai.append(_run(tr + [ana]).ctx_pct_change.iloc[-1])
    assert all(a > b for a, b in zip(ctx, ctx[1:]))          # falls as the dose rises
    assert all(a > b + 20 for a, b in zip(ctx_ai, ctx))      # far more with the AI
    assert _run([GOSERELIN, _gel(5), ana]).bmd_lumbar_spine_pct_change.iloc[-1] > -3


@pytest.mark.parametrize("drug, fraction", [("testosterone_enanthate", 0.72),
                                            ("testosterone_cypionate", 0.70)])
def test_ester_testosterone_counts_the_ester_fraction_once(drug, fraction):
    # steady state: mean added T = weekly testosterone mass / 7 days over the metabolic clearance
    from boneaxis.model.parameters import params
    df = boneaxis.simulate({"patient": {"phenotype": "man", "age": 50}, "duration": "12 weeks",
                            "output_every": "1 h",
                            "treatments": [{"drug": drug, "dose": "100 mg", "every": "1 week"}]})
    week = df[df.time_days > 11 * 7]
    cl_l_per_day = params().t_cl_l_per_h * 24.0
    expected = fraction * 100.0 / 7.0 / cl_l_per_day * 1e5      # mg/L -> ng/dL
    assert week.testosterone_exogenous_ng_dl.mean() == pytest.approx(expected, rel=0.02)
