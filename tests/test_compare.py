"""`boneaxis compare`: the directions the seed article's tables state."""

import pytest

from boneaxis.trials.compare import run_compare


@pytest.fixture(scope="module")
def table():
    t = run_compare().table
    return t.set_index(["case", "arm", "year"])


def _delta(table, case, col, year=1):
    return table.loc[(case, "anastrozole", year), col] - table.loc[(case, "untreated", year), col]


@pytest.mark.parametrize("case", ["man_on_trt", "older_man_low_t", "postmenopausal_woman"])
def test_e2_falls_in_every_case(table, case):
    e2_treated = table.loc[(case, "anastrozole", 1), "estradiol_pg_ml"]
    e2_untreated = table.loc[(case, "untreated", 1), "estradiol_pg_ml"]
    assert e2_treated < 0.9 * e2_untreated


def test_lh_and_t_rise_in_untreated_axis_man(table):
    base = table.loc[("older_man_low_t", "anastrozole", 0)]
    on = table.loc[("older_man_low_t", "anastrozole", 1)]
    assert on.lh_iu_l > 1.3 * base.lh_iu_l
    assert on.testosterone_ng_dl > 1.3 * base.testosterone_ng_dl


def test_little_t_rise_on_trt(table):
    rise_trt = _delta(table, "man_on_trt", "testosterone_ng_dl") / table.loc[("man_on_trt", "untreated", 1), "testosterone_ng_dl"]
    rise_low_t = _delta(table, "older_man_low_t", "testosterone_ng_dl") / table.loc[("older_man_low_t", "untreated", 1), "testosterone_ng_dl"]
    assert rise_trt < 0.5 * rise_low_t


@pytest.mark.parametrize("year", [1, 2, 5])
def test_spine_loss_women_exceeds_men(table, year):
    women = _delta(table, "postmenopausal_woman", "bmd_lumbar_spine_pct_change", year)
    men = _delta(table, "older_man_low_t", "bmd_lumbar_spine_pct_change", year)
    assert women < men
    assert women < -2.0


def test_men_lose_spine_in_first_year(table):
    assert _delta(table, "older_man_low_t", "bmd_lumbar_spine_pct_change", 1) < 0


def test_resorption_markers_rise_more_in_women(table):
    women = _delta(table, "postmenopausal_woman", "ctx_pct_change")
    men = _delta(table, "older_man_low_t", "ctx_pct_change")
    # seed: markers rise in women, "generally not significantly affected" in men (the
    # Burnett-Bowie calibration band, +/-20%)
    assert women > men and men <= 20.0


@pytest.mark.parametrize("arm", ["anastrozole + zoledronic acid", "anastrozole + denosumab"])
def test_bone_protection_rows_prevent_loss(table, arm):
    for year in (1, 2, 5):
        protected = table.loc[("postmenopausal_woman", arm, year), "bmd_lumbar_spine_pct_change"]
        plain = table.loc[("postmenopausal_woman", "anastrozole", year), "bmd_lumbar_spine_pct_change"]
        assert protected > plain + 2.0
        assert table.loc[("postmenopausal_woman", arm, year), "ctx_pct_change"] < 0


def test_fracture_hazard_ratios_follow_bmd():
    hr = run_compare(years=2).hazard_ratios().set_index(["case", "arm"])
    assert hr.loc[("postmenopausal_woman", "anastrozole"), "hr_hip"] > 1.05
    assert hr.loc[("older_man_low_t", "anastrozole"), "hr_hip"] > 1.0
    assert hr.loc[("postmenopausal_woman", "anastrozole + denosumab"), "hr_hip"] < 1.0


def test_bone_protection_trial_level_relative_risks():
    rr = run_compare(years=2).protection_relative_risks().set_index("arm")
    assert set(rr.index) == {"anastrozole + zoledronic acid", "anastrozole + denosumab"}
    assert (rr.total_hip_difference_pct_points > 2.0).all()
    # the meta-regression gives more benefit than BMD through the cross-sectional gradient, and
    # more at the spine's vertebrae than at the hip
    assert (rr.rr_vertebral_meta < rr.rr_hip_meta).all() and (rr.rr_hip_meta < 0.9).all()
    assert rr.loc["anastrozole + denosumab", "rr_hip_meta"] < rr.loc["anastrozole + zoledronic acid", "rr_hip_meta"]


def test_after_stopping_bmd_recovers_in_part_and_the_bmd_hazard_ratio_falls():
    """The seed's "returns to baseline after cessation": with anastrozole stopped at 2 years and
    followed 3 more, the total-hip gap to the untreated person narrows (the ATAC/IBIS-II off-
    treatment recovery the validation rows check) and the BMD-mediated hazard ratio falls, but
    stays above 1 while a gap remains."""
    cmp = run_compare(years=2, follow_up_years=3)
    stops = cmp.after_stopping().set_index("case")
    assert set(stops.index) == set(cmp.series)
    assert stops.stop_years.tolist() == pytest.approx([2.0] * 3)
    assert stops.end_years.tolist() == pytest.approx([5.0] * 3, abs=0.01)  # last daily row
    woman = stops.loc["postmenopausal_woman"]
    assert woman.hip_gap_at_stop_pct_points < -2.0
    assert woman.hip_gap_at_stop_pct_points < woman.hip_gap_at_end_pct_points < 0.0
    assert 1.0 < woman.hr_hip_off < woman.hr_hip_on
    text = cmp.text()
    assert "After anastrozole stops at 2 years, followed to 5 years" in text
    assert f"hip fracture HR {woman.hr_hip_on:.2f} on treatment -> {woman.hr_hip_off:.2f} after" in text
    assert "After anastrozole stops" not in run_compare(years=1, follow_up_years=None).text()


def test_calcium_vitamin_d_rows_soften_but_do_not_stop_the_loss(table):
    """The seed's protection strategy row: calcium + vitamin D for the man on TRT and the woman
    (a modest effect, Tang 2007), antiresorptives only for the woman; the trial-level relative
    risk is given for antiresorptives only."""
    arm = "anastrozole + calcium/vitamin D"
    for case in ("man_on_trt", "postmenopausal_woman"):
        for col in ("bmd_lumbar_spine_pct_change", "bmd_total_hip_pct_change"):
            plain = table.loc[(case, "anastrozole", 5), col]
            untreated = table.loc[(case, "untreated", 5), col]
            assert plain < table.loc[(case, arm, 5), col] < untreated
        assert 0 < table.loc[(case, arm, 1), "ctx_pct_change"] < table.loc[(case, "anastrozole", 1), "ctx_pct_change"]
    assert ("older_man_low_t", arm, 1) not in table.index
