"""Large virtual populations in chunks, in-process or on a Dask cluster; summaries streamed.

::

    from boneaxis.population.distributed import run_population
    res = run_population({"phenotype": "postmenopausal_woman", "age": 64,
                          "years_since_menopause": 14}, n=100_000, seed=1, chunk_size=10_000,
                         out_dir="pop/")                     # scheduler=None: this process
    res.stats["bmd_lumbar_spine_pct_change"]["p50"]
    # duckdb: SELECT avg(bmd_lumbar_spine_pct_change) FROM 'pop/*.parquet'

* Patient ``i`` comes from :func:`boneaxis.population.sampling.sample_patient` (only
  ``default_rng([seed, i])``), so it is the same whichever chunk or worker computes it.
* Each chunk runs :func:`boneaxis.population.batch.run_batch` and returns a small
  :class:`Summary` (count, exact sums and sums of squares, min, max, fixed-bin histograms);
  summaries merge exactly (integer arithmetic), so the statistics do not depend on the chunking,
  the order chunks finish in, or the number of workers.  No patient's time course is kept:
  memory is bounded by one chunk per worker.
* With ``out_dir`` each chunk also writes ``part-<first patient>.parquet``: one row per patient
  (index, age, the endpoints at the final time), queryable with DuckDB (:func:`query`).
* ``scheduler``: ``None`` runs the chunks in this process (numba threads over all cores);
  ``"local"`` or ``"local:N"`` starts a ``dask.distributed.LocalCluster`` of N single-threaded
  worker processes; any other string is the address of an existing scheduler
  (``tcp://host:8786``); a ``distributed.Client`` is used as is.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..scenario import HOURS_PER_YEAR
from .batch import DEFAULT_ENDPOINTS, MONTH_H, default_threads, run_batch

ANASTROZOLE_DAILY = ({"drug": "anastrozole", "dose": "1 mg", "every": "1 day"},)
PERCENTILES = (1, 5, 25, 50, 75, 95, 99)

# ---------------------------------------------------------------------------- exact sums
_E_OFF = 1100            # frexp exponents of float64 lie in [-1073, 1024]
_N_E = 2200
_HALF = 26               # split the 53-bit mantissa into two halves of <= 27 bits


def _exact_parts(x: np.ndarray) -> np.ndarray:
    """Exact sum of ``x`` as integer mantissa sums per binary exponent: (2, _N_E) int64.

    x = M 2^(e-53) with |M| < 2^53 integer; M = hi 2^26 + lo.  bincount sums the halves in float64,
    exactly while a bin holds fewer than 2^26 values (chunks are far smaller)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size >= 1 << _HALF:
        raise ValueError("chunk too large for the exact accumulator")
    m, e = np.frexp(x)
    big = (m * 2.0 ** 53).astype(np.int64)
    hi = big >> _HALF
    lo = big - (hi << _HALF)
    idx = e.astype(np.int64) + _E_OFF
    out = np.empty((2, _N_E), dtype=np.int64)
    out[0] = np.bincount(idx, weights=hi.astype(np.float64), minlength=_N_E)
    out[1] = np.bincount(idx, weights=lo.astype(np.float64), minlength=_N_E)
    return out


def _exact_value(parts: np.ndarray) -> Fraction:
    total = Fraction(0)
    for k in np.flatnonzero(parts[0] | parts[1]):
        mant = int(parts[0, k]) * (1 << _HALF) + int(parts[1, k])
        total += Fraction(mant) * Fraction(2) ** (int(k) - _E_OFF - 53)
    return total


# ---------------------------------------------------------------------------- histograms
def bin_edges(endpoint: str) -> np.ndarray:
    """Fixed histogram edges of an endpoint (the same for every chunk, so counts merge)."""
    if endpoint.endswith("_pct_change") or endpoint.endswith("_pct"):
        return np.linspace(-100.0, 200.0, 30_001)        # 0.01 percentage point bins
    return np.geomspace(1e-3, 1e5, 80_001)              # 0.023 % relative bins


@dataclass
class Summary:
    """Mergeable, exact summary of endpoint values over patients."""

    endpoints: tuple[str, ...]
    n: int = 0
    n_bad: dict[str, int] = field(default_factory=dict)
    sums: dict[str, np.ndarray] = field(default_factory=dict)
    sumsq: dict[str, np.ndarray] = field(default_factory=dict)
    mins: dict[str, float] = field(default_factory=dict)
    maxs: dict[str, float] = field(default_factory=dict)
    hist: dict[str, np.ndarray] = field(default_factory=dict)   # [under, bins..., over]

    @classmethod
    def of(cls, values: np.ndarray, endpoints: Sequence[str]) -> "Summary":
        """``values``: (n, len(endpoints))."""
        s = cls(tuple(endpoints), n=int(values.shape[0]))
        for k, e in enumerate(s.endpoints):
            v = values[:, k]
            ok = np.isfinite(v)
            s.n_bad[e] = int(np.count_nonzero(~ok))
            v = v[ok]
            s.sums[e] = _exact_parts(v)
            s.sumsq[e] = _exact_parts(v * v)
            s.mins[e] = float(v.min()) if v.size else math.inf
            s.maxs[e] = float(v.max()) if v.size else -math.inf
            edges = bin_edges(e)
            j = np.searchsorted(edges, v, side="right")    # 0: under, len(edges): over
            s.hist[e] = np.bincount(j, minlength=edges.size + 1).astype(np.int64)
        return s

    def merge(self, other: "Summary") -> "Summary":
        if other.endpoints != self.endpoints:
            raise ValueError("summaries of different endpoints")
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        out = Summary(self.endpoints, n=self.n + other.n)
        for e in self.endpoints:
            out.n_bad[e] = self.n_bad[e] + other.n_bad[e]
            out.sums[e] = self.sums[e] + other.sums[e]
            out.sumsq[e] = self.sumsq[e] + other.sumsq[e]
            out.mins[e] = min(self.mins[e], other.mins[e])
            out.maxs[e] = max(self.maxs[e], other.maxs[e])
            out.hist[e] = self.hist[e] + other.hist[e]
        return out

    def percentile(self, e: str, q: float) -> float:
        """Percentile from the fixed bins (linear within a bin; exact min/max at the ends)."""
        h = self.hist[e]
        m = int(h.sum())
        if m == 0:
            return math.nan
        edges = bin_edges(e)
        target = q / 100.0 * m
        c = np.cumsum(h)
        j = int(np.searchsorted(c, target, side="left"))
        j = min(j, h.size - 1)
        if j == 0:
            return self.mins[e]
        if j == h.size - 1:
            return self.maxs[e]
        lo, hi = edges[j - 1], edges[j]
        before = c[j - 1] if j > 0 else 0
        frac = (target - before) / h[j] if h[j] else 0.0
        v = lo + frac * (hi - lo)
        return float(min(max(v, self.mins[e]), self.maxs[e]))

    def stats(self) -> dict[str, dict[str, float]]:
        out = {}
        for e in self.endpoints:
            m = self.n - self.n_bad[e]
            s, s2 = _exact_value(self.sums[e]), _exact_value(self.sumsq[e])
            mean = float(s / m) if m else math.nan
            var = (s2 - s * s / m) / (m - 1) if m > 1 else Fraction(0)
            row = {"n": m, "mean": mean, "sd": math.sqrt(max(float(var), 0.0)) if m > 1 else math.nan,
                   "min": self.mins[e], "max": self.maxs[e]}
            row.update({f"p{q}": self.percentile(e, q) for q in PERCENTILES})
            out[e] = row
        return out


# ---------------------------------------------------------------------------- the job
@dataclass(frozen=True)
class Job:
    """Everything a worker needs (small and picklable)."""

    population: Any                  # sampling.PopulationSpec
    treatments: tuple
    duration_h: float
    output_every_h: float
    endpoints: tuple[str, ...]
    step_h: float
    pk_variability: bool
    out_dir: str | None
    threads: int | None


def _patients(job: Job, start: int, stop: int) -> list[tuple]:
    from .sampling import sample_population

    return [(vp.patient, vp.multipliers, vp.pk if job.pk_variability else None)
            for vp in sample_population(job.population, start, stop)]


def run_chunk(job: Job, start: int, stop: int) -> Summary:
    """Patients ``start .. stop-1``: endpoint values at the final time -> Summary (+ Parquet)."""
    pts = _patients(job, start, stop)
    vals = run_batch(pts, job.treatments, job.duration_h, job.output_every_h, job.endpoints,
                     None, step_h=job.step_h, threads=job.threads)[:, :, -1]
    if job.out_dir is not None:
        import pandas as pd

        cols = {"patient": np.arange(start, stop, dtype=np.int64),
                "age": np.array([p[0]["age"] for p in pts])}
        cols.update({e: vals[:, k] for k, e in enumerate(job.endpoints)})
        path = Path(job.out_dir) / f"part-{start:010d}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        pd.DataFrame(cols).to_parquet(tmp, index=False)
        os.replace(tmp, path)
    return Summary.of(vals, job.endpoints)


@dataclass
class PopulationResult:
    n: int
    seed: int
    chunk_size: int
    endpoints: tuple[str, ...]
    summary: Summary
    out_dir: str | None
    seconds: float

    @property
    def stats(self) -> dict[str, dict[str, float]]:
        return self.summary.stats()

    def table(self) -> str:
        cols = ("mean", "sd", "p5", "p50", "p95", "min", "max")
        lines = [f"{'endpoint (final time)':34s}" + "".join(f"{c:>10s}" for c in cols)]
        for e, row in self.stats.items():
            lines.append(f"{e:34s}" + "".join(f"{row[c]:10.3f}" for c in cols))
        return "\n".join(lines)


def _client(scheduler):
    from dask.distributed import Client, LocalCluster

    if not isinstance(scheduler, str):
        return scheduler, None            # a Client given by the caller
    if scheduler == "local" or scheduler.startswith("local:"):
        n = int(scheduler.split(":", 1)[1]) if ":" in scheduler else default_threads()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        return Client(cluster), cluster
    return Client(scheduler), None


def run_population(spec, n: int, seed: int, chunk_size: int = 10_000, scheduler=None, *,
                   treatments: Sequence[dict] = ANASTROZOLE_DAILY,
                   duration_h: float = 5 * HOURS_PER_YEAR, output_every_h: float = MONTH_H,
                   endpoints: Sequence[str] = DEFAULT_ENDPOINTS, step_h: float = 3.0,
                   pk_variability: bool = True, out_dir: str | Path | None = None,
                   threads: int | None = None) -> PopulationResult:
    """``n`` virtual patients (``spec``: a ``population`` block, see :mod:`.sampling`) on one
    regimen; summary statistics of ``endpoints`` at the final time, merged exactly over chunks.

    ``threads``: numba threads per task (default: all cores in-process, 1 per single-threaded
    Dask worker).  Same ``spec``, ``n``, ``seed`` -> the same result for any ``chunk_size`` and
    ``scheduler``.
    """
    from .sampling import population_spec

    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    pop = population_spec(spec).with_(n=n, seed=seed)
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        for old in Path(out_dir).glob("part-*.parquet"):
            old.unlink()
    local = scheduler is None
    job = Job(pop, tuple(dict(t) for t in treatments), float(duration_h), float(output_every_h),
              tuple(endpoints), float(step_h), bool(pk_variability),
              None if out_dir is None else str(Path(out_dir).resolve()),
              threads if (threads is not None or local) else 1)
    starts = list(range(0, n, chunk_size))
    t0 = time.perf_counter()
    total = Summary(job.endpoints)
    if local:
        for s in starts:
            total = total.merge(run_chunk(job, s, min(s + chunk_size, n)))
    else:
        from dask.distributed import as_completed

        client, cluster = _client(scheduler)
        try:
            futs = client.map(run_chunk, [job] * len(starts), starts,
                              [min(s + chunk_size, n) for s in starts], pure=False)
            for fut in as_completed(futs):
                total = total.merge(fut.result())
                fut.release()
        finally:
            if cluster is not None:
                client.close()
                cluster.close()
    return PopulationResult(n, seed, chunk_size, job.endpoints, total,
                            job.out_dir, time.perf_counter() - t0)


def query(out_dir: str | Path, sql: str):
    """Run DuckDB ``sql`` where the table ``population`` is every chunk's Parquet in ``out_dir``;
    returns a pandas DataFrame."""
    import duckdb

    con = duckdb.connect()
    try:
        glob = str(Path(out_dir) / "part-*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW population AS SELECT * FROM read_parquet('{glob}')")
        return con.execute(sql).df()
    finally:
        con.close()


__all__ = ["Job", "PopulationResult", "Summary", "query", "run_chunk", "run_population"]
