"""The command line: one-line errors with the right exit codes, end-to-end simulate."""

import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

import boneaxis
from boneaxis import DISCLAIMER, cli

ROOT = Path(__file__).resolve().parents[1]
SITES = ("lumbar_spine", "total_hip", "femoral_neck")
REQUIRED = ["time_days", "anastrozole_ng_ml", "lh_iu_l", "testosterone_ng_dl", "estradiol_pg_ml",
            "ctx_pct_change", "p1np_pct_change",
            *(f"bmd_{s}_{k}" for s in SITES for k in ("g_cm2", "pct_change"))]

GOOD = """\
patient:
  phenotype: man
  age: 67
  labs: {testosterone: 319 ng/dL, estradiol: 15 pg/mL, lh: 5 IU/L}
  bmd: {lumbar_spine: 1.12 g/cm2, total_hip: 0.95 g/cm2}
treatments:
  - {drug: anastrozole, dose: 1 mg, every: 1 day}
duration: 60 days
output_every: 1 day
"""


def run(capsys, *args):
    rc = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def assert_one_error(rc, err, code, match):
    assert rc == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert match in lines[0], err
    assert "Traceback" not in err


BAD = {
    "unknown drug": (GOOD.replace("drug: anastrozole", "drug: letrozolium"), "unknown drug 'letrozolium'"),
    "unknown phenotype": (GOOD.replace("phenotype: man", "phenotype: martian"), "unknown phenotype"),
    "zero dose": (GOOD.replace("dose: 1 mg", "dose: 0 mg"), "dose must be positive"),
    "negative dose": (GOOD.replace("dose: 1 mg", "dose: -2 mg"), "dose must be positive"),
    "missing unit": (GOOD.replace("estradiol: 15 pg/mL", "estradiol: 15"), "has no unit"),
    "impossible lab": (GOOD.replace("estradiol: 15 pg/mL", "estradiol: 5000 pg/mL"),
                       "estradiol 5000 pg/mL is outside the possible range"),
    "short interval": (GOOD.replace("every: 1 day", "every: 30 min"), "at least 1 hour"),
    "long duration": (GOOD.replace("duration: 60 days", "duration: 31 years"), "30 years"),
    "malformed yaml": (GOOD.replace("age: 67", "age: [67"), "malformed YAML"),
    "unknown route": (GOOD.replace("every: 1 day}", "every: 1 day, route: rectal}"), "unknown route 'rectal'"),
    "nan dose": (GOOD.replace("dose: 1 mg", "dose: nan mg"), "not a finite number"),
    "missed float": (GOOD.replace("every: 1 day}", "every: 1 day, missed: 2.5}"), "missed doses"),
    "not a mapping": ("- just\n- a list\n", "must be a mapping"),
    "empty file": ("", "must be a mapping"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_is_one_error_line(case, tmp_path, capsys):
    text, match = BAD[case]
    rc, out, err = run(capsys, "simulate", write(tmp_path, text), "-o", tmp_path / "o.csv")
    assert_one_error(rc, err, 2, match)
    assert not (tmp_path / "o.csv").exists()


def test_missing_file(tmp_path, capsys):
    rc, _, err = run(capsys, "simulate", tmp_path / "nope.yaml", "-o", tmp_path / "o.csv")
    assert_one_error(rc, err, 2, "scenario file not found")


def test_binary_file(tmp_path, capsys):
    p = tmp_path / "b.yaml"
    p.write_bytes(b"\xff\xfe\x81\x00")
    rc, _, err = run(capsys, "simulate", p, "-o", tmp_path / "o.csv")
    assert_one_error(rc, err, 2, "not UTF-8")


def test_output_directory_missing(tmp_path, capsys):
    rc, _, err = run(capsys, "simulate", write(tmp_path, GOOD), "-o", tmp_path / "no" / "o.csv")
    assert_one_error(rc, err, 2, "does not exist")


@pytest.mark.parametrize("args, match", [
    (["simulate"], "Missing argument"),
    (["simulate", "x.yaml"], "Missing option '--output'"),
    (["simulate", "x.yaml", "-o", "o.csv", "--frobnicate"], "No such option: --frobnicate"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["parameters", "extra"], "unexpected extra argument"),
])
def test_usage_errors(args, match, capsys):
    rc, _, err = run(capsys, *args)
    assert_one_error(rc, err, 2, match)


def test_simulation_error_exit_3(tmp_path, capsys, monkeypatch):
    def boom(_):
        raise boneaxis.SimulationError("numerical failure at day 3.0: non-finite state")
    monkeypatch.setattr(boneaxis, "simulate", boom)
    rc, out, err = run(capsys, "simulate", write(tmp_path, GOOD), "-o", tmp_path / "o.csv")
    assert_one_error(rc, err, 3, "numerical failure at day 3.0")
    assert DISCLAIMER not in out


def test_internal_error_is_one_line(tmp_path, capsys, monkeypatch):
    def boom(_):
        raise KeyError("oops")
    monkeypatch.setattr(boneaxis, "simulate", boom)
    monkeypatch.delenv("BONEAXIS_DEBUG", raising=False)
    rc, _, err = run(capsys, "simulate", write(tmp_path, GOOD), "-o", tmp_path / "o.csv")
    assert_one_error(rc, err, 1, "internal error (KeyError)")


def test_simulate_end_to_end(tmp_path, capsys):
    csv, png = tmp_path / "out.csv", tmp_path / "out.png"
    rc, out, err = run(capsys, "simulate", write(tmp_path, GOOD), "-o", csv, "--plot", png)
    assert rc == 0, err
    assert err == ""
    df = pd.read_csv(csv)
    assert list(df.columns[:len(REQUIRED)]) == REQUIRED
    assert len(df) == 61
    assert df["time_days"].iloc[0] == 0 and df["time_days"].iloc[-1] == 60
    assert df["bmd_lumbar_spine_g_cm2"].iloc[0] == pytest.approx(1.12)
    assert df["bmd_total_hip_g_cm2"].iloc[0] == pytest.approx(0.95)
    assert df["bmd_lumbar_spine_pct_change"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert df["anastrozole_ng_ml"].iloc[-1] > 1.0          # daily 1 mg: ng/mL range
    assert df["estradiol_pg_ml"].iloc[0] == pytest.approx(15.0, rel=1e-6)   # the lab given
    assert df["estradiol_pg_ml"].iloc[-1] < 0.95 * df["estradiol_pg_ml"].iloc[0]   # AI lowers E2
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert out.count(DISCLAIMER) == 1
    assert "estradiol (pg/mL)" in out and "lumbar spine BMD change (%)" in out
    assert "day 60" in out


def test_unusual_dose_prints_one_warning_line(tmp_path, capsys):
    text = GOOD.replace("dose: 1 mg", "dose: 20 mg").replace("60 days", "10 days")
    rc, out, err = run(capsys, "simulate", write(tmp_path, text), "-o", tmp_path / "o.csv")
    assert rc == 0, err
    lines = err.strip().splitlines()
    assert lines == ["warning: anastrozole: 20 mg is outside the usual 0.25-10 mg"], err
    assert out.count(DISCLAIMER) == 1


def test_version(capsys):
    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and out.strip() == f"boneaxis {boneaxis.__version__}"


def test_parameters_and_drugs(capsys):
    from boneaxis.model.parameters import PARAMETERS
    from boneaxis.model.pk import DRUGS
    rc, out, _ = run(capsys, "parameters")
    assert rc == 0
    assert out.splitlines()[0].split()[:4] == ["name", "value", "unit", "source"]
    assert len(out.strip().splitlines()) == len(PARAMETERS) + 1
    p = PARAMETERS["ana_half_life_h"]
    line = next(ln for ln in out.splitlines() if ln.startswith("ana_half_life_h "))
    assert f"{p.value:.6g}" in line and p.unit in line
    rc, out, _ = run(capsys, "drugs")
    assert rc == 0
    assert len(out.strip().splitlines()) == len(DRUGS) + 1
    line = next(ln for ln in out.splitlines() if ln.startswith("anastrozole "))
    assert "oral" in line and "1 mg every 1 day" in line


def test_compare_end_to_end(tmp_path, capsys):
    fig, csv = tmp_path / "c.png", tmp_path / "c.csv"
    rc, out, err = run(capsys, "compare", "-o", fig, "--csv", csv)
    assert rc == 0, err
    assert fig.stat().st_size > 10_000
    for label in ("(a) man 45 y on TRT", "(b) man 68 y", "(c) postmenopausal woman"):
        assert label in out
    table = pd.read_csv(csv)
    assert set(table["case"]) == {"man_on_trt", "older_man_low_t", "postmenopausal_woman"}
    assert set(table["year"]) == {0, 1, 2, 5}
    assert out.count(DISCLAIMER) == 1


def test_compare_module_missing(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "boneaxis.trials.compare", None)
    rc, _, err = run(capsys, "compare", "-o", "/tmp/x.png")
    assert_one_error(rc, err, 1, "'compare' is not available")


def test_calibrate_and_validate_wired(tmp_path, capsys, monkeypatch):
    seen = []
    fit = types.ModuleType("boneaxis.calibration.fit")
    fit.main = lambda: seen.append("fit")
    val = types.ModuleType("boneaxis.report.validation")
    val.write_report = lambda d: seen.append(Path(d))
    monkeypatch.setitem(sys.modules, "boneaxis.calibration.fit", fit)
    monkeypatch.setitem(sys.modules, "boneaxis.report.validation", val)
    assert run(capsys, "calibrate")[0] == 0
    rc, out, _ = run(capsys, "validate", "-o", tmp_path / "rep")
    assert rc == 0 and out.count(DISCLAIMER) == 1
    assert seen == ["fit", tmp_path / "rep"]
    rc, _, err = run(capsys, "validate")
    assert_one_error(rc, err, 2, "Missing option '--output'")


def test_subprocess_module_entry(tmp_path):
    """`python -m boneaxis.cli`: real process, real stderr, no traceback."""
    bad = write(tmp_path, GOOD.replace("drug: anastrozole", "drug: letrozolium"))
    r = subprocess.run([sys.executable, "-m", "boneaxis.cli", "simulate", str(bad), "-o",
                        str(tmp_path / "o.csv")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


def test_quickstart_example_runs(tmp_path):
    csv = tmp_path / "q.csv"
    r = subprocess.run([sys.executable, "-m", "boneaxis.cli", "simulate",
                        str(ROOT / "examples" / "quickstart.yaml"), "-o", str(csv)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(DISCLAIMER) == 1
    df = pd.read_csv(csv)
    assert len(df) == 731 and df["time_days"].iloc[-1] == 730
    assert set(REQUIRED) <= set(df.columns)


def test_plots(tmp_path):
    from boneaxis.report.plots import plot_comparison, plot_timeseries
    short = boneaxis.simulate(GOOD)
    nothing = boneaxis.simulate(GOOD.replace("dose: 1 mg", "dose: 0.25 mg"))
    p1 = plot_timeseries(short, tmp_path / "t.png", title="short run")
    p2 = plot_comparison({"1 mg daily": short, "0.25 mg daily": nothing}, tmp_path / "c.png")
    for p in (p1, p2):
        assert p.read_bytes()[:4] == b"\x89PNG" and p.stat().st_size > 20_000
    with pytest.raises(ValueError, match="no series"):
        plot_comparison({}, tmp_path / "e.png")
