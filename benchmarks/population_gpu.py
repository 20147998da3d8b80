"""GPU population throughput (optional path): :func:`boneaxis.population.gpu.integrate_many_gpu`.

    .venv/bin/python benchmarks/population_gpu.py               # 10k, 100k, 1M (+ CPU check)
    .venv/bin/python benchmarks/population_gpu.py --cpu-n 20000 # also time the CPU path
    PYTHONPATH=src python3 benchmarks/population_gpu.py         # a python with boneaxis's deps

Needs numba-cuda and an NVIDIA GPU (plus boneaxis's own imports: pydantic, pint, pyyaml, ...).
Measured on one NVIDIA H100 80GB HBM3 (numba 0.68.0, numba-cuda 0.30.4, numpy 2.5.2, Python
3.12): 10k 0.46 M, 100k 1.39 M, 1M 1.53 M patients/s (rows t = 0 and 5 y; 0.32 M/s at 1M
keeping all 61 monthly rows, bound by the 4.9 GB device->host copy); the 16-core CPU of the
same machine ran ``batch.integrate_many`` at 17 k patients/s.  GPU vs CPU: max relative
difference 1.6e-15 (libdevice ``exp``/``pow``).

Same inputs as ``benchmarks/population.py``: virtual postmenopausal women (64 y, 14 y since
menopause; ``population/sampling.py`` with its parameter multipliers via
``batch.patient_params``), anastrozole 1 mg daily for 5 years, monthly output grid, the default
integrator grid (``step_h`` 3 h, automatic coarse step).  PK variability is off (one shared input
matrix, as ``batch.integrate_many`` takes it).  ``--distinct`` patients are sampled and prepared
(``engine.simulate.prepare``, as ``run_batch`` does), then tiled to each size: the integration
cost per patient does not depend on which patient it is.  Kept rows: t = 0 and 5 years (what
``run_batch`` keeps for the default final-time endpoints), or every month with ``--all-rows``.

patients/s counts the whole :func:`integrate_many_gpu` call (host->device copies, kernel,
device->host copy) after a warm-up call that compiles the kernel (compile time printed
separately).  The check compares ``--check`` patients with the CPU ``batch.integrate_many``.
Without a GPU the script prints why and exits with status 2.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import numpy as np

POP = {"phenotype": "postmenopausal_woman", "age": 64, "years_since_menopause": 14}
ANA = [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}]


def build_inputs(distinct: int, step_h: float, seed: int = 2026):
    from boneaxis.engine.inputs import input_matrix, pk_units
    from boneaxis.engine.simulate import make_grid, prepare
    from boneaxis.model.parameters import params
    from boneaxis.population.batch import MONTH_H, N_PARAMS, N_PC, patient_params
    from boneaxis.population.sampling import population_spec, sample_population
    from boneaxis.model.system import N_STATES
    from boneaxis.scenario import HOURS_PER_YEAR, Patient, load_scenario

    spec = population_spec(POP).with_(n=distinct, seed=seed)
    vps = sample_population(spec, 0, distinct)
    sc = load_scenario({"patient": vps[0].patient, "treatments": ANA,
                        "duration_h": 5 * HOURS_PER_YEAR, "output_every_h": MONTH_H,
                        "step_h": step_h})
    grid = make_grid(sc)
    p0 = params()
    state0 = np.empty((distinct, N_STATES))
    prm = np.empty((distinct, N_PARAMS))
    pcs = np.empty((distinct, N_PC))
    for i, vp in enumerate(vps):
        p = patient_params(p0, vp.multipliers)
        prep = prepare(sc.model_copy(update={"patient": Patient.model_validate(vp.patient)}), p,
                       grid)
        state0[i], prm[i], pcs[i] = prep.state0, p, prep.pc
    half = grid.half_times_h()
    u = input_matrix(pk_units(sc, float(half[-1]), p0), half)
    return grid, u, state0, prm, pcs


def tile(a: np.ndarray, n: int) -> np.ndarray:
    return np.ascontiguousarray(a[np.arange(n) % a.shape[0]])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--distinct", type=int, default=1000, help="distinct sampled patients")
    ap.add_argument("--step", type=float, default=3.0, help="fine integrator step_h (h)")
    ap.add_argument("--check", type=int, default=200, help="patients compared with the CPU")
    ap.add_argument("--all-rows", action="store_true", help="keep every monthly output row")
    ap.add_argument("--tpb", type=int, default=128, help="CUDA threads per block")
    ap.add_argument("--chunk", type=int, default=None, help="patients per kernel launch")
    ap.add_argument("--repeat", type=int, default=1, help="timed repeats per size (best kept)")
    ap.add_argument("--cpu-n", type=int, default=0,
                    help="also time CPU batch.integrate_many (numba prange) on this many")
    a = ap.parse_args()

    import numba

    from boneaxis.population import batch, gpu

    print(f"Python {platform.python_version()}, numpy {np.__version__}, numba "
          f"{numba.__version__}", flush=True)
    try:
        name = gpu.gpu_name()
    except gpu.GPUUnavailableError as exc:
        print(f"GPU path unavailable: {exc}")
        return 2
    try:
        from importlib.metadata import version
        ncv = version("numba-cuda")
    except Exception:  # noqa: BLE001
        ncv = "?"
    print(f"GPU: {name} (numba-cuda {ncv})", flush=True)

    t = time.perf_counter()
    grid, u, s0, pr, pc = build_inputs(a.distinct, a.step)
    print(f"inputs: {a.distinct} distinct patients prepared in {time.perf_counter() - t:.2f} s; "
          f"{grid.n_steps} steps, {grid.n_out} monthly outputs", flush=True)
    rows = (np.arange(grid.n_out, dtype=np.int64) if a.all_rows
            else np.array([0, grid.n_out - 1], dtype=np.int64))
    kw = dict(threads_per_block=a.tpb, chunk=a.chunk)

    # warm-up: compile the kernel (excluded from the timings)
    t = time.perf_counter()
    gpu.integrate_many_gpu(s0[:2], u, grid.steps_h, grid.out_steps, pr[:2], pc[:2], rows, **kw)
    print(f"kernel compile + first call: {time.perf_counter() - t:.1f} s (mode "
          f"{gpu.gpu_mode()})", flush=True)
    for e in gpu.gpu_errors():
        print("  earlier compile failure:", e[:2000])

    # accuracy: GPU vs CPU batch.integrate_many on the same patients
    m = min(a.check, a.distinct)
    rows_all = np.arange(grid.n_out, dtype=np.int64)
    t = time.perf_counter()
    ref = batch.integrate_many(s0[:m], u, grid.steps_h, grid.out_steps, pr[:m], pc[:m], rows_all)
    t_cpu_compile = time.perf_counter() - t
    got = gpu.integrate_many_gpu(s0[:m], u, grid.steps_h, grid.out_steps, pr[:m], pc[:m],
                                 rows_all, **kw)
    diff = np.abs(got - ref)
    scale = np.maximum(np.abs(ref).max(axis=(0, 1)), 1e-300)    # per channel
    rel = diff / scale
    from boneaxis.engine.integrator import CHANNELS
    print(f"check vs CPU batch.integrate_many: {m} patients x {grid.n_out} months "
          f"(CPU compile+run {t_cpu_compile:.1f} s); finite {bool(np.isfinite(got).all())}")
    print(f"  max |GPU - CPU| = {diff.max():.3e}; max relative (to the channel's max |CPU|) = "
          f"{rel.max():.3e}")
    for c, ch in enumerate(CHANNELS):
        print(f"    {ch:32s} abs {diff[..., c].max():.2e}  rel {rel[..., c].max():.2e}")

    if a.cpu_n:
        n = a.cpu_n
        S, P, C = tile(s0, n), tile(pr, n), tile(pc, n)
        t = time.perf_counter()
        batch.integrate_many(S, u, grid.steps_h, grid.out_steps, P, C, rows)
        dt = time.perf_counter() - t
        print(f"CPU batch.integrate_many ({numba.get_num_threads()} threads): {n:,d} patients "
              f"{dt:.2f} s -> {n / dt:,.0f} patients/s", flush=True)

    for n in (int(x) for x in a.sizes.split(",")):
        S, P, C = tile(s0, n), tile(pr, n), tile(pc, n)
        best = float("inf")
        for _ in range(a.repeat):
            t = time.perf_counter()
            res = gpu.integrate_many_gpu(S, u, grid.steps_h, grid.out_steps, P, C, rows, **kw)
            best = min(best, time.perf_counter() - t)
        spine = 100.0 * (np.exp(res[:, -1, 7] - res[:, 0, 7]) - 1.0)
        print(f"{n:>9,d} patients: {best:8.3f} s -> {n / best:12,.0f} patients/s  "
              f"(rows kept {rows.shape[0]}, tpb {a.tpb}; spine BMD mean "
              f"{spine.mean():+.3f}% at 5 y, finite {bool(np.isfinite(res).all())})", flush=True)
        del S, P, C, res
    return 0


if __name__ == "__main__":
    sys.exit(main())
