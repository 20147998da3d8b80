"""The optional GPU path: runs on machines without a GPU (clear error) and, where one is lent,
matches the CPU batch integrator."""

from __future__ import annotations

import numpy as np
import pytest

from boneaxis.engine.simulate import prepare
from boneaxis.engine.inputs import input_matrix, pk_units
from boneaxis.model.parameters import params
from boneaxis.population import gpu
from boneaxis.population.batch import integrate_many
from boneaxis.scenario import load_scenario


def _inputs(n=3):
    sc = load_scenario({"patient": {"phenotype": "man", "age": 67},
                        "treatments": [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}],
                        "duration": "1 year", "output_every": "30 days"})
    p = params()
    prep = prepare(sc, p)
    g = prep.grid
    half = g.half_times_h()
    u = input_matrix(pk_units(sc, float(half[-1]), p), half)
    mult = np.linspace(0.9, 1.1, n)[:, None]
    return (np.tile(prep.state0, (n, 1)), u, g.steps_h, g.out_steps,
            np.tile(np.array(p), (n, 1)) * np.where(np.arange(len(p)) == 0, mult, 1.0),
            np.tile(np.array(prep.pc), (n, 1)), g.n_out)


def test_cpu_form_of_the_gpu_kernel_equals_the_batch_integrator():
    s0, u, steps, outs, prm, pcs, n_out = _inputs()
    rows = np.array([0, 5, n_out - 1])
    dest = np.full(n_out, -1, dtype=np.int64)
    dest[rows] = np.arange(rows.size)
    got = gpu._integrate_many_cpu(s0, u, steps, outs, prm, pcs, dest, rows.size)
    want = integrate_many(s0, u, steps, outs, prm, pcs, rows)
    assert np.array_equal(got, want)


def test_gpu_path_matches_cpu_or_says_why_not():
    s0, u, steps, outs, prm, pcs, n_out = _inputs()
    rows = np.array([n_out - 1, 0, 0])          # unordered and repeated rows are allowed
    if not gpu.gpu_available():
        with pytest.raises(gpu.GPUUnavailableError):
            gpu.integrate_many_gpu(s0, u, steps, outs, prm, pcs, rows)
        return
    got = gpu.integrate_many_gpu(s0, u, steps, outs, prm, pcs, rows)
    want = integrate_many(s0, u, steps, outs, prm, pcs, rows)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)
