"""One test per published target: the model must land within the stated tolerance.

Targets the model cannot reach are marked xfail with the measured number in the reason (never
tuned away); `boneaxis validate` reports the same table.
"""

import numpy as np
import pytest

from boneaxis.calibration import targets as tg

# Known misses of the current mechanistic model, each reported with its numbers when it misses
# (docs/validation.md, docs/model.md).  A listed target that passes simply passes.
KNOWN_MISSES = {
    # men's hormones (Leder 2004 regimens disagree under one potency; no Leydig adaptation; LH
    # suppression by injected T (Matsumoto) against LH's rise on an AI (Leder))
    "leder_daily_t", "leder_daily_e2", "leder_twice_weekly_t", "leder_twice_weekly_e2",
    # (Burnett-Bowie's E2, -20 +/- 4, is from rounded pg/mL; the same trial's unrounded report,
    # 55.8 -> 42.2 pmol/L, is -24.4%, the model's -24.5)
    "burnett_bowie_e2", "burnett_bowie_t_12mo", "matsumoto_lh_te50",
    # letrozole in healthy young and elderly men (T'Sjoen, validation): LH x4.4 and x4.2, T x2.5
    # and x2.0 where the model, fitted to Leder's older hypogonadal men, gives LH +24/+43% and T
    # +23/+41%; the elderly men's E2 -62 vs -36. Refitting the male axis to them as well (an
    # experiment) reaches LH +53/+73%: rising T restores E2 through the testis (substrate
    # competition), the model's explanation of Leder's modest E2 fall, which T'Sjoen contradicts
    "tsjoen_young_lh", "tsjoen_young_t", "tsjoen_elderly_e2", "tsjoen_elderly_lh",
    "tsjoen_elderly_t",
    # ARIBON's CTX and bone ALP rise on anastrozole (calibration and validation): the fit leaves
    # CTX below the lower edge (+25.8 vs +34.9 +/- 7.0; it flips with refits) and formation below it
    "aribon_ctx_12mo", "aribon_formation_12mo",
    # premenopausal bone (validation): with the withdrawal term fitted to Fogelman's spine and
    # natural menopause, Fogelman's neck and ABCSG-12's goserelin + anastrozole miss by 0.2-0.3
    # (-4.9 vs -6.4, -13.6 vs -17.3), goserelin + tamoxifen loses too little (-5.5 vs -11.6 at 3
    # years) and so does tamoxifen alone (Powles -3.05 vs -4.3 +/- 1: adaptation follows the
    # receptor, and tamoxifen's partial agonism at an assumed 80% occupancy is a withdrawal for her)
    "powles_premenopausal_tamoxifen_spine_3y", "abcsg12_goserelin_tamoxifen_spine_3y",
    "fogelman_goserelin_neck_2y", "abcsg12_goserelin_anastrozole_spine_3y",
    # SABRE's moderate-risk placebo arm loses less than ATAC/IBIS-II women (validation; the spine
    # passes by a hair since the trial's calcium + vitamin D is in the arm)
    "sabre_placebo_spine_24mo", "sabre_placebo_hip_24mo",
    # a year off after ten years of denosumab (validation): the modeled rebound removes too little
    # of the gain, least at the hip
    "popp2018_spine_year_off", "popp2018_hip_year_off", "popp2018_neck_year_off",
    # ten years of denosumab (calibration): mineralization now builds at the pace of the
    # suppressed turnover, so the spine gains +14.4 vs +21.2 +/- 4.2 (the hip passes)
    "popp2018_spine_10y",
    # two years off after five of treatment (validation): ATAC's spine recovers more than the model
    # by year 7, IBIS-II's less (the two trials differ by 3x; the model sits between), and after
    # tamoxifen the model's spine loses what the SERM had been holding faster than ATAC reports
    # (year 6: -1.91 vs -0.79 +/- 1; the skeleton had adapted to the SERM's agonism)
    "atac_off_spine_7y", "atac_tamoxifen_off_spine_6y", "atac_tamoxifen_off_spine_7y",
    # MA.17B's placebo arm, the two years after tamoxifen (validation): -2.1/-1.9 vs -0.7/-0.7
    # (-1.8 with no withdrawal term: the remodeling space tamoxifen had closed reopens); its
    # letrozole arm passes (spine -5.1 vs -5.35, hip -4.4 vs -3.6)
    "ma17b_placebo_spine_24mo", "ma17b_placebo_hip_24mo",
    # N03CC (validation): letrozole after tamoxifen loses 3.5% of spine in the first year where
    # the trial saw 1.7, and upfront zoledronic acid gains 0.8 where it saw 3.7; the randomized
    # contrast passes (4.4 vs 5.3 +/- 1.1). The same early post-tamoxifen fall as MA.17B's placebo
    "n03cc_upfront_spine_12mo", "n03cc_delayed_spine_12mo",
    # ... while Cohen 2008 (n=5 on placebo after tamoxifen) saw more: femoral neck -5.2 vs -1.2
    "cohen2008_placebo_neck_12mo",
    # postmenopausal T on anastrozole (validation): +50% vs 0 in the model, which
    # has no androgen rise when aromatization stops (van Londen 2011 saw total T stable)
    "hadji_t_24mo",
    # IBIS-II's spine after anastrozole sits on its tolerance edge and flips with each refit
    # (2.27 vs 1.25 +/- 1 since free-T feedback and SHBG were added; 2.23, a pass, before)
    "ibis2_off_spine_anastrozole",
    # a single zoledronate dose (Grey 2017, validation): the slow phase of the bone-surface pool
    # carries the effect for years, but the first two years gain less than reported, and 2.5 mg
    # lasts longer than reported
    "grey2017_zol_1mg_spine_2y", "grey2017_zol_2p5mg_spine_2y", "grey2017_zol_2p5mg_spine_5y",
    "grey2017_zol_2p5mg_hip_2y", "grey2017_zol_5mg_spine_2y", "grey2017_zol_5mg_hip_2y",
    # ... and the 5 mg hip at 5 years (calibration) sits near its lower edge (+4.45 vs +5.4 +/-
    # 1.08, a pass; +4.318, a miss by 0.002, with the withdrawal term fitted to Fogelman alone)
    "grey2017_zol_5mg_hip_5y",
    # alendronate 70 mg weekly in osteoporotic women without an AI (Schnitzer 2000, Rizzoli 2002;
    # validation): spine +2.6 vs +5.1 at 12 months, +3.6 vs +6.8 and hip +2.0 vs +4.1 at 24. The
    # gain saturates near +3.3% at 12 months whatever alendronate's potency (bp_emax caps the
    # suppression); a refit with these rows as calibration and alendronate's potency free reached
    # them (+4.4, +5.6, +3.5) but pushed Z-FAST's zoledronate-on-AI differences past tolerance
    # (spine 5.9 vs 4.4 +/- 1.0, hip 4.3 vs 3.3 +/- 1.0), so it was not kept.
    # The same under-prediction of bisphosphonate gains without an AI as Grey 2017's
    "alendronate_weekly_spine_12mo", "alendronate_weekly_spine_24mo", "alendronate_weekly_hip_24mo",
    # fracture outcome (validation): the model's fracture risk follows BMD alone, which carries
    # only part of an antiresorptive's benefit (ABCSG-18: HR 0.92 from BMD vs 0.50 reported;
    # FREEDOM, whose BMD rows pass: hip fracture 0.87 vs 0.60, major vs nonvertebral 0.94 vs 0.80)
    # and on the harm side: ATAC's fracture HR, anastrozole vs tamoxifen over 5 years, 1.08 vs 1.49
    "abcsg18_fracture_hr_36mo", "freedom_hip_fracture_hr_36mo", "freedom_major_fracture_hr_36mo",
    "atac_fracture_hr_5y",
    # denosumab in castrated men (validation): the spine keeps gaining in the third year, where
    # HALT's men gained little (spine +9.7 vs +7.9, hip +7.5 vs +5.7 at 36 months); since the
    # withdrawal term the placebo arm, six months into ADT, loses faster and 24 months sits near
    # the edge (+7.9 vs +6.7 +/- 1.3, a pass)
    "halt_spine_vs_placebo_24mo", "halt_spine_vs_placebo_36mo", "halt_hip_vs_placebo_36mo",
    # HALT's placebo arm on its own loses -2.8 vs -1.0% at 24 months: with 6 months of prior ADT
    # (assumed) its men are early in their estrogen withdrawal; 3 years of prior ADT would give -1.3.
    # Men starting ADT (Yu 2012, 9 months) pass at the spine (-2.6 vs -3.4) and, on the edge, at the
    # hip (-2.0 vs -1.2): the hip's imbalance scale was fitted to women on AIs
    "halt_placebo_spine_24mo", "yu2012_adt_hip_9mo",
    # the neck/hip rate ratio is fitted to ABCSG-18 at 36 months (0.73); ten years of denosumab
    # (Popp, n=12) gain nearly as much at the neck as at the hip, which one ratio cannot give
    # (validation: +6.0 vs +8.1 +/- 1.6)
    "popp2018_neck_10y",
    # exogenous testosterone in normal men (validation): with SHBG binding T rises less than the
    # dose, but still about twice as much as reported (+99 vs +50% at 100 mg/week)
    "matsumoto_t_te100", "matsumoto_t_te300",
    # anastrozole in ovariectomized transmen on testosterone (validation): with no gonad all E2 is
    # peripheral, so the model removes 93% of it (reported mean -42%, a skewed distribution) and
    # CTX rises 41% where bone markers did not change
    "bunck_transmen_e2", "bunck_transmen_ctx_vs_placebo",
}


@pytest.fixture(scope="module")
def table():
    # each target against the same statistic of a seeded virtual arm (100 patients)
    return tg.results().set_index("id")


_, _TARGETS = tg.load()


@pytest.mark.parametrize("target", _TARGETS, ids=[t.id for t in _TARGETS])
def test_target_within_tolerance(table, target):
    row = table.loc[target.id]
    if target.id in KNOWN_MISSES and not row.passed:
        pytest.xfail(f"{target.id}: simulated {row.simulated:.1f} vs reported {row.reported:.1f} "
                     f"(tolerance {row.tolerance:.1f})")
    assert abs(row.simulated - row.reported) <= row.tolerance, (
        f"{target.id}: simulated {row.simulated:.2f}, reported {row.reported:.2f} "
        f"+/- {row.tolerance:.2f} ({target.citation})")


def test_tolerance_rule():
    t = {x.id: x for x in _TARGETS}
    assert t["atac_spine_5y"].tolerance == pytest.approx(0.2 * 6.08)
    assert t["atac_spine_2y"].tolerance == pytest.approx(1.0)   # 20% of 4.1 < 1 pp


def test_calibration_and_validation_are_separate():
    roles = {t.role for t in _TARGETS}
    assert roles == {"calibration", "validation"}
    from boneaxis.calibration import fit
    used = {t.id for s in ("aromatase", "inhibitors", "male_axis", "gnrh", "female_axis",
                           "tamoxifen_axis", "bone")
            for t in fit._stage_targets(s)}
    assert used == {t.id for t in _TARGETS if t.role == "calibration"}


def test_virtual_arm_differs_from_typical_patient_but_not_by_much(table):
    gap = (table.simulated - table.typical).abs()
    assert gap.max() > 0.01          # the virtual arm is really simulated
    # per target: within its tolerance, or 15% of the value for large ratios (a mean of % changes
    # of T across patients exceeds the typical patient's: 593 vs 525% on 300 mg/week enanthate)
    bound = np.maximum(table.tolerance, 0.15 * table.typical.abs())
    assert (gap <= bound).all(), gap[gap > bound]


def test_window_statistics_of_a_target():
    """`stat: max` takes the peak inside (since, time]; `stat: change_since` re-bases a % change."""
    import dataclasses

    import pandas as pd

    frame = pd.DataFrame({"time_days": [0.0, 1.0, 2.0, 3.0],
                          "ctx_pct_change": [0.0, 80.0, 40.0, 10.0],
                          "bmd_lumbar_spine_pct_change": [0.0, 10.0, 20.0, 8.0]})
    base = tg.Target(id="x", arm="a", quantity="ctx_pct_change", time_h=72.0, value=0.0,
                     tolerance=1.0, role="validation", stat="max", citation="", since_h=36.0)
    assert tg.evaluate(base, frame, {}) == pytest.approx(40.0)   # the 80 before `since` is ignored
    change = dataclasses.replace(base, quantity="bmd_lumbar_spine_pct_change",
                                 stat="change_since", since_h=48.0)
    assert tg.evaluate(change, frame, {}) == pytest.approx(100.0 * (1.08 / 1.20 - 1.0))


def test_report_shows_enough_digits_to_explain_a_verdict():
    from types import SimpleNamespace as Row

    from boneaxis.report.validation import _simulated
    edge = Row(simulated=20.0037, reported=0.0, tolerance=20.0)
    assert _simulated(edge) == "20.0037"          # "20.00" would read as a pass printed as a miss
    assert _simulated(Row(simulated=19.5, reported=0.0, tolerance=20.0)) == "19.50"


def test_hazard_ratio_target_is_a_ratio_of_the_two_arms():
    import dataclasses

    import boneaxis
    arms, targets = tg.load()
    t = next(x for x in targets if x.id == "abcsg18_fracture_hr_36mo")
    pt = arms[t.arm]["patient"]
    ai = {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}
    same = boneaxis.simulate({"patient": pt, "treatments": [ai], "duration": "36 months"})
    assert tg.paired_value(t, same, same, arms) == pytest.approx(1.0)
    with_dmab = boneaxis.simulate({"patient": pt, "duration": "36 months", "treatments": [
        ai, {"drug": "denosumab", "dose": "60 mg", "every": "6 months"}]})
    assert tg.paired_value(t, with_dmab, same, arms) < 1.0 < tg.paired_value(t, same, with_dmab, arms)
    # a difference target on the same pair is a difference, not a ratio
    diff = dataclasses.replace(t, quantity="bmd_lumbar_spine_pct_change")
    assert tg.paired_value(diff, same, same, arms) == pytest.approx(0.0)


def test_ratio_of_means_summary_is_the_change_of_the_arm_mean():
    """Trials report hormones as "baseline mean -> on-treatment mean": 300 -> 600 and 500 -> 600
    ng/dL are +100% and +20% each (mean +60%) but +50% for the arm (400 -> 600)."""
    import pandas as pd

    frames = [pd.DataFrame({"time_days": [0.0, 1.0], "testosterone_ng_dl": [b, 600.0]})
              for b in (300.0, 500.0)]
    t = tg.Target(id="x", arm="a", quantity="testosterone_pct_change", time_h=24.0, value=0.0,
                  tolerance=1.0, role="validation", stat="", citation="",
                  summary="ratio_of_means")
    values = np.array([tg.evaluate(t, f, {}) for f in frames])
    assert values.mean() == pytest.approx(60.0)
    assert tg._summarise(t, frames, {}, values) == pytest.approx(50.0)
