"""Virtual populations (inclusion criteria, split-invariant seeding) and virtual trials."""


import numpy as np
import pandas as pd
import pytest

from boneaxis import DISCLAIMER, cli
from boneaxis.calibration import targets as tg
from boneaxis.model.fracture import t_score
from boneaxis.population.sampling import (
    PopulationError, population_frame, population_spec, sample_population,
)
from boneaxis.trials.virtual_trial import (
    DIFFERENCE_COLUMNS, SUMMARY_COLUMNS, TrialError, builtin_names, builtin_trial, load_trial,
    run_trial,
)

MEN = {"phenotype": "man", "n": 40, "seed": 1, "age": [60, 80],
       "labs": {"testosterone": ["200 ng/dL", "350 ng/dL"]}}
TRIAL = """
name: my-trial
population: {phenotype: man, n: 12, seed: 1, age: [60, 80], labs: {testosterone: [200 ng/dL, 350 ng/dL]}}
arms:
  placebo: {treatments: []}
  anastrozole: {treatments: [{drug: anastrozole, dose: 1 mg, every: 1 day}]}
duration: 1 year
endpoints: [bmd_lumbar_spine_pct_change, estradiol_pg_ml]
observed:
  - {arm: anastrozole, endpoint: bmd_lumbar_spine_pct_change, time: 1 year, mean: -1.0, source: "test"}
"""


def run(capsys, *args):
    rc = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


# ------------------------------------------------------------------ population sampling
def test_same_seed_same_population_and_split_invariance():
    spec = population_spec({**MEN, "n": 20})
    whole = sample_population(spec)
    assert whole == sample_population(spec)
    assert whole == sample_population(spec, 0, 10) + sample_population(spec, 10, 20)
    assert whole[13] == sample_population(spec, 13, 14)[0]
    # a bigger population starts with the same patients
    assert sample_population(population_spec({**MEN, "n": 40}), 0, 20) == whole
    assert sample_population(population_spec({**MEN, "n": 20, "seed": 2})) != whole


def test_inclusion_criteria_respected():
    df = population_frame(sample_population(population_spec(MEN)))
    assert df["age"].between(60, 80).all()
    assert df["testosterone_ng_dl"].between(200, 350).all()
    # candidates come from the age-matched population, so the mean sits toward the upper end
    assert 260 < df["testosterone_ng_dl"].mean() < 350


def test_shbg_is_a_population_lab_with_criteria():
    df = population_frame(sample_population(population_spec(
        {**MEN, "n": 200, "labs": {"shbg": ["30 nmol/L", "60 nmol/L"]}})))
    assert df["shbg_nmol_l"].between(30, 60).all()
    free = population_frame(sample_population(population_spec({**MEN, "n": 400})))["shbg_nmol_l"]
    # no criterion: around the age default (31.7 at 30 -> 42.4 at 80), CV 0.39 (Yeap 2007)
    assert 33 < free.mean() < 46 and 0.3 < free.std() / free.mean() < 0.48
    with pytest.raises(PopulationError, match="nmol/L"):
        population_spec({**MEN, "labs": {"shbg": "40 ug/mL"}})


def test_women_t_score_and_menopause_criteria():
    spec = population_spec({"phenotype": "postmenopausal_woman", "n": 40, "seed": 3,
                            "age": [55, 75], "years_since_menopause": [5, 15],
                            "t_score": [-2.5, -1.0], "bmd": {"lumbar_spine": [None, "0.9 g/cm2"]}})
    df = population_frame(sample_population(spec))
    assert df["years_since_menopause"].between(5, 15).all()
    assert (df["years_since_menopause"] <= df["age"] - 30).all()
    fn = t_score(df["bmd_femoral_neck_g_cm2"], "femoral_neck", "female")
    assert np.all((fn >= -2.5 - 1e-9) & (fn <= -1.0 + 1e-9))
    assert (df["bmd_lumbar_spine_g_cm2"] <= 0.9).all()


def test_typical_values_keep_virtual_arm_variability():
    spec = population_spec({"phenotype": "man", "n": 3000, "seed": 5, "age": 67,
                            "labs": {"testosterone": "319 ng/dL"}})
    df = population_frame(sample_population(spec))
    t = df["testosterone_ng_dl"]
    assert t.mean() == pytest.approx(319, rel=0.03)
    assert t.std() / t.mean() == pytest.approx(0.29, abs=0.03)
    assert df["pk_anastrozole_clearance"].std() == pytest.approx(0.30, abs=0.03)


@pytest.mark.parametrize("block, match", [
    ({**MEN, "labs": {"testosterone": ["4000 ng/dL", "5000 ng/dL"]}}, "inclusion impossible"),
    ({**MEN, "labs": {"testosterone": ["350 ng/dL", "200 ng/dL"]}}, "empty"),
    ({"phenotype": "postmenopausal_woman", "age": [40, 50], "years_since_menopause": [25, 30]},
     "inclusion impossible"),
    ({"phenotype": "man", "years_since_menopause": 5}, "postmenopausal_woman only"),
    ({"phenotype": "man", "t_score": [10, 12]}, "inclusion impossible"),
    ({"phenotype": "man", "n": 1, "t_score": [7, 8]}, None),
])
def test_impossible_inclusion_is_a_clear_error(block, match):
    if match is None:     # possible but vanishingly rare: refused when sampling
        with pytest.raises(PopulationError, match="cannot be met") as exc:
            sample_population(population_spec(block))
    else:
        with pytest.raises(PopulationError, match=match) as exc:
            population_spec(block)
    assert "\n" not in str(exc.value)


def test_practically_impossible_inclusion_is_refused_when_sampling():
    spec = population_spec({"phenotype": "man", "n": 2, "age": 70,
                            "labs": {"testosterone": ["2900 ng/dL", "3000 ng/dL"]}})
    with pytest.raises(PopulationError, match="cannot be met"):
        sample_population(spec)


# ------------------------------------------------------------------ trial files
@pytest.mark.parametrize("edit, match", [
    (lambda t: t.replace("estradiol_pg_ml]", "estradiol_pgml]"), "unknown endpoint 'estradiol_pgml'"),
    (lambda t: t.replace("placebo: {treatments: []}", "placebo: {}"), "missing 'treatments'"),
    (lambda t: t.replace("n: 12", "n: 0"), "n must be from 1"),
    (lambda t: t.replace("n: 12", "n: 2000000"), "n must be from 1"),
    (lambda t: t.replace("drug: anastrozole", "drug: aspirin"), "unknown drug"),
    (lambda t: t.replace("arm: anastrozole,", "arm: letrozole,"), "unknown arm 'letrozole'"),
    (lambda t: t.replace("mean: -1.0, ", ""), "exactly one of mean or median"),
    (lambda t: t.replace("duration: 1 year", "duration: 1 year\nextra: 1"), "unknown key"),
    (lambda t: t.replace("time: 1 year", "time: 2 years"), "outside the trial duration"),
    (lambda t: t.replace("name: my-trial", "name: [unclosed"), "malformed YAML"),
])
def test_bad_trial_files_give_one_line_errors(edit, match):
    with pytest.raises(TrialError, match=match) as exc:
        load_trial(edit(TRIAL))
    assert "\n" not in str(exc.value)


def test_bad_trial_file_through_cli_is_one_error_line(tmp_path, capsys):
    f = tmp_path / "t.yaml"
    f.write_text(TRIAL.replace("estradiol_pg_ml]", "estradiol]"))
    rc, out, err = run(capsys, "trial", "run", f, "-o", tmp_path / "out")
    assert rc == 2 and err.count("\n") == 1 and err.startswith("error:") and "unknown endpoint" in err
    rc, out, err = run(capsys, "trial", "run", "no_such_trial", "-o", tmp_path / "out")
    assert rc == 2 and err.startswith("error:") and "built-ins" in err


def test_same_seed_identical_summaries():
    a = run_trial(load_trial(TRIAL), n=8)
    b = run_trial(load_trial(TRIAL), n=8)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.differences, b.differences)
    c = run_trial(load_trial(TRIAL), n=8, seed=2)
    assert not np.allclose(a.summary["mean"], c.summary["mean"])


def test_trial_summaries_and_anastrozole_lowers_mens_spine_bmd():
    r = run_trial(load_trial(TRIAL), n=20)
    assert tuple(r.summary.columns) == SUMMARY_COLUMNS
    assert tuple(r.differences.columns) == DIFFERENCE_COLUMNS
    assert len(r.times_days) == 13 and r.times_days[-1] == pytest.approx(365.25)   # monthly
    s = r.summary
    assert len(s) == 2 * 2 * 13
    assert (s["p2_5"] <= s["median"] + 1e-12).all() and (s["median"] <= s["p97_5"] + 1e-12).all()
    d = r.differences
    end = d[(d.endpoint == "bmd_lumbar_spine_pct_change") & np.isclose(d.time_days, 365.25)].iloc[0]
    assert end.arm == "anastrozole" and end.vs_arm == "placebo"
    assert end.mean_difference < 0 and end.ci95_high < 0
    e2 = d[(d.endpoint == "estradiol_pg_ml") & np.isclose(d.time_days, 365.25)].iloc[0]
    assert e2.mean_difference < 0
    # the paired difference equals the difference of the arm means
    ms = s[np.isclose(s.time_days, 365.25) & (s.endpoint == "bmd_lumbar_spine_pct_change")]
    by_arm = dict(zip(ms.arm, ms["mean"]))
    assert end.mean_difference == pytest.approx(by_arm["anastrozole"] - by_arm["placebo"])
    o = r.observed.iloc[0]
    assert o.statistic == "mean" and o.tolerance == 1.0 and o.simulated == pytest.approx(by_arm["anastrozole"])


# ------------------------------------------------------------------ built-ins and CLI
def test_builtins_load_with_citations():
    names = builtin_names()
    for expected in ("atac_bone", "ibis2_bone", "aribon", "sabre", "z_fast", "abcsg18",
                     "leder_2004", "burnett_bowie_2009", "geisler_1996"):
        assert expected in names
    for name in names:
        tr = builtin_trial(name)
        assert tr.citation and tr.observed
        assert all(o["source"] for o in tr.observed)


def _matching_targets(o):
    """targets.yaml rows giving this built-in observed value: same endpoint, time, value, and
    both or neither a between-arm difference."""
    _, targets = tg.load()
    return [t for t in targets
            if tg._LEVEL_COLUMNS.get(t.quantity, t.quantity) == o["endpoint"]
            and abs(t.time_h - o["time_h"]) < 1.0 and t.value == pytest.approx(o["value"])
            and (t.vs_arm is None) == (o["vs_arm"] is None)]


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_trials_agree_with_the_calibration_targets(name):
    # The built-in trial files copy arms and observed values from targets.yaml by hand (they are
    # self-contained examples users can edit).  Each observed value must be a target row whose
    # arm gives the same patient and the same treatments, so the two copies cannot drift apart.
    arms, _ = tg.load()
    tr = builtin_trial(name)
    pop = tr.population
    for o in tr.observed:
        found = []
        for t in _matching_targets(o):
            pairs = [(o["arm"], t.arm)] + ([(o["vs_arm"], t.vs_arm)] if t.vs_arm else [])
            if all(tr.arms[a].treatments == tg.arm_scenario(arms[ta], 24.0, 24.0).treatments
                   for a, ta in pairs):
                found.append(t)
        assert found, f"{name}: {o['arm']} {o['endpoint']} {o['value']} matches no target arm"
        patient = arms[found[0].arm]["patient"]
        assert pop.phenotype == patient["phenotype"]
        assert pop.age.centre == patient["age"]
        assert pop.years_since_menopause.centre == patient.get("years_since_menopause")


def test_cli_trial_list(capsys):
    rc, out, err = run(capsys, "trial", "list")
    assert rc == 0
    for name in ("burnett_bowie_2009", "atac_bone", "leder_2004", "z_fast"):
        assert name in out
    assert "Burnett-Bowie 2009" in out


def test_cli_trial_run_builtin_writes_csv_and_parquet(tmp_path, capsys):
    out_dir = tmp_path / "out"
    rc, out, err = run(capsys, "trial", "run", "burnett_bowie_2009", "-o", out_dir, "--n", 20)
    assert rc == 0, err
    assert out.count(DISCLAIMER) == 1
    assert "20 virtual patients" in out and "2.5-97.5%" in out
    for name, cols in (("summary", SUMMARY_COLUMNS), ("differences", DIFFERENCE_COLUMNS)):
        csv = pd.read_csv(out_dir / f"{name}.csv")
        pq = pd.read_parquet(out_dir / f"{name}.parquet")
        assert tuple(csv.columns) == cols and tuple(pq.columns) == cols
        assert len(csv) == len(pq) > 0
    s = pd.read_csv(out_dir / "summary.csv")
    assert set(s.arm) == {"placebo", "anastrozole"} and (s.n == 20).all()
    obs = pd.read_csv(out_dir / "observed.csv")
    assert "Burnett-Bowie" in obs.source.iloc[0]
    d = pd.read_csv(out_dir / "differences.csv")
    spine = d[(d.endpoint == "bmd_lumbar_spine_pct_change")].iloc[-1]
    assert spine.mean_difference < 0


def test_every_builtin_runs(tmp_path):
    for name in builtin_names():
        r = run_trial(name, n=10)
        assert len(r.observed) == len(r.trial.observed)
        assert np.isfinite(r.observed["simulated"]).all()
