"""Parsing user quantities: hormone concentrations, LH, doses, durations."""

import math

import pytest

from boneaxis import units
from boneaxis.units import UnitError


def test_estradiol_pmol_and_pg_differ_by_molar_mass():
    pg = units.hormone_conc("15 pg/mL", "estradiol", "pg/mL")
    pmol = units.hormone_conc("15 pmol/L", "estradiol", "pg/mL")
    assert pg == pytest.approx(15.0)
    assert pmol == pytest.approx(15.0 * 272.38 / 1000.0, rel=1e-9)   # 4.086 pg/mL
    assert pg / pmol == pytest.approx(3.671, abs=5e-4)


def test_estradiol_pg_ml_equals_ng_l():
    assert units.hormone_conc("20 ng/L", "estradiol", "pg/mL") == pytest.approx(20.0)


def test_testosterone_nmol_l_to_ng_dl():
    # 10 nmol/L x 288.42 g/mol = 2884.2 ng/L = 288.42 ng/dL
    assert units.hormone_conc("10 nmol/L", "testosterone", "ng/dL") == pytest.approx(288.42, rel=1e-9)
    assert units.hormone_conc("3.19 ng/mL", "testosterone", "ng/dL") == pytest.approx(319.0)


def test_lh_iu_per_l_equals_miu_per_ml():
    assert units.lh_iu_l("5 mIU/mL") == pytest.approx(5.0)
    assert units.lh_iu_l("5 IU/L") == pytest.approx(5.0)
    assert units.lh_iu_l("5 mIU/L") == pytest.approx(0.005)


def test_mass_units():
    assert units.mass_mg("0.5 mg") == pytest.approx(0.5)
    assert units.mass_mg("500 ug") == pytest.approx(0.5)
    assert units.mass_mg("500 µg") == pytest.approx(0.5)
    assert units.mass_mg("1 g") == pytest.approx(1000.0)


def test_bmd_cm2():
    assert units.bmd_g_cm2("1.12 g/cm2", "lumbar_spine") == pytest.approx(1.12)


@pytest.mark.parametrize("text, hours", [
    ("twice weekly", 84.0), ("Twice Weekly", 84.0), ("daily", 24.0), ("weekly", 168.0),
    ("every other day", 48.0), ("3.5 days", 84.0), ("1 week", 168.0), ("12 h", 12.0),
    ("1 year", 8766.0), ("2 wk", 336.0), ("6 months", 4383.0),
])
def test_durations(text, hours):
    assert units.duration_h(text, "every") == pytest.approx(hours)


@pytest.mark.parametrize("bad", [1, 2.5, "15", "15 ", "  "])
def test_missing_unit_is_an_error(bad):
    with pytest.raises(UnitError, match="no unit|expected"):
        units.hormone_conc(bad, "estradiol", "pg/mL")


@pytest.mark.parametrize("bad", ["abc pg/mL", "pg/mL", "fifteen pg/mL", None, True, [15], "nanmg"])
def test_non_numeric_is_an_error(bad):
    with pytest.raises(UnitError, match="expected '<number> <unit>'"):
        units.hormone_conc(bad, "estradiol", "pg/mL")


@pytest.mark.parametrize("bad", ["nan mg", "NaN mg", "inf mg", "-inf mg", "1e999 mg", float("nan")])
def test_non_finite_is_an_error(bad):
    with pytest.raises(UnitError, match="not a finite number"):
        units.mass_mg(bad)


def test_unknown_unit():
    with pytest.raises(UnitError, match="unknown unit 'blorps'"):
        units.mass_mg("3 blorps")


@pytest.mark.parametrize("text, fn", [
    ("15 IU/L", lambda t: units.hormone_conc(t, "estradiol", "pg/mL")),
    ("5 pg/mL", units.lh_iu_l),
    ("1 mL", units.mass_mg),
    ("1 mg", lambda t: units.duration_h(t, "every")),
])
def test_wrong_dimension(text, fn):
    with pytest.raises(UnitError, match="cannot be expressed"):
        fn(text)


def test_unit_error_is_a_value_error():
    assert issubclass(UnitError, ValueError)
    assert not math.isnan(units.mass_mg("1e-3 mg"))
