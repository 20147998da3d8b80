"""Population at scale: batch engine == simulate(), chunking/cluster invariance, sensitivity."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boneaxis.engine.simulate import prepare, run_arrays, to_frame
from boneaxis.model.parameters import params
from boneaxis.population import virtual_arm
from boneaxis.population.batch import ENDPOINTS, MONTH_H, patient_params, run_batch
from boneaxis.population.distributed import Summary, query, run_population
from boneaxis.scenario import HOURS_PER_YEAR, load_scenario

ANA = [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}]
POP = {"phenotype": "postmenopausal_woman", "age": 64, "years_since_menopause": 14}
SHORT = dict(duration_h=HOURS_PER_YEAR, output_every_h=MONTH_H)


def test_batch_equals_simulate_bit_for_bit():
    arm = virtual_arm({"phenotype": "man", "age": 67}, 3, 11)
    times = [0.0, 6 * MONTH_H, 12 * MONTH_H]
    got = run_batch(arm, ANA, HOURS_PER_YEAR, MONTH_H, ENDPOINTS, times)
    p = params()
    for i, (pt, mult) in enumerate(arm):
        sc = load_scenario({"patient": pt, "treatments": ANA, "duration_h": HOURS_PER_YEAR,
                            "output_every_h": MONTH_H})
        prep = prepare(sc, patient_params(p, mult))
        df = to_frame(prep, *run_arrays(prep))
        want = df[list(ENDPOINTS)].iloc[[0, 6, 12]].to_numpy().T
        assert np.array_equal(got[i], want)


def test_clearance_multiplier_of_one_changes_nothing():
    arm = virtual_arm(POP, 2, 3)
    a = run_batch(arm, ANA, **SHORT)
    b = run_batch([(pt, m, {"anastrozole": 1.0 if i == 0 else 2.0})
                   for i, (pt, m) in enumerate(arm)], ANA, **SHORT)
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[1], b[1])


def test_summary_merge_is_exact_and_order_free():
    rng = np.random.default_rng(0)
    v = rng.normal(-5.0, 2.0, (1000, 2)) * np.array([1.0, 1e-3])
    whole = Summary.of(v, ("a_pct_change", "b"))
    parts = [Summary.of(v[s:s + 97], ("a_pct_change", "b")) for s in range(0, 1000, 97)]
    m1 = Summary(("a_pct_change", "b"))
    for s in parts:
        m1 = m1.merge(s)
    m2 = Summary(("a_pct_change", "b"))
    for s in reversed(parts):
        m2 = m2.merge(s)
    assert whole.stats() == m1.stats() == m2.stats()
    assert whole.stats()["a_pct_change"]["mean"] == math.fsum(v[:, 0]) / 1000


def test_chunk_size_invariance_and_duckdb(tmp_path):
    a = run_population(POP, 60, 7, chunk_size=60, out_dir=tmp_path, **SHORT)
    b = run_population(POP, 60, 7, chunk_size=13, **SHORT)
    assert a.stats == b.stats
    df = query(tmp_path, "SELECT count(*) AS n, avg(bmd_lumbar_spine_pct_change) AS m, "
                         "min(patient) AS lo, max(patient) AS hi FROM population")
    assert int(df.n[0]) == 60 and (int(df.lo[0]), int(df.hi[0])) == (0, 59)
    assert df.m[0] == pytest.approx(a.stats["bmd_lumbar_spine_pct_change"]["mean"], rel=1e-12)


def test_local_cluster_two_workers_equals_in_process():
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    local = run_population(POP, 40, 5, chunk_size=40, **SHORT)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        dist = run_population(POP, 40, 5, chunk_size=9, scheduler=client, **SHORT)
        assert len(client.scheduler_info()["workers"]) == 2
    assert dist.stats == local.stats


def test_sensitivity_tiny_n_is_finite(tmp_path):
    from boneaxis.population.sensitivity import sobol

    res = sobol(4, ("oc_estrogen_gain", "turnover_lumbar_spine_per_y"), years=1.0)
    assert res.n_runs == 4 * (2 * 2 + 2)
    assert np.all(np.isfinite(res.S1)) and np.all(np.isfinite(res.ST))
    assert np.all(np.isfinite(res.S1_conf)) and np.all(np.isfinite(res.ST_conf))
    res.plot(tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 0


def test_clearance_multiplier_matches_run_arrays():
    import inspect
    if "clearance_multipliers" not in inspect.signature(run_arrays).parameters:
        pytest.skip("run_arrays has no clearance_multipliers")
    (pt, mult), = virtual_arm(POP, 1, 4)
    got = run_batch([(pt, mult, {"anastrozole": 1.37})], ANA, HOURS_PER_YEAR, MONTH_H, ENDPOINTS,
                    [0.0, 12 * MONTH_H])
    sc = load_scenario({"patient": pt, "treatments": ANA, "duration_h": HOURS_PER_YEAR,
                        "output_every_h": MONTH_H})
    prep = prepare(sc, patient_params(params(), mult))
    df = to_frame(prep, *run_arrays(prep, {"anastrozole": 1.37}))
    assert np.array_equal(got[0], df[list(ENDPOINTS)].iloc[[0, 12]].to_numpy().T)
