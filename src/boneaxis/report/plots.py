"""Figures of simulation output (matplotlib Agg canvas; no pyplot global state).

Every figure carries the disclaimer as a footnote.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..notice import DISCLAIMER
from ..model.bone import DAYS_PER_YEAR

SITES = ("lumbar_spine", "total_hip", "femoral_neck")
SITE_LABELS = {"lumbar_spine": "lumbar spine", "total_hip": "total hip",
               "femoral_neck": "femoral neck"}


def _time_axis(days: np.ndarray | pd.Series, span_days: float | None = None) -> tuple[np.ndarray, str]:
    """Time in years when the run is longer than a year, else in days."""
    d = np.asarray(days, dtype=float)
    span = float(np.nanmax(d) - np.nanmin(d)) if span_days is None else span_days
    if span > DAYS_PER_YEAR:
        return d / DAYS_PER_YEAR, "time (years)"
    return d, "time (days)"


def _footnote(fig: Figure) -> None:
    fig.text(0.5, 0.008, DISCLAIMER, ha="center", va="bottom", fontsize=7, color="0.35",
             wrap=True)


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    FigureCanvasAgg(fig)  # render with Agg whatever the session's backend (no pyplot state)
    fig.savefig(path, dpi=120)
    return path


def _grid_2x2(size, title, **adjust):
    fig = Figure(figsize=size)
    axs = fig.subplots(2, 2)
    fig.subplots_adjust(**adjust)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig, axs


def plot_timeseries(df: pd.DataFrame, path: str | Path, title: str | None = None) -> Path:
    """A 2x2 figure of one simulation: drug level, hormones, turnover markers, BMD."""
    t, tlabel = _time_axis(df["time_days"])
    fig, axs = _grid_2x2((13, 8.6), title, left=0.07, right=0.88, top=0.91 if title else 0.95,
                         bottom=0.12, hspace=0.32, wspace=0.36)

    ax = axs[0, 0]
    ax.plot(t, df["anastrozole_ng_ml"], color="tab:purple", lw=1.2)
    ax.set_title("Anastrozole (plasma)")
    ax.set_ylabel("anastrozole (ng/mL)")
    ax.set_ylim(bottom=0)

    ax = axs[0, 1]
    l1, = ax.plot(t, df["estradiol_pg_ml"], color="tab:red", lw=1.2, label="estradiol (pg/mL)")
    ax.set_ylabel("estradiol (pg/mL)", color="tab:red")
    ax.tick_params(axis="y", colors="tab:red")
    ax.set_ylim(bottom=0)
    ax_t = ax.twinx()
    l2, = ax_t.plot(t, df["testosterone_ng_dl"], color="tab:blue", lw=1.2,
                    label="testosterone (ng/dL)")
    ax_t.set_ylabel("testosterone (ng/dL)", color="tab:blue")
    ax_t.tick_params(axis="y", colors="tab:blue")
    ax_t.set_ylim(bottom=0)
    ax_lh = ax.twinx()
    ax_lh.spines["right"].set_position(("axes", 1.2))
    l3, = ax_lh.plot(t, df["lh_iu_l"], color="tab:green", lw=1.0, ls="--", label="LH (IU/L)")
    ax_lh.set_ylabel("LH (IU/L)", color="tab:green")
    ax_lh.tick_params(axis="y", colors="tab:green")
    ax_lh.set_ylim(bottom=0)
    ax.set_title("Sex hormones and LH")
    # on the top-most twin, else the twins' lines hide it; above the data (headroom)
    ax_lh.legend(handles=[l1, l2, l3], loc="upper center", ncol=3, fontsize=8, framealpha=0.9)
    for a in (ax, ax_t, ax_lh):
        lo, hi = a.get_ylim()
        a.set_ylim(lo, hi * 1.18)

    ax = axs[1, 0]
    ax.plot(t, df["ctx_pct_change"], color="tab:orange", lw=1.2, label="CTX (resorption)")
    ax.plot(t, df["p1np_pct_change"], color="tab:cyan", lw=1.2, label="P1NP (formation)")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_title("Bone turnover markers")
    ax.set_ylabel("change from baseline (%)")
    ax.legend(loc="best", fontsize=8)

    ax = axs[1, 1]
    for s, c, ls in zip(SITES, ("tab:brown", "tab:olive", "tab:gray"), ("-", "-", "--")):
        col = f"bmd_{s}_pct_change"
        if col in df.columns:
            ax.plot(t, df[col], color=c, lw=1.4, ls=ls, label=SITE_LABELS[s])
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_title("Bone mineral density")
    ax.set_ylabel("BMD change from baseline (%)")
    ax.legend(loc="best", fontsize=8)

    for ax in axs.flat:
        ax.set_xlabel(tlabel)
        ax.set_xlim(float(t[0]), float(t[-1]))
        ax.grid(alpha=0.3)
    _footnote(fig)
    return _save(fig, path)


def plot_comparison(series: dict[str, pd.DataFrame], path: str | Path,
                    title: str | None = None) -> Path:
    """Overlay several scenarios: estradiol, testosterone, spine and hip BMD change."""
    if not series:
        raise ValueError("plot_comparison: no series to plot")
    span = max(float(df["time_days"].max() - df["time_days"].min()) for df in series.values())
    fig, axs = _grid_2x2((12, 8.2), title, left=0.08, right=0.97, top=0.91 if title else 0.94,
                         bottom=0.17, hspace=0.32, wspace=0.25)
    panels = [
        (axs[0, 0], "estradiol_pg_ml", "Estradiol", "estradiol (pg/mL)"),
        (axs[0, 1], "testosterone_ng_dl", "Testosterone", "testosterone (ng/dL)"),
        (axs[1, 0], "bmd_lumbar_spine_pct_change", "Lumbar spine BMD", "BMD change from baseline (%)"),
        (axs[1, 1], "bmd_total_hip_pct_change", "Total hip BMD", "BMD change from baseline (%)"),
    ]
    tlabel = "time (days)"
    for i, (label, df) in enumerate(series.items()):
        t, tlabel = _time_axis(df["time_days"], span)
        color = f"C{i % 10}"
        for ax, col, _, _ in panels:
            if col in df.columns:
                ax.plot(t, df[col], color=color, lw=1.3, label=label)
    for ax, col, ttl, ylabel in panels:
        ax.set_title(ttl)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(tlabel)
        ax.grid(alpha=0.3)
        if col.endswith("pct_change"):
            ax.axhline(0.0, color="0.6", lw=0.8)
        else:
            ax.set_ylim(bottom=0)
    handles, labels = axs[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.045),
               ncol=min(len(labels), 4), fontsize=9, frameon=False)
    _footnote(fig)
    return _save(fig, path)
