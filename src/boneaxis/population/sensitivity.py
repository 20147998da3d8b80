"""Global (Sobol) sensitivity of a model output to parameter ranges, via SALib.

Saltelli sampling of ``N (2D + 2)`` parameter sets (``D`` parameters, second-order terms on),
each run as one patient through the batch engine (:func:`boneaxis.population.batch.run_batch`),
then first-order (S1) and total-order (ST) indices with bootstrap 95% confidence intervals.
Default question: 5-year lumbar-spine BMD change of a typical postmenopausal woman (64 y, 14 y
since menopause) on anastrozole 1 mg daily, over +/-50% of five parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..model.parameters import params as default_params
from ..scenario import HOURS_PER_YEAR
from .batch import MONTH_H, run_batch

DEFAULT_PARAMETERS = ("bone_e2_ec50_pg_ml", "oc_estrogen_gain", "focal_imbalance_estrogen",
                      "turnover_lumbar_spine_per_y", "arom_ic50_ng_ml")
DEFAULT_PATIENT = {"phenotype": "postmenopausal_woman", "age": 64, "years_since_menopause": 14}
DEFAULT_TREATMENTS = ({"drug": "anastrozole", "dose": "1 mg", "every": "1 day"},)


@dataclass
class SobolResult:
    output: str
    names: tuple[str, ...]
    bounds: list[tuple[float, float]]
    n_base: int
    n_runs: int
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    y: np.ndarray

    def table(self) -> str:
        w = max(len("parameter"), *(len(n) for n in self.names))
        lines = [f"Sobol indices of {self.output} ({self.n_runs} runs, N = {self.n_base}; "
                 "+/- is the 95% bootstrap interval)",
                 f"{'parameter':<{w}}  {'range':>21s}  {'S1':>14s}  {'ST':>14s}"]
        for k, n in enumerate(self.names):
            lo, hi = self.bounds[k]
            lines.append(f"{n:<{w}}  {lo:>10.4g}-{hi:<10.4g}  "
                         f"{self.S1[k]:6.3f} +/-{self.S1_conf[k]:5.3f}  "
                         f"{self.ST[k]:6.3f} +/-{self.ST_conf[k]:5.3f}")
        lines.append(f"output over the sample: mean {np.mean(self.y):.3f}, sd {np.std(self.y):.3f}")
        return "\n".join(lines)

    def plot(self, path: str | Path) -> None:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        x = np.arange(len(self.names))
        fig, ax = plt.subplots(figsize=(7.5, 4.0))
        ax.bar(x - 0.2, self.S1, 0.4, yerr=self.S1_conf, capsize=3, label="first order (S1)")
        ax.bar(x + 0.2, self.ST, 0.4, yerr=self.ST_conf, capsize=3, label="total order (ST)")
        ax.set_xticks(x, self.names, rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("Sobol index")
        ax.set_title(f"Sensitivity of {self.output} (N = {self.n_base}, {self.n_runs} runs)",
                     fontsize=9)
        ax.axhline(0.0, color="k", lw=0.5)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)


def sobol(n_base: int = 256, names: Sequence[str] = DEFAULT_PARAMETERS, spread: float = 0.5,
          output: str = "bmd_lumbar_spine_pct_change", years: float = 5.0,
          patient: dict | None = None, treatments: Sequence[dict] = DEFAULT_TREATMENTS,
          seed: int = 1, step_h: float = 3.0, threads: int | None = None) -> SobolResult:
    """Sobol indices of ``output`` at ``years`` over ``[1 - spread, 1 + spread] x`` each
    parameter's value.  ``n_base`` should be a power of 2 (Saltelli/Sobol sequence)."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    p0 = default_params()
    names = tuple(names)
    for n in names:
        if n not in p0._fields:
            raise ValueError(f"unknown parameter {n!r}")
    if not 0.0 < spread < 1.0:
        raise ValueError("spread must be between 0 and 1")
    bounds = [(getattr(p0, n) * (1 - spread), getattr(p0, n) * (1 + spread)) for n in names]
    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    X = sobol_sample.sample(problem, n_base, calc_second_order=True, seed=seed)
    pt = dict(patient or DEFAULT_PATIENT)
    pts = [(pt, {n: float(x[k]) / getattr(p0, n) for k, n in enumerate(names)}) for x in X]
    duration = years * HOURS_PER_YEAR
    y = run_batch(pts, treatments, duration, MONTH_H if years * 12 == int(years * 12) else duration,
                  [output], None, step_h=step_h, threads=threads)[:, 0, -1]
    si = sobol_analyze.analyze(problem, y, calc_second_order=True, seed=seed,
                               print_to_console=False)
    return SobolResult(f"{output} at {years:g} y", names, bounds, n_base, len(y),
                       np.asarray(si["S1"]), np.asarray(si["S1_conf"]), np.asarray(si["ST"]),
                       np.asarray(si["ST_conf"]), y)


__all__ = ["DEFAULT_PARAMETERS", "SobolResult", "sobol"]
