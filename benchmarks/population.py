"""Population throughput: 5-year patients per second (anastrozole 1 mg daily, monthly output).

    .venv/bin/python benchmarks/population.py        # 1k, 10k at the given steps (--steps)
    .venv/bin/python benchmarks/population.py --million             # also 1,000,000 (step 8 h)
    .venv/bin/python benchmarks/population.py --markdown docs/benchmarks.md   # replace the latest tables

Each configuration runs in a fresh subprocess (so its peak RSS is its own) through
:func:`boneaxis.population.distributed.run_population` in-process (numba threads over all cores):
sampling (``population/sampling.py``), prepare, the batch integrator, exact streamed summaries.
Throughput counts everything after the JIT cache is loaded (a 2-patient warm-up).

libRoadRunner: :func:`boneaxis.interop.sbml.roadrunner_benchmark` (the SBML export of the same
model, daily output) in one process per core, measured in the same run; its throughput is
cores / (mean seconds per patient, setting values + simulate; export and compile excluded).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import time

POP = {"phenotype": "postmenopausal_woman", "age": 64, "years_since_menopause": 14}


def cores() -> int:
    return len(os.sched_getaffinity(0))


def one(n: int, step_h: float, chunk: int) -> dict:
    from boneaxis.population.distributed import run_population

    run_population(POP, 2, 1, chunk_size=2, step_h=step_h)      # JIT cache load
    t = time.perf_counter()
    res = run_population(POP, n, 1, chunk_size=chunk, step_h=step_h)
    dt = time.perf_counter() - t
    st = res.stats["bmd_lumbar_spine_pct_change"]
    return {"n": n, "step_h": step_h, "chunk": chunk, "seconds": dt, "per_s": n / dt,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "spine_mean": st["mean"], "spine_p50": st["p50"]}


def _rr_worker(args):
    n, seed = args
    from boneaxis.interop.sbml import roadrunner_benchmark
    return roadrunner_benchmark(n_patients=n, seed=seed)


def roadrunner(n_per_core: int) -> dict | str:
    try:
        from boneaxis.interop import sbml
        if not hasattr(sbml, "roadrunner_benchmark"):
            return "boneaxis.interop.sbml.roadrunner_benchmark not available"
        import roadrunner  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return f"libRoadRunner not available ({type(exc).__name__}: {exc})"
    k = cores()
    t = time.perf_counter()
    with mp.get_context("spawn").Pool(k) as pool:
        outs = pool.map(_rr_worker, [(n_per_core, 2026 + i) for i in range(k)])
    wall = time.perf_counter() - t
    per = sum(o["per_patient_s"] for o in outs) / k
    return {"processes": k, "patients": k * n_per_core, "per_patient_s": per,
            "per_s": k / per, "wall_s_incl_compile": wall,
            "load_compile_s": outs[0]["load_compile_s"], "export_s": outs[0]["export_s"],
            "version": outs[0]["roadrunner"]}


def machine() -> str:
    import numba
    import numpy
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (f"nproc {os.cpu_count()} (affinity {cores()}), CPU {cpu}; Python "
            f"{platform.python_version()}, numpy {numpy.__version__}, numba {numba.__version__}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--steps", default="3",
                    help="fine integrator steps step_h (h) to time (the coarse step is automatic)")
    ap.add_argument("--million", action="store_true",
                    help="also 1,000,000 patients (default step)")
    ap.add_argument("--full", action="store_true",
                    help="also 100,000 at fine steps below 3 h")
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--rr-per-core", type=int, default=10)
    ap.add_argument("--markdown", help="write the results into this Markdown file (replacing the previous latest run)")
    ap.add_argument("--one", nargs=3, metavar=("N", "STEP", "CHUNK"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(int(a.one[0]), float(a.one[1]), int(a.one[2]))))
        return 0
    runs = [(int(n), float(s)) for s in a.steps.split(",") for n in a.sizes.split(",")
            if a.full or int(n) < 100_000 or float(s) >= 3.0]
    if a.million:
        runs.append((1_000_000, 3.0))
    rows = []
    for n, s in runs:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), str(s), str(a.chunk)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(f"{n:>9,d} patients  step {s:g} h  {r['seconds']:8.1f} s  {r['per_s']:8.0f} /s  "
              f"peak RSS {r['peak_rss_mb']:6.0f} MB  spine mean {r['spine_mean']:.4f}%", flush=True)
    rr = roadrunner(a.rr_per_core)
    if isinstance(rr, str):
        print("libRoadRunner:", rr)
    else:
        print(f"libRoadRunner {rr['version']}: {rr['processes']} processes, {rr['patients']} "
              f"patients, {rr['per_patient_s'] * 1e3:.0f} ms/patient -> {rr['per_s']:.2f} /s "
              f"(compile {rr['load_compile_s']:.1f} s per process, excluded)")
    if a.markdown:
        write_markdown(a.markdown, rows, rr)
    return 0


def write_markdown(path: str, rows: list[dict], rr) -> None:
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    lines = ["", "# Population", "",
             "Command (from the repository root):", "",
             "    .venv/bin/python benchmarks/population.py --markdown docs/benchmarks.md", "",
             f"Machine: {machine()}; git {git}", "",
             "5-year virtual postmenopausal women (64 y, 14 y since menopause; "
             "`population/sampling.py`, with anastrozole clearance variability), anastrozole 1 mg "
             "daily, monthly output, endpoints at 5 years; default grid (fine step_h for 28 "
             "days after the start, then one 24 h step per daily dose: "
             "`engine.simulate.AUTO_COARSE_STEP_H`); in-process `run_population` "
             "(chunks of 10,000, numba `prange` over all cores, exact streamed summaries, no "
             "Parquet). Targets: >= 2,000 patients/s; >= 100x libRoadRunner; 1,000,000 < 10 min.",
             "",
             "| patients | step_h | seconds | patients/s | peak RSS MB | spine BMD mean % at 5 y |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['step_h']:g} | {r['seconds']:.1f} | {r['per_s']:.0f} | "
                     f"{r['peak_rss_mb']:.0f} | {r['spine_mean']:.4f} |")
    lines.append("")
    if isinstance(rr, str):
        lines.append(f"libRoadRunner: not measured ({rr}).")
    else:
        default = min(r["step_h"] for r in rows)   # the most accurate step timed
        best = max(r["per_s"] for r in rows if r["step_h"] == default)
        lines.append(
            f"libRoadRunner {rr['version']} on the SBML export (`boneaxis.interop.sbml."
            f"roadrunner_benchmark`, daily output, rtol 1e-8), {rr['processes']} processes (one "
            f"per core), {rr['patients']} patients: {rr['per_patient_s'] * 1e3:.0f} ms per "
            f"patient -> **{rr['per_s']:.2f} patients/s** (per-process export + compile "
            f"{rr['export_s'] + rr['load_compile_s']:.1f} s excluded). boneaxis at step {default:g} h is "
            f"{best / rr['per_s']:.0f}x faster.")
    # The latest run replaces the previous one between the markers (older runs are kept by hand
    # under "Earlier population runs"); a file without the markers gets the block appended.
    block = BEGIN + "\n".join(lines[1:]) + "\n" + END
    old = open(path).read() if os.path.exists(path) else ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old + "\n" + block + "\n"
    with open(path, "w") as f:
        f.write(new)


BEGIN, END = "<!-- population-latest:begin -->\n", "<!-- population-latest:end -->"


if __name__ == "__main__":
    sys.exit(main())
