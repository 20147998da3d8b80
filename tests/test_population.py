"""Virtual arms: reproducible from a seed, centred on the arm's reported baseline."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boneaxis.population import virtual_arm

MAN = {"phenotype": "man", "age": 67, "labs": {"testosterone": "319 ng/dL", "estradiol": "15 pg/mL"}}


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 30))
def test_same_seed_same_population(seed, n):
    assert virtual_arm(MAN, n, seed) == virtual_arm(MAN, n, seed)


def test_different_seed_differs():
    assert virtual_arm(MAN, 5, 1) != virtual_arm(MAN, 5, 2)


def test_patients_are_distinct():
    a = virtual_arm(MAN, 10, 7)
    assert len(a) == 10 and len({p["age"] for p, _ in a}) == 10


def test_lab_means_preserved():
    arm = virtual_arm(MAN, 4000, 3)
    t = np.array([p["labs"]["testosterone_ng_dl"] for p, _ in arm])
    e2 = np.array([p["labs"]["estradiol_pg_ml"] for p, _ in arm])
    assert t.mean() == pytest.approx(319, rel=0.03)
    assert t.std() / t.mean() == pytest.approx(0.29, abs=0.03)
    assert e2.mean() == pytest.approx(15, rel=0.03)


def test_women_keep_menopause_plausible():
    arm = virtual_arm({"phenotype": "postmenopausal_woman", "age": 60, "years_since_menopause": 10},
                      500, 11)
    for p, _ in arm:
        assert 1.0 <= p["years_since_menopause"] <= p["age"] - 30


def test_empty_arm_is_an_error():
    with pytest.raises(ValueError):
        virtual_arm(MAN, 0, 1)


def test_virtual_arm_varies_shbg_around_the_arm_value():
    """SHBG is a patient variable (Yeap 2007: 42.4 +/- 16.7 nmol/L), drawn after the other draws so
    adding it left them unchanged; a given lab is the arm's mean."""
    import numpy as np

    from boneaxis.population.virtual import virtual_arm

    arm = virtual_arm({"phenotype": "man", "age": 75, "labs": {"shbg": "40 nmol/L"}}, 4000, 11)
    shbg = np.array([p["labs"]["shbg_nmol_l"] for p, _ in arm])
    assert shbg.mean() == pytest.approx(40.0, rel=0.03)
    assert shbg.std() / shbg.mean() == pytest.approx(0.39, rel=0.1)
    again = virtual_arm({"phenotype": "man", "age": 75, "labs": {"shbg": "40 nmol/L"}}, 4000, 11)
    assert [p for p, _ in again] == [p for p, _ in arm]
