"""`boneaxis compare`: the seed article's men-vs-women tables, quantified.

Three people, each simulated with anastrozole and beside themselves without it:

(a) a man on established TRT (testosterone cypionate 100 mg weekly) adding anastrozole 0.5 mg twice
    weekly, the untreated arm keeping TRT;
(b) an older man with low testosterone (Leder 2004 baseline) on anastrozole 1 mg daily;
(c) a postmenopausal woman (ATAC-like) on anastrozole 1 mg daily, also with bone protection
    (zoledronic acid 4 mg or denosumab 60 mg every 6 months).

The seed's "bone protection strategy" row: calcium + vitamin D for the man on TRT and for the
woman, an antiresorptive for the woman.

Each is also followed after anastrozole stops (the seed's "returns to baseline after cessation"):
the run is extended by ``STOP_FOLLOW_UP_YEARS`` with the drug stopped at the end of the treated
period, beside the same person untreated for as long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..engine import simulate
from ..model.bone import DAYS_PER_YEAR
from ..model.pk import BISPHOSPHONATES
from ..notice import DISCLAIMER

YEARS = (1, 2, 5)
AVERAGE_DAYS = 7.0
STOP_FOLLOW_UP_YEARS = 5.0


def window_mean(df: pd.DataFrame, day: float, columns) -> dict[str, float]:
    """Mean of ``columns`` over the week before ``day``, so depot and dose cycles don't alias
    (day 0: the first row; an output grid coarser than a week: the last row up to ``day``)."""
    t = df["time_days"].to_numpy()
    if day <= 0:
        sel = t == 0
    else:
        sel = (t <= day + 1e-9) & (t > day - AVERAGE_DAYS)
        if not sel.any():
            sel = t == t[t <= day + 1e-9].max()
    return {c: float(df.loc[sel, c].mean()) for c in columns}
TRT = {"drug": "testosterone_cypionate", "dose": "100 mg", "every": "1 week", "start": "-180 days"}
CALCIUM_VITAMIN_D = {"drug": "calcium_vitamin_d", "dose": "1000 mg", "every": "1 day"}
# Antiresorptive drugs: the only protection arms the Bouxsein 2019 trial-level relation (pooled
# from trials of osteoporosis drugs, not of supplements) is applied to.
ANTIRESORPTIVES = BISPHOSPHONATES | {"denosumab"}

CASES: dict[str, dict] = {
    "man_on_trt": {
        "label": "(a) man 45 y on TRT + anastrozole 0.5 mg twice weekly",
        "patient": {"phenotype": "man", "age": 45},
        "background": [TRT],
        "anastrozole": {"drug": "anastrozole", "dose": "0.5 mg", "every": "twice weekly"},
        # the seed's strategy for men: monitoring BMD, calcium/vitamin D, lifestyle
        "protection": {"anastrozole + calcium/vitamin D": CALCIUM_VITAMIN_D},
    },
    "older_man_low_t": {
        "label": "(b) man 68 y, low T, anastrozole 1 mg daily",
        "patient": {"phenotype": "man", "age": 68,
                    "labs": {"testosterone": "343 ng/dL", "estradiol": "26 pg/mL", "lh": "5.1 IU/L"}},
        "background": [],
        "anastrozole": {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"},
    },
    "postmenopausal_woman": {
        "label": "(c) postmenopausal woman 64 y, anastrozole 1 mg daily",
        "patient": {"phenotype": "postmenopausal_woman", "age": 64, "years_since_menopause": 14},
        "background": [],
        "anastrozole": {"drug": "anastrozole", "dose": "1 mg", "every": "1 day"},
        # bone protection, as in Z-FAST/ABCSG-18 (issue: "with bone protection" rows)
        "protection": {
            "anastrozole + calcium/vitamin D": CALCIUM_VITAMIN_D,
            "anastrozole + zoledronic acid": {"drug": "zoledronic_acid", "dose": "4 mg",
                                              "every": "6 months"},
            "anastrozole + denosumab": {"drug": "denosumab", "dose": "60 mg", "every": "6 months"},
        },
    },
}

TABLE_COLUMNS = {
    "estradiol_pg_ml": "E2 pg/mL",
    "testosterone_ng_dl": "T ng/dL",
    "lh_iu_l": "LH IU/L",
    "ctx_pct_change": "CTX %",
    "p1np_pct_change": "P1NP %",
    "bmd_lumbar_spine_pct_change": "spine BMD %",
    "bmd_total_hip_pct_change": "hip BMD %",
}


PROTECTION_COLUMNS = ("ctx_pct_change", "bmd_lumbar_spine_pct_change", "bmd_total_hip_pct_change")


def case_scenarios(case: dict, years: float = max(YEARS)) -> dict[str, dict]:
    common = {"patient": case["patient"], "duration": f"{years} years", "output_every": "1 day"}
    arms = {
        "untreated": {**common, "treatments": list(case["background"])},
        "anastrozole": {**common, "treatments": [*case["background"], case["anastrozole"]]},
    }
    for name, extra in case.get("protection", {}).items():
        arms[name] = {**common, "treatments": [*case["background"], case["anastrozole"], extra]}
    return arms


def cessation_scenarios(case: dict, years: float = max(YEARS),
                        follow_up_years: float = STOP_FOLLOW_UP_YEARS) -> dict[str, dict]:
    """Untreated, and anastrozole for ``years`` then stopped, both run ``years + follow_up_years``."""
    common = {"patient": case["patient"], "duration": f"{years + follow_up_years} years",
              "output_every": "1 day"}
    stopped = {**case["anastrozole"], "stop": f"{years} years"}
    return {"untreated": {**common, "treatments": list(case["background"])},
            "anastrozole, stopped": {**common, "treatments": [*case["background"], stopped]}}


def _short_label(case: str) -> str:
    """A case's label up to its first comma, e.g. "(b) man 68 y", for one-line summaries."""
    return CASES[case]["label"].split(",")[0]


@dataclass
class Comparison:
    series: dict[str, dict[str, pd.DataFrame]]
    # per case, the runs of ``cessation_scenarios`` (empty: no follow-up after stopping), with
    # anastrozole stopped at ``stop_years``
    after_stop: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    stop_years: float = max(YEARS)
    table: pd.DataFrame = field(init=False)
    disclaimer: str = DISCLAIMER

    def __post_init__(self) -> None:
        rows = []
        for key, arms in self.series.items():
            for arm, df in arms.items():
                for y in (0, *YEARS):
                    rows.append({"case": key, "arm": arm, "year": y,
                                 **window_mean(df, DAYS_PER_YEAR * y, TABLE_COLUMNS)})
        self.table = pd.DataFrame(rows)

    def wide(self) -> pd.DataFrame:
        """Untreated and anastrozole side by side, one row per case and year."""
        t = self.table.set_index(["case", "year", "arm"])[list(TABLE_COLUMNS)]
        w = t.unstack("arm")
        w.columns = [f"{TABLE_COLUMNS[q]} {arm}" for q, arm in w.columns]
        order = [f"{TABLE_COLUMNS[q]} {a}" for q in TABLE_COLUMNS for a in ("untreated", "anastrozole")]
        return w[order]

    def hazard_ratios(self) -> pd.DataFrame:
        """Fracture hazard ratio of each treated arm vs the untreated arm over the whole run."""
        from ..model.fracture import SEX_OF_PHENOTYPE, fracture_hazard_ratio

        rows = []
        for key, arms in self.series.items():
            patient = CASES[key]["patient"]
            sex = SEX_OF_PHENOTYPE[patient["phenotype"]]
            ref = arms["untreated"]
            end = float(ref["time_days"].iloc[-1])
            for arm, df in arms.items():
                if arm == "untreated":
                    continue
                rows.append({"case": key, "arm": arm, "years": end / DAYS_PER_YEAR, **{
                    f"hr_{kind}": fracture_hazard_ratio(df, ref, sex, patient["age"], 0.0, end, kind)
                    for kind in ("major", "hip")}})
        return pd.DataFrame(rows)

    def protection_relative_risks(self) -> pd.DataFrame:
        """Trial-level fracture relative risks of each bone-protection arm vs anastrozole alone
        (the drug-vs-placebo contrast of a trial), from their total-hip difference by the
        Bouxsein 2019 meta-regression (``model.fracture.trial_relative_risk``), read at 3 years
        (or the end of a shorter run): the horizon of the fracture trials it is checked against
        (FREEDOM, HALT), so that a longer run does not extrapolate the line."""
        from ..model.fracture import total_hip_difference_pct_points, treatment_relative_risk

        rows = []
        for key, arms in self.series.items():
            ref = arms["anastrozole"]
            end = min(float(ref["time_days"].iloc[-1]), 3.0 * DAYS_PER_YEAR)
            for arm, extra in CASES[key].get("protection", {}).items():
                if extra["drug"] not in ANTIRESORPTIVES:
                    continue
                d = total_hip_difference_pct_points(arms[arm], ref, end)
                rows.append({"case": key, "arm": arm, "years": end / DAYS_PER_YEAR,
                             "total_hip_difference_pct_points": d,
                             **{f"rr_{kind}_meta": float(treatment_relative_risk(d, kind))
                                for kind in ("vertebral", "hip")}})
        return pd.DataFrame(rows)

    def after_stopping(self) -> pd.DataFrame:
        """Fracture hazard ratio (from BMD alone) vs the same person untreated while on anastrozole
        (years 0 to the stop) and after it stops (the stop to the end), with the total-hip BMD gap
        (percentage points) at the stop and at the end."""
        from ..model.fracture import SEX_OF_PHENOTYPE, fracture_hazard_ratio

        rows = []
        for key, arms in self.after_stop.items():
            patient = CASES[key]["patient"]
            sex = SEX_OF_PHENOTYPE[patient["phenotype"]]
            ref, df = arms["untreated"], arms["anastrozole, stopped"]
            stop = DAYS_PER_YEAR * float(self.stop_years)
            end = float(ref["time_days"].iloc[-1])

            def hip_gap(day: float) -> float:
                col = "bmd_total_hip_pct_change"
                return window_mean(df, day, [col])[col] - window_mean(ref, day, [col])[col]

            row = {"case": key, "stop_years": stop / DAYS_PER_YEAR, "end_years": end / DAYS_PER_YEAR,
                   "hip_gap_at_stop_pct_points": hip_gap(stop),
                   "hip_gap_at_end_pct_points": hip_gap(end)}
            for window, (a, b) in (("on", (0.0, stop)), ("off", (stop, end))):
                for kind in ("major", "hip"):
                    row[f"hr_{kind}_{window}"] = fracture_hazard_ratio(
                        df, ref, sex, patient["age"], a, b, kind)
            rows.append(row)
        return pd.DataFrame(rows)

    def text(self) -> str:
        """The side-by-side table as printed by ``boneaxis compare`` (weekly means at each year)."""
        wide = self.wide()
        blocks = []
        for key, case in CASES.items():
            block = wide.loc[key].copy()
            cols = {}
            for q, name in TABLE_COLUMNS.items():
                u, a = block[f"{name} untreated"], block[f"{name} anastrozole"]
                cols[name] = [f"{x:.1f} -> {y:.1f}" for x, y in zip(u, a)]
            table = pd.DataFrame(cols, index=[f"year {y}" for y in block.index])
            text = f"{case['label']}   (untreated -> anastrozole)\n{table.to_string()}"
            for arm in case.get("protection", {}):
                rows = self.table[(self.table.case == key) & (self.table.arm == arm)]
                prot = pd.DataFrame(
                    {name: [f"{v:.1f}" for v in rows[q]] for q, name in TABLE_COLUMNS.items()
                     if q in PROTECTION_COLUMNS},
                    index=[f"year {y}" for y in rows.year])
                text += f"\n  with bone protection: {arm}\n{prot.to_string()}"
            blocks.append(text)
        hr = self.hazard_ratios()
        lines = ["Fracture hazard ratio vs the same person untreated, over the run (from BMD alone):"]
        for r in hr.itertuples():
            lines.append(f"  {_short_label(r.case)}: {r.arm}: major {r.hr_major:.2f}, "
                         f"hip {r.hr_hip:.2f}")
        rr = self.protection_relative_risks()
        if len(rr):
            lines += ["", "Bone protection vs anastrozole alone, as placebo-controlled trials with the same "
                      "total-hip gain saw it", "(Bouxsein 2019 meta-regression; BMD alone understates "
                      "a drug's fracture benefit):"]
            for r in rr.itertuples():
                lines.append(f"  {_short_label(r.case)}: {r.arm}: total hip "
                             f"{r.total_hip_difference_pct_points:+.1f} points at {r.years:.0f} y: "
                             f"vertebral fracture RR {r.rr_vertebral_meta:.2f}, hip fracture RR "
                             f"{r.rr_hip_meta:.2f}")
        blocks.append("\n".join(lines))
        stops = self.after_stopping()
        if len(stops):
            first = stops.iloc[0]
            lines = [f"After anastrozole stops at {first.stop_years:.0f} years, followed to "
                     f"{first.end_years:.0f} years (vs the same person untreated; from BMD alone):"]
            for r in stops.itertuples():
                lines.append(
                    f"  {_short_label(r.case)}: total hip {r.hip_gap_at_stop_pct_points:+.1f} points "
                    f"at the stop, {r.hip_gap_at_end_pct_points:+.1f} at the end; hip fracture HR "
                    f"{r.hr_hip_on:.2f} on treatment -> {r.hr_hip_off:.2f} after, major "
                    f"{r.hr_major_on:.2f} -> {r.hr_major_off:.2f}")
            lines.append("  BMD recovers only in part, so a risk from BMD alone stays above the "
                         "untreated one after stopping. ATAC's")
            lines.append("  fracture rate fell once treatment stopped (Eastell 2011 Ann Oncol "
                         "22:857); BMD alone also understates the")
            lines.append("  excess on treatment (ATAC: HR 1.49 vs tamoxifen; the model's value "
                         "is row atac_fracture_hr_5y of docs/validation.md).")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def figure(self, path: str | Path) -> Path:
        from ..report.compare_plot import plot_compare_cases
        return plot_compare_cases(self, Path(path))


def run_compare(years: float = max(YEARS),
                follow_up_years: float | None = STOP_FOLLOW_UP_YEARS) -> Comparison:
    """All cases for ``years``; with ``follow_up_years`` (None: none), each also run that much
    longer with anastrozole stopped at ``years``."""
    series, after_stop = {}, {}
    for key, case in CASES.items():
        series[key] = {arm: simulate(sc) for arm, sc in case_scenarios(case, years).items()}
        if follow_up_years:
            after_stop[key] = {arm: simulate(sc) for arm, sc in
                               cessation_scenarios(case, years, follow_up_years).items()}
    return Comparison(series, after_stop, stop_years=years)
