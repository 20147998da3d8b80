"""The `boneaxis compare` figure: three people, each with and without anastrozole."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..model.bone import DAYS_PER_YEAR  # noqa: E402
from ..notice import DISCLAIMER  # noqa: E402

ROWS = (
    ("estradiol_pg_ml", "E2 (pg/mL)"),
    ("testosterone_ng_dl", "T (ng/dL)"),
    ("lh_iu_l", "LH (IU/L)"),
    ("ctx_pct_change", "CTX (% change)"),
    ("bmd_lumbar_spine_pct_change", "lumbar spine BMD (% change)"),
    ("bmd_total_hip_pct_change", "total hip BMD (% change)"),
)


def plot_compare_cases(comparison, path: Path) -> Path:
    from ..trials.compare import CASES

    cases = list(comparison.series)
    fig, axes = plt.subplots(len(ROWS), len(cases), figsize=(4.2 * len(cases), 2.0 * len(ROWS)),
                             sharex=True, squeeze=False)
    for j, case in enumerate(cases):
        axes[0, j].set_title(CASES[case]["label"], fontsize=9)
        styles = {"untreated": dict(color="grey", ls="--"), "anastrozole": dict(color="tab:red"),
                  "anastrozole + zoledronic acid": dict(color="tab:blue"),
                  "anastrozole + denosumab": dict(color="tab:green"),
                  "anastrozole + calcium/vitamin D": dict(color="tab:orange", ls=":")}
        for arm, df in comparison.series[case].items():
            style = styles.get(arm, {})
            years = df["time_days"] / DAYS_PER_YEAR
            for i, (col, label) in enumerate(ROWS):
                # weekly means keep depot and dosing cycles readable
                y = df[col].rolling(7, min_periods=1).mean()
                axes[i, j].plot(years, y, lw=1.3, label=arm, **style)
                axes[i, 0].set_ylabel(label, fontsize=8)
        for i in range(len(ROWS)):
            axes[i, j].tick_params(labelsize=7)
            axes[i, j].grid(alpha=0.3)
        axes[-1, j].set_xlabel("years")
    axes[-1, -1].legend(fontsize=7)
    fig.text(0.5, 0.005, DISCLAIMER, ha="center", fontsize=7, style="italic", wrap=True)
    fig.tight_layout(rect=(0, 0.025, 1, 1))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
