"""Export one scenario as an SBML Level 3 Version 2 model (``boneaxis export-sbml``).

The document holds the whole model for ONE scenario, so any SBML tool (libRoadRunner, COPASI,
tellurium, AMICI, ...) can simulate it:

* **units**: model time in hours, amounts in mg; every parameter carries an SBML unit definition
  (hour, day, year, mg, ng/mL, ng/dL, pg/mL, nmol/L, IU/L, ...).  IU is an arbitrary bioactivity
  unit and is represented as dimensionless (so IU/L is litre^-1).
* **PK**: a depot and a central species (mg, ``hasOnlySubstanceUnits``) per drug, with absorption
  and elimination as reactions (denosumab with its saturable elimination).  The PK constants come
  from :func:`boneaxis.engine.inputs.pk_units`, as in both engines.
* **dosing**: one *periodic* event per treatment (trigger ``time >= first + n*every`` with a
  counter ``n``; a missed dose adds 0 mg).  Goserelin's implant release and calcium + vitamin D
  exposure are piecewise-constant inputs switched by one event per change.
* **model states** (LH, osteoclast, osteoblast, active aromatase, denosumab precursor reservoir,
  mineralization, adapted bone E2, ln BMD at three sites) are parameters with rate rules; the
  algebraic signals (T, E2, hypothalamic and bone E2, LH target, aromatase inhibition, osteoclast
  target, focal and withdrawal imbalance) are assignment rules.  Each formula names the function
  of :mod:`boneaxis.model` it restates; the test ``tests/test_sbml.py`` checks the rates of the
  exported model against :func:`boneaxis.model.system.derivatives` at random states and inputs,
  and its simulation against :func:`boneaxis.simulate`, which is the guarantee that the two stay
  the same model.
* **patient**: the patient constants and initial state of :func:`boneaxis.engine.simulate.prepare`
  and the parameter values (fitted file or ``params``) are baked in as SBML parameters.
* **outputs**: assignment rules named like the CSV columns of ``boneaxis simulate``
  (``estradiol_pg_ml``, ``lh_iu_l``, ``bmd_lumbar_spine_pct_change``, ...) and ``time_days``.

SBML time 0 is the start of the run: day 0 of the scenario when no treatment starts before it,
otherwise ``day0_h`` hours later (parameter ``day0_h``; ``time_days`` is relative to day 0).
Doses are scheduled up to the scenario's duration; simulating longer gives no further doses.

Every drug of :data:`boneaxis.model.pk.DRUGS` is supported (:data:`SUPPORTED_DRUGS`); each one
alone matches :func:`boneaxis.simulate` under libRoadRunner.  Known limitations: a stiff
combination (exemestane + letrozole + goserelin + tamoxifen + ... in a premenopausal woman) made
CVODE fail at day 27, probably a state (active aromatase) overshooting below 0 where the Python
engine's exponential steps stay positive; outputs at a dose time show the post-dose value (as the
engine does); roadrunner needs ~1-2.5 s per 5-year daily-dosing patient (each dose event restarts
CVODE), far slower than the numba engine.

python-libsbml (and libroadrunner for :func:`roadrunner_simulate`) are optional dependencies
(``pip install "boneaxis[sbml]"``) imported only when a function here is called.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model import parameters as params_mod
from ..model.endocrine import (
    INPUTS, NG_DL_PER_NMOL_L_A4, NG_DL_PER_NMOL_L_T, PatientConstants,
)
from ..model.parameters import PARAMETERS, Params
from ..model.phenotypes import SITES
from ..model.pk import DRUGS
from ..model.system import (
    HOURS_PER_DAY, HOURS_PER_YEAR, STATES, X_BMD_HIP, X_BMD_NECK, X_BMD_SPINE, X_MIN, X_OB, X_OC,
)
from ..model.bone import DAYS_PER_YEAR
from ..notice import DISCLAIMER

SUPPORTED_DRUGS = tuple(DRUGS)

DEFAULT_SCENARIO = {
    "patient": {"phenotype": "postmenopausal_woman", "age": 64},
    "treatments": [{"drug": "anastrozole", "dose": "1 mg", "every": "1 day"}],
    "duration": "5 years",
    "output_every": "1 day",
}

INSTALL_HINT = 'install the optional SBML support: pip install "boneaxis[sbml]"'


class SBMLExportError(ValueError):
    """The scenario cannot be exported (message is meant for the user)."""


def _libsbml():
    try:
        import libsbml
    except ImportError:
        raise ImportError(f"python-libsbml is not installed; {INSTALL_HINT}") from None
    return libsbml


def _roadrunner():
    try:
        import roadrunner
    except ImportError:
        raise ImportError(f"libroadrunner is not installed; {INSTALL_HINT}") from None
    return roadrunner


# ------------------------------------------------------------------------------------- units
# id -> (size in SI-ish base units, {SBML unit kind: exponent}); base: gram, litre, second, mole,
# metre.  Derived units are written with one multiplier on their first factor.
_UNITS: dict[str, tuple[float, dict[str, int]]] = {
    "hour": (3600.0, {"second": 1}),
    "day": (86400.0, {"second": 1}),
    "year": (HOURS_PER_YEAR * 3600.0, {"second": 1}),
    "decade": (10 * HOURS_PER_YEAR * 3600.0, {"second": 1}),
    "per_hour": (1 / 3600.0, {"second": -1}),
    "per_year": (1 / (HOURS_PER_YEAR * 3600.0), {"second": -1}),
    "per_decade": (1 / (10 * HOURS_PER_YEAR * 3600.0), {"second": -1}),
    "hour_per_day": (1 / 24.0, {"dimensionless": 1}),
    "hour_per_year": (1 / HOURS_PER_YEAR, {"dimensionless": 1}),
    "day_per_year": (1 / DAYS_PER_YEAR, {"dimensionless": 1}),
    "year_per_decade": (0.1, {"dimensionless": 1}),
    "mg": (1e-3, {"gram": 1}),
    "mg_per_hour": (1e-3 / 3600.0, {"gram": 1, "second": -1}),
    "litre_per_hour": (1 / 3600.0, {"litre": 1, "second": -1}),
    "ng_per_mL": (1e-6, {"gram": 1, "litre": -1}),
    "ng_per_dL": (1e-8, {"gram": 1, "litre": -1}),
    "pg_per_mL": (1e-9, {"gram": 1, "litre": -1}),
    "ug_per_mL": (1e-3, {"gram": 1, "litre": -1}),
    "nmol_per_L": (1e-9, {"mole": 1, "litre": -1}),
    "litre_per_nmol": (1e9, {"litre": 1, "mole": -1}),
    "ug_per_day": (1e-6 / 86400.0, {"gram": 1, "second": -1}),
    "iu_per_L": (1.0, {"litre": -1}),                       # IU taken as dimensionless
    "g_per_cm2": (1e4, {"gram": 1, "metre": -2}),
    "pg_mL_per_ng_dL": (0.1, {"dimensionless": 1}),
    "ng_dL_per_nmol_L": (10.0, {"gram": 1, "mole": -1}),
    "ng_mL_per_mg": (1e3, {"litre": -1}),                   # = 1/mL
    "ug_mL_per_mg": (1.0, {"litre": -1}),
    "ng_dL_per_mg_per_hour": (1e-8 / (1e-3 / 3600.0), {"litre": -1, "second": 1}),
    "ug_per_day_per_mg": (1e-6 / 86400.0 / 1e-3, {"second": -1}),
}

# parameter-table unit -> SBML unit id
_TABLE_UNITS = {
    "1": "dimensionless", "1/decade": "per_decade", "1/h": "per_hour", "1/y": "per_year",
    "L/h": "litre_per_hour", "L/nmol": "litre_per_nmol", "d": "day", "h": "hour", "mg": "mg",
    "ng/dL": "ng_per_dL",
    "ng/mL": "ng_per_mL", "nmol/L": "nmol_per_L", "pg/mL": "pg_per_mL",
    "pg/mL per ng/dL": "pg_mL_per_ng_dL", "ug/day": "ug_per_day", "ug/mL": "ug_per_mL",
    "y": "year",
}

# model input -> SBML unit id
_INPUT_UNITS = {
    "c_anastrozole_ng_ml": "ng_per_mL", "c_letrozole_ng_ml": "ng_per_mL",
    "c_exemestane_ng_ml": "ng_per_mL", "t_exogenous_ng_dl": "ng_per_dL",
    "c_tamoxifen_ng_ml": "ng_per_mL", "gnrh_release_ug_per_day": "ug_per_day",
    "bp_bound_zol_eq_mg": "mg", "c_denosumab_ug_ml": "ug_per_mL",
    "calcium_vitamin_d_on": "dimensionless",
}

# PatientConstants field -> SBML unit id
_PC_UNITS = {
    "has_gonad": "dimensionless", "t_gonad_ref_ng_dl": "ng_per_dL", "t_other_ng_dl": "ng_per_dL",
    "a4_ng_dl": "ng_per_dL", "lh_ref_iu_l": "iu_per_L", "lh_cap_iu_l": "iu_per_L",
    "lh_fb_e2_k_pg_ml": "pg_per_mL", "lh_fb_e2_hill": "dimensionless",
    "tam_gonad_gain": "dimensionless",
    "c_arom_pg_ml_per_ng_dl": "pg_mL_per_ng_dL", "e2_gonad_ref_pg_ml": "pg_per_mL",
    "e2_residual_pg_ml": "pg_per_mL", "age_years": "year",
    "bmd0_lumbar_spine_g_cm2": "g_per_cm2", "bmd0_total_hip_g_cm2": "g_per_cm2",
    "bmd0_femoral_neck_g_cm2": "g_per_cm2", "shbg_nmol_l": "nmol_per_L",
    "t_unbound_fraction": "dimensionless", "t_exo_unbound_fraction": "dimensionless",
    "e2_adaptation_cap_pg_ml": "pg_per_mL",
}

# states with a unit; every other state is dimensionless
_STATE_UNITS = {"lh_iu_l": "iu_per_L", "e2_bone_adapted_pg_ml": "pg_per_mL"}


# ----------------------------------------------------------------------------- formula helpers
def _zero(unit: str) -> str:
    """A literal 0 carrying ``unit`` (other literals are marked dimensionless by _Doc.math)."""
    return f"0 {unit}"


def _pos(x: str, unit: str = "dimensionless") -> str:
    """``max(x, 0)`` as a piecewise (not every SBML tool has L3V2's ``max``)."""
    return f"piecewise({x}, {x} > {_zero(unit)}, {_zero(unit)})"


def _inhibition(c: str, s: str, imax: str, ic50: str, km: str) -> str:
    # mirrors endocrine.aromatase_inhibition: Imax C / (C + IC50 (1 + S/Km)), 0 when C <= 0
    return (f"piecewise({imax} * {c} / ({c} + {ic50} * (1 + {s} / {km})), {c} > {_zero('ng_per_mL')}, "
            f"{_zero('dimensionless')})")


def _activity(s: str) -> str:
    # mirrors endocrine.aromatase_activity: intact enzyme x (1 - I_ana) x (1 - I_let)
    return (f"aromatase_active * (1 - {_inhibition('c_anastrozole_ng_ml', s, 'arom_imax', 'arom_ic50_ng_ml', 'arom_km_nmol_l')})"
            f" * (1 - {_inhibition('c_letrozole_ng_ml', s, 'let_imax', 'let_ic50_ng_ml', 'arom_km_nmol_l')})")


def _occupancy(c: str, ec50: str, unit: str) -> str:
    # mirrors endocrine.receptor_occupancy: max(c, 0) / (max(c, 0) + EC50)
    return f"{_pos(c, unit)} / ({_pos(c, unit)} + {ec50})"


def _signal_rules() -> list[tuple[str, str, str]]:
    """(variable, formula, unit) of the algebraic signals, in evaluation order."""
    r = []
    add = lambda var, f, unit="dimensionless": r.append((var, f, unit))  # noqa: E731
    # --- endocrine.hormones
    add("lh_nonneg_iu_l", _pos("lh_iu_l", "iu_per_L"), "iu_per_L")
    add("t_gonad_ng_dl", "piecewise(t_gonad_ref_ng_dl * (lh_nonneg_iu_l / lh_ref_iu_l)"
        "^leydig_lh_exponent, has_gonad > 0, 0 ng_per_dL)", "ng_per_dL")
    add("t_nonshbg_ng_dl", _pos("t_unbound_fraction * (t_gonad_ng_dl + t_other_ng_dl)"
        " + t_exo_unbound_fraction * t_exogenous_ng_dl", "ng_per_dL"), "ng_per_dL")
    # --- endocrine.free_testosterone_nmol_l / total_testosterone_ng_dl
    add("testosterone_free_nmol_l", "t_nonshbg_ng_dl / ng_dl_per_nmol_l_t"
        " / (1 + t_albumin_bound_per_free)", "nmol_per_L")
    add("shbg_occupancy", "shbg_t_ka_l_per_nmol * testosterone_free_nmol_l"
        " / (1 + shbg_t_ka_l_per_nmol * testosterone_free_nmol_l)")
    add("testosterone_ng_dl", "t_nonshbg_ng_dl + shbg_nmol_l * shbg_occupancy"
        " * ng_dl_per_nmol_l_t", "ng_per_dL")
    add("substrate_ng_dl", "testosterone_ng_dl + a4_aromatization_weight * a4_ng_dl", "ng_per_dL")
    add("substrate_plasma_nmol_l", "testosterone_ng_dl / ng_dl_per_nmol_l_t"
        " + a4_ng_dl / ng_dl_per_nmol_l_a4", "nmol_per_L")
    add("aromatase_activity_periph", _activity("substrate_plasma_nmol_l"))
    add("substrate_gonad_nmol_l", "intratesticular_t_ratio * t_gonad_ng_dl / ng_dl_per_nmol_l_t",
        "nmol_per_L")
    add("aromatase_activity_gonad", _activity("substrate_gonad_nmol_l"))
    add("tamoxifen_occupancy", _occupancy("c_tamoxifen_ng_ml", "tam_ec50_ng_ml", "ng_per_mL"))
    add("e2_gonad_pg_ml", "piecewise(e2_gonad_ref_pg_ml * (t_gonad_ng_dl / t_gonad_ref_ng_dl)"
        " * aromatase_activity_gonad * (1 + tam_gonad_gain * tamoxifen_occupancy), has_gonad > 0,"
        " 0 pg_per_mL)", "pg_per_mL")
    add("estradiol_pg_ml", "c_arom_pg_ml_per_ng_dl * substrate_ng_dl * aromatase_activity_periph"
        " + e2_residual_pg_ml + e2_gonad_pg_ml", "pg_per_mL")
    add("estradiol_hypothalamic_pg_ml", "estradiol_pg_ml + tissue_intracrine_pg_ml_per_ng_dl"
        " * substrate_ng_dl * aromatase_activity_periph", "pg_per_mL")
    add("estradiol_bone_effective_pg_ml", "estradiol_pg_ml + bone_intracrine_pg_ml_per_ng_dl"
        " * substrate_ng_dl * aromatase_activity_periph", "pg_per_mL")
    # E2 feedback as the hypothalamic receptor's signal, shared with tamoxifen
    add("lh_e2_feedback_ratio", "(estradiol_hypothalamic_pg_ml / lh_fb_e2_k_pg_ml)^lh_fb_e2_hill")
    add("hypothalamic_estrogen_signal", "lh_e2_feedback_ratio / (1 + lh_e2_feedback_ratio)"
        " * (1 - tamoxifen_occupancy) + tamoxifen_occupancy * tam_hypothalamic_agonism")
    add("gnrh_suppression", "gnrh_suppression_max * "
        + _occupancy("gnrh_release_ug_per_day", "gnrh_ec50_ug_per_day", "ug_per_day"))
    # --- endocrine.lh_feedback_denominator
    add("lh_feedback_denominator", "1 + hypothalamic_estrogen_signal"
        " / (1 - hypothalamic_estrogen_signal)"
        " + (testosterone_free_nmol_l / lh_ft_k_nmol_l)^lh_ft_hill")
    add("lh_target_iu_l", "lh_cap_iu_l / lh_feedback_denominator * (1 - gnrh_suppression)",
        "iu_per_L")
    add("aromatase_inhibition", "1 - aromatase_activity_periph")
    # --- endocrine.exemestane_enzyme_kinetics (target and rate of the relaxation)
    add("aromatase_k_syn_per_h", "ln_2 / aromatase_resynthesis_half_life_h", "per_hour")
    add("aromatase_k_inact_per_h", f"exe_k_inact_per_h * {_pos('c_exemestane_ng_ml', 'ng_per_mL')}"
        f" / ({_pos('c_exemestane_ng_ml', 'ng_per_mL')} + exe_ki_ng_ml)", "per_hour")
    add("aromatase_target", "aromatase_k_syn_per_h / (aromatase_k_syn_per_h"
        " + aromatase_k_inact_per_h)")
    add("aromatase_rate_per_h", "aromatase_k_syn_per_h + aromatase_k_inact_per_h", "per_hour")
    # --- bone.estrogen_signal: e^n / (e^n + EC50^n), e = max(E2_bone, 0), written with the
    # ratio e/EC50 so that the exponentiated quantity is dimensionless (same value)
    add("e2_bone_ratio", _pos("estradiol_bone_effective_pg_ml", "pg_per_mL") + " / bone_e2_ec50_pg_ml")
    add("estrogen_signal", "e2_bone_ratio^bone_e2_hill / (e2_bone_ratio^bone_e2_hill + 1)")
    # --- bone.effective_estrogen_signal
    add("effective_estrogen_signal", "estrogen_signal * (1 - tamoxifen_occupancy)"
        " + tamoxifen_occupancy * tam_bone_agonism")
    # --- bone.osteoclast_target
    add("bp_ratio", _pos("bp_bound_zol_eq_mg", "mg") + " / bp_ec50_mg")
    add("osteoclast_target", "(1 + oc_estrogen_gain * (1 - effective_estrogen_signal))"
        " * (1 - bp_emax * bp_ratio / (1 + bp_ratio))"
        " * (1 + dmab_rebound_gain * dmab_reservoir)"
        " * (1 - calcium_vitamin_d_effect * calcium_vitamin_d_on)")
    # --- bone.rankl_block and bone.resorption
    add("rankl_block", "dmab_emax * " + _occupancy("c_denosumab_ug_ml", "dmab_ec50_ug_ml", "ug_per_mL"))
    add("resorption", "osteoclast * (1 - rankl_block)")
    # --- bone.dmab_reservoir_target
    add("dmab_reservoir_target", _occupancy("c_denosumab_ug_ml", "dmab_ec50_ug_ml", "ug_per_mL"))
    # --- bone.androgen_signal and bone.focal_imbalance
    add("androgen_signal", f"{_pos('testosterone_ng_dl', 'ng_per_dL')} / ({_pos('testosterone_ng_dl', 'ng_per_dL')}"
        " + bone_t_k_ng_dl)")
    add("focal_imbalance_raw", "focal_imbalance_estrogen * (1 - effective_estrogen_signal)"
        " - focal_imbalance_androgen * androgen_signal"
        " + age_imbalance_per_decade * " + _pos("age_years - imbalance_age_onset_years", "year")
        + " / years_per_decade")
    add("focal_imbalance", _pos("focal_imbalance_raw"))
    # --- bone.receptor_equivalent_e2_pg_ml
    add("e2_receptor_pg_ml", "piecewise(estradiol_bone_effective_pg_ml, c_tamoxifen_ng_ml"
        f" <= {_zero('ng_per_mL')}, bone_e2_ec50_pg_ml * (effective_estrogen_signal"
        " / (1 - effective_estrogen_signal))^(1 / bone_e2_hill))", "pg_per_mL")
    # --- bone.withdrawal_imbalance
    add("withdrawal_imbalance", "focal_imbalance_withdrawal * "
        + _pos("e2_bone_adapted_pg_ml - e2_receptor_pg_ml", "pg_per_mL")
        + " / e2_premenopausal_pg_ml")
    # --- bone.modeling_formation
    add("modeling_formation", "modeling_formation_gain * rankl_block")
    # --- bone.mineralization_target
    add("mineralization_target", "mineralization_gain * (1 - resorption)")
    return r


def _state_rates() -> dict[str, str]:
    """Rate rules (per hour): system.relaxations as rate*(target - x), system.drifts for BMD."""
    # bone.bmd_log_rates_per_day / HOURS_PER_DAY (system.drifts)
    r_spine = "turnover_lumbar_spine_per_y / days_per_year / hours_per_day"
    r_hip = "turnover_total_hip_per_y / days_per_year / hours_per_day"
    r_neck = f"{r_hip} * femoral_neck_to_hip_ratio"
    base = ("(osteoblast - resorption - resorption * withdrawal_imbalance"
            " + modeling_formation)")
    return {
        "lh_iu_l": "(lh_target_iu_l - lh_iu_l) / lh_tau_h",
        "osteoclast": "(osteoclast_target - osteoclast) / (oc_tau_d * hours_per_day)",
        "osteoblast": "(resorption - osteoblast) / (ob_tau_d * hours_per_day)",
        "aromatase_active": "aromatase_rate_per_h * (aromatase_target - aromatase_active)",
        "dmab_reservoir": "(dmab_reservoir_target - dmab_reservoir)"
                          " / (dmab_reservoir_tau_d * hours_per_day)",
        "mineralization": "(mineralization_target - mineralization) * resorption"
                          " / (mineralization_tau_y * hours_per_year)",
        # bone.adaptation_target (min of receptor-equivalent bone E2 and the patient's cap),
        # relaxing with tau_A
        "e2_bone_adapted_pg_ml": "(piecewise(e2_receptor_pg_ml,"
                                 " e2_receptor_pg_ml < e2_adaptation_cap_pg_ml,"
                                 " e2_adaptation_cap_pg_ml) - e2_bone_adapted_pg_ml)"
                                 " / (estrogen_adaptation_tau_y * hours_per_year)",
        "ln_bmd_lumbar_spine": f"{r_spine} * ({base}"
                               " - imbalance_scale_lumbar_spine * resorption * focal_imbalance)",
        "ln_bmd_total_hip": f"{r_hip} * ({base}"
                            " - imbalance_scale_total_hip * resorption * focal_imbalance)",
        "ln_bmd_femoral_neck": f"{r_neck} * ({base}"
                               " - imbalance_scale_total_hip * resorption * focal_imbalance)",
    }


def _output_rules() -> list[tuple[str, str, str]]:
    r = [
        # system.ln_bmd with bone.site_mineralization
        ("mineralization_hip", "mineralization * turnover_total_hip_per_y"
         " / turnover_lumbar_spine_per_y", "dimensionless"),
        ("ln_bmd_lumbar_spine_rel", "ln_bmd_lumbar_spine + mineralization", "dimensionless"),
        ("ln_bmd_total_hip_rel", "ln_bmd_total_hip + mineralization_hip", "dimensionless"),
        ("ln_bmd_femoral_neck_rel", "ln_bmd_femoral_neck + mineralization_hip"
         " * femoral_neck_to_hip_ratio", "dimensionless"),
        # engine.simulate.to_frame
        ("time_days", "(time - day0_h) / hours_per_day", "day"),
        ("anastrozole_ng_ml", "c_anastrozole_ng_ml", "ng_per_mL"),
        ("aromatase_inhibition_pct", "100 * aromatase_inhibition", "dimensionless"),
        ("ctx_pct_change", "100 * (resorption / resorption_day0 - 1)", "dimensionless"),
        ("p1np_pct_change", "100 * (osteoblast / osteoblast_day0 - 1)", "dimensionless"),
    ]
    for s in SITES:
        r.append((f"bmd_{s}_pct_change",
                  f"100 * (exp(ln_bmd_{s}_rel - ln_bmd_{s}_rel_day0) - 1)", "dimensionless"))
        r.append((f"bmd_{s}_g_cm2", f"bmd0_{s}_g_cm2 * exp(ln_bmd_{s}_rel - ln_bmd_{s}_rel_day0)",
                  "g_per_cm2"))
    return r


# ----------------------------------------------------------------------------- SBML builder
class _Doc:
    def __init__(self, model_id: str):
        self.sb = _libsbml()
        self.doc = self.sb.SBMLDocument(3, 2)
        self.m = self.doc.createModel()
        self.m.setId(model_id)
        self.m.setName("boneaxis: aromatase inhibitors, the sex-hormone axis and bone")

    def _ok(self, rc: int, what: str) -> None:
        if rc != self.sb.LIBSBML_OPERATION_SUCCESS:
            raise RuntimeError(f"libsbml refused {what}: {self.sb.OperationReturnValue_toString(rc)}")

    def math(self, formula: str):
        ast = self.sb.parseL3Formula(formula)
        if ast is None:
            raise RuntimeError(f"cannot parse {formula!r}: {self.sb.getLastParseL3Error()}")
        self._dimensionless_literals(ast)
        return ast

    def _dimensionless_literals(self, ast) -> None:
        """Literal numbers without units (1 in ``1 - x``, 100 in percentages, counters) are
        dimensionless; the formulas give every other literal its unit explicitly."""
        if ast.isNumber() and not ast.hasUnits():
            ast.setUnits("dimensionless")
        for i in range(ast.getNumChildren()):
            self._dimensionless_literals(ast.getChild(i))

    def unit(self, uid: str, size: float, dims: dict[str, int]) -> None:
        ud = self.m.createUnitDefinition()
        ud.setId(uid)
        first = True
        for kind, exp in dims.items():
            u = ud.createUnit()
            u.setKind(self.sb.UnitKind_forName(kind))
            u.setExponent(exp)
            u.setScale(0)
            # (multiplier x kind)^exponent: the whole size goes on the first factor
            u.setMultiplier(size ** (1.0 / exp) if first else 1.0)
            first = False

    def param(self, pid: str, value: float, units: str, constant: bool = True,
              name: str | None = None) -> None:
        p = self.m.createParameter()
        self._ok(p.setId(pid), f"parameter id {pid}")
        if value is not None:
            p.setValue(float(value))
        p.setUnits(units)
        p.setConstant(constant)
        if name:
            p.setName(name)

    def assignment(self, var: str, formula: str) -> None:
        r = self.m.createAssignmentRule()
        r.setVariable(var)
        self._ok(r.setMath(self.math(formula)), f"rule for {var}")

    def rate(self, var: str, formula: str) -> None:
        r = self.m.createRateRule()
        r.setVariable(var)
        self._ok(r.setMath(self.math(formula)), f"rate rule for {var}")

    def species(self, sid: str, compartment: str) -> None:
        s = self.m.createSpecies()
        s.setId(sid)
        s.setCompartment(compartment)
        s.setInitialAmount(0.0)
        s.setSubstanceUnits("mg")
        s.setHasOnlySubstanceUnits(True)
        s.setBoundaryCondition(False)
        s.setConstant(False)

    def reaction(self, rid: str, reactant: str | None, product: str | None, formula: str) -> None:
        r = self.m.createReaction()
        r.setId(rid)
        r.setReversible(False)
        for sid, make in ((reactant, r.createReactant), (product, r.createProduct)):
            if sid is not None:
                ref = make()
                ref.setSpecies(sid)
                ref.setStoichiometry(1.0)
                ref.setConstant(True)
        kl = r.createKineticLaw()
        self._ok(kl.setMath(self.math(formula)), f"kinetic law of {rid}")

    def event(self, eid: str, trigger: str, assignments: dict[str, str]) -> None:
        e = self.m.createEvent()
        e.setId(eid)
        e.setUseValuesFromTriggerTime(True)
        t = e.createTrigger()
        t.setInitialValue(False)   # a trigger already true at t = 0 fires at t = 0
        t.setPersistent(True)
        self._ok(t.setMath(self.math(trigger)), f"trigger of {eid}")
        for var, formula in assignments.items():
            a = e.createEventAssignment()
            a.setVariable(var)
            self._ok(a.setMath(self.math(formula)), f"assignment of {var} in {eid}")

    def notes(self, paragraphs: list[str]) -> None:
        from xml.sax.saxutils import escape
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        self.m.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>')

    def text(self) -> str:
        return self.sb.writeSBMLToString(self.doc)


@dataclass(frozen=True)
class ExportInfo:
    """What :func:`build_sbml` baked in, for simulating the document like ``boneaxis simulate``."""

    day0_h: float              # SBML time of scenario day 0
    output_times_h: np.ndarray  # SBML times of the rows of ``boneaxis simulate``
    drugs: tuple[str, ...]
    n_events: int


def build_sbml(scenario, params: Params | None = None) -> tuple[str, ExportInfo]:
    """SBML text of ``scenario`` (a Scenario, mapping, YAML text or path) and what it holds."""
    from ..engine.inputs import PIECEWISE_CONSTANT, R_BOUND, R_CONC, R_RELEASE, pk_units, \
        piecewise_on_grid, switch_times
    from ..engine.simulate import prepare
    from ..scenario import load_scenario

    sc = load_scenario(scenario)
    for tr in sc.treatments:
        if tr.drug not in SUPPORTED_DRUGS:  # every drug of DRUGS today; kept for future drugs
            raise SBMLExportError(f"{tr.drug} cannot be exported to SBML yet; supported: "
                                  f"{', '.join(SUPPORTED_DRUGS)}")
    p = params if params is not None else params_mod.params()
    prep = prepare(sc, p)
    pc: PatientConstants = prep.pc
    g = prep.grid
    t_first = float(g.t_first_h)          # model time of SBML time 0
    day0_h = 0.0 - t_first
    out_t = g.out_times_h()
    t_end = float(out_t[-1])
    units = pk_units(sc, t_end, p)

    d = _Doc("boneaxis_" + sc.patient.phenotype)
    for uid, (size, dims) in _UNITS.items():
        d.unit(uid, size, dims)
    m = d.m
    m.setTimeUnits("hour")
    m.setSubstanceUnits("mg")
    m.setExtentUnits("mg")
    m.setVolumeUnits("litre")
    c = m.createCompartment()
    c.setId("body")
    c.setSize(1.0)
    c.setSpatialDimensions(3)
    c.setUnits("litre")
    c.setConstant(True)
    c.setName("nominal body compartment: PK species are amounts (mg)")

    # ---- model parameters (values in use), patient constants, conversion constants
    for name in Params._fields:
        row = PARAMETERS[name]
        d.param(name, getattr(p, name), _TABLE_UNITS[row.unit], name=row.description)
    for name in PatientConstants._fields:
        d.param(name, getattr(pc, name), _PC_UNITS[name], name="patient constant (phenotypes.py)")
    d.param("ng_dl_per_nmol_l_t", NG_DL_PER_NMOL_L_T, "ng_dL_per_nmol_L",
            name="testosterone ng/dL per nmol/L (endocrine.NG_DL_PER_NMOL_L_T)")
    d.param("ng_dl_per_nmol_l_a4", NG_DL_PER_NMOL_L_A4, "ng_dL_per_nmol_L",
            name="androstenedione ng/dL per nmol/L (endocrine.NG_DL_PER_NMOL_L_A4)")
    d.param("hours_per_day", HOURS_PER_DAY, "hour_per_day")
    d.param("hours_per_year", HOURS_PER_YEAR, "hour_per_year")
    d.param("days_per_year", DAYS_PER_YEAR, "day_per_year")
    d.param("years_per_decade", 10.0, "year_per_decade")
    d.param("imbalance_age_onset_years", 50.0, "year",
            name="age above which the focal imbalance grows (bone.focal_imbalance)")
    d.param("ln_2", math.log(2.0), "dimensionless")
    d.param("day0_h", day0_h, "hour", name="SBML time of scenario day 0")

    # ---- model states (rate rules) with the initial state of engine.simulate.prepare
    for i, name in enumerate(STATES):
        d.param(name, prep.state0[i], _STATE_UNITS.get(name, "dimensionless"), constant=False,
                name="model state (system.STATES)")
    for var, formula in _state_rates().items():
        d.rate(var, formula)

    # ---- PK: species, reactions, readouts into the model inputs
    feeds: dict[str, list[str]] = {}
    n_events = 0
    for un in units:
        col = INPUTS[un.column]
        pre = un.name
        if un.readout in PIECEWISE_CONSTANT:
            # piecewise-constant input (implant release, supplement exposure): one event per change
            d.param(f"{pre}_level", 0.0, _INPUT_UNITS[col], constant=False,
                    name=f"{pre} contribution to {col}")
            cuts = np.unique(np.concatenate([un.dose_times_h, switch_times(un)]))
            vals = piecewise_on_grid(un, cuts)
            last = 0.0
            for k, (tc, v) in enumerate(zip(cuts, vals)):
                if v == last:
                    continue
                d.event(f"{pre}_switch_{k}", f"time >= {float(tc - t_first)!r} hour", {f"{pre}_level": f"{float(v)!r} {_INPUT_UNITS[col]}"})
                n_events += 1
                last = v
            feeds.setdefault(col, []).append(f"{pre}_level")
            continue
        d.species(f"{pre}_depot", "body")
        d.param(f"{pre}_ka", un.ka_per_h, "per_hour", name=f"{pre} absorption rate constant")
        d.param(f"{pre}_ke", un.ke_per_h, "per_hour", name=f"{pre} elimination rate constant")
        d.param(f"{pre}_dose_fraction", un.dose_fraction, "dimensionless",
                name=f"fraction of each {pre} dose entering the depot")
        if un.readout == R_RELEASE:
            scale_unit = "ng_dL_per_mg_per_hour" if col == "t_exogenous_ng_dl" else "ug_per_day_per_mg"
            d.param(f"{pre}_scale", un.scale, scale_unit, name=f"{col} per depot release rate")
            # the model reads the release rate; the released drug leaves the PK system
            d.reaction(f"{pre}_absorption", f"{pre}_depot", None, f"{pre}_ka * {pre}_depot")
            feeds.setdefault(col, []).append(f"{pre}_ka * {pre}_depot * {pre}_scale")
        else:
            d.species(f"{pre}_central", "body")
            if un.readout == R_CONC:
                scale_unit = "ug_mL_per_mg" if col.endswith("_ug_ml") else "ng_mL_per_mg"
                d.param(f"{pre}_scale", un.scale, scale_unit, name=f"{col} per mg in the central pool")
            else:  # R_BOUND: bound bisphosphonate, as zoledronic-acid equivalents
                assert un.readout == R_BOUND
                d.param(f"{pre}_scale", un.scale, "dimensionless",
                        name=f"{pre} potency relative to zoledronic acid")
            d.reaction(f"{pre}_absorption", f"{pre}_depot", f"{pre}_central",
                       f"{pre}_ka * {pre}_depot")
            elim = f"{pre}_ke * {pre}_central"
            if un.vmax_mg_per_h > 0.0:   # engine.inputs.saturable_central_on_grid
                d.param(f"{pre}_vmax", un.vmax_mg_per_h, "mg_per_hour")
                d.param(f"{pre}_km", un.km_mg, "mg")
                elim += f" + {pre}_vmax * {pre}_central / ({pre}_km + {pre}_central)"
            if un.ke_per_h > 0.0 or un.vmax_mg_per_h > 0.0:
                d.reaction(f"{pre}_elimination", f"{pre}_central", None, elim)
            feeds.setdefault(col, []).append(f"{pre}_central * {pre}_scale")  # engine.inputs.readout
        # dosing: one periodic event per treatment of this drug
        for k, tr in enumerate([t for t in sc.treatments if t.drug == un.drug]):
            tid = f"{pre}_regimen{k + 1}"
            scheduled = tr.model_copy(update={"missed": ()}).dose_times_h(t_end)
            if scheduled.size == 0:
                continue
            d.param(f"{tid}_dose_mg", tr.dose_mg, "mg")
            d.param(f"{tid}_first_h", float(scheduled[0]) - t_first, "hour",
                    name="SBML time of the first scheduled dose")
            d.param(f"{tid}_every_h", tr.every_h, "hour")
            d.param(f"{tid}_n_scheduled", float(scheduled.size), "dimensionless",
                    name="doses scheduled (taken or missed) within the scenario")
            d.param(f"{tid}_n_given", 0.0, "dimensionless", constant=False,
                    name="scheduled doses passed so far (event counter)")
            n = f"{tid}_n_given"
            amount = f"{tid}_dose_mg * {pre}_dose_fraction"
            missed = [j for j in tr.missed if j <= scheduled.size]
            if missed:
                cond = " || ".join(f"{n} == {j - 1}" for j in sorted(set(missed)))
                amount = f"piecewise(0 mg, {cond}, {amount})"
            d.event(f"{tid}_dose",
                    f"(time >= {tid}_first_h + {n} * {tid}_every_h) && ({n} < {tid}_n_scheduled)",
                    {f"{pre}_depot": f"{pre}_depot + {amount}", n: f"{n} + 1"})
            n_events += 1

    # ---- model inputs (endocrine.INPUTS)
    for col in INPUTS:
        unit = _INPUT_UNITS[col]
        if col in feeds:
            d.param(col, None, unit, constant=False, name="model input (endocrine.INPUTS)")
            d.assignment(col, " + ".join(feeds[col]))
        else:
            d.param(col, 0.0, unit, name="model input (endocrine.INPUTS), unused here")

    # ---- signals and outputs
    for var, formula, unit in _signal_rules():
        d.param(var, None, unit, constant=False)
        d.assignment(var, formula)
    for var, formula, unit in _output_rules():
        d.param(var, None, unit, constant=False)
        d.assignment(var, formula)

    # ---- day-0 references of the % changes (set at day 0 by an event when the run starts earlier)
    x0 = prep.state0
    ms = x0[X_MIN]
    mh = ms * p.turnover_total_hip_per_y / p.turnover_lumbar_spine_per_y
    day0_vals = {
        # no antibody is on board at the first grid time, so resorption = osteoclast pool
        "resorption_day0": ("resorption", x0[X_OC]),
        "osteoblast_day0": ("osteoblast", x0[X_OB]),
        "ln_bmd_lumbar_spine_rel_day0": ("ln_bmd_lumbar_spine_rel", x0[X_BMD_SPINE] + ms),
        "ln_bmd_total_hip_rel_day0": ("ln_bmd_total_hip_rel", x0[X_BMD_HIP] + mh),
        "ln_bmd_femoral_neck_rel_day0": ("ln_bmd_femoral_neck_rel",
                                         x0[X_BMD_NECK] + mh * p.femoral_neck_to_hip_ratio),
    }
    for pid, (_, v) in day0_vals.items():
        d.param(pid, v, "dimensionless", constant=day0_h <= 0.0,
                name="value at scenario day 0 (reference of the % changes)")
    if day0_h > 0.0:
        d.event("record_day0", "time >= day0_h", {pid: src for pid, (src, _) in day0_vals.items()})
        n_events += 1

    pt = sc.patient
    d.notes([
        DISCLAIMER,
        f"Exported by boneaxis from one scenario: {pt.phenotype}, age {pt.age:g} y; treatments: "
        + ("; ".join(f"{t.drug} {t.dose_mg:g} mg every {t.every_h:g} h from {t.start_h:g} h"
                     + (f" to {t.stop_h:g} h" if t.stop_h is not None else "")
                     + (f", missed doses {list(t.missed)}" if t.missed else "")
                     for t in sc.treatments) or "none")
        + f"; duration {sc.duration_h:g} h.",
        f"Time unit: hour. SBML time 0 is the start of the run; scenario day 0 is at day0_h = "
        f"{day0_h:g} h. Outputs carry the names of the boneaxis simulate CSV columns.",
        "Parameter file: " + str(params_mod.fitted_file_info()["version"]),
    ])
    info = ExportInfo(day0_h=day0_h, output_times_h=out_t + day0_h,
                      drugs=tuple(dict.fromkeys(un.drug for un in units)), n_events=n_events)
    return d.text(), info


def export_sbml(scenario=None, path: str | Path | None = None,
                params: Params | None = None) -> str:
    """SBML L3V2 text of ``scenario`` (default :data:`DEFAULT_SCENARIO`); written to ``path`` if
    given."""
    text, _ = build_sbml(DEFAULT_SCENARIO if scenario is None else scenario, params)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def check_sbml(text: str) -> tuple[list[str], list[str]]:
    """libSBML consistency check (including units): (errors, warnings) as one-line messages."""
    sb = _libsbml()
    doc = sb.readSBMLFromString(text)
    doc.checkConsistency()
    errors, warnings = [], []
    for i in range(doc.getNumErrors()):
        e = doc.getError(i)
        msg = f"[{e.getCategoryAsString()} {e.getErrorId()}] line {e.getLine()}: " + " ".join(
            e.getMessage().split())
        (errors if e.getSeverity() >= sb.LIBSBML_SEV_ERROR else warnings).append(msg)
    return errors, warnings


# ----------------------------------------------------------------------------- libRoadRunner
ROADRUNNER_COLUMNS = (
    "time_days", "anastrozole_ng_ml", "lh_iu_l", "testosterone_ng_dl", "estradiol_pg_ml",
    "ctx_pct_change", "p1np_pct_change",
    *(f"bmd_{s}_{kind}" for s in SITES for kind in ("g_cm2", "pct_change")),
    "aromatase_inhibition_pct", "estradiol_bone_effective_pg_ml",
)


def load_roadrunner(text: str, rtol: float = 1e-8, atol: float = 1e-12):
    """A libRoadRunner instance of an exported document (CVODE, tight tolerances)."""
    rr_mod = _roadrunner()
    rr = rr_mod.RoadRunner(text)
    integ = rr.getIntegrator()
    integ.setValue("relative_tolerance", rtol)
    integ.setValue("absolute_tolerance", atol)
    integ.setValue("maximum_num_steps", 100000)
    rr.timeCourseSelections = list(ROADRUNNER_COLUMNS)
    return rr


def roadrunner_simulate(scenario, params: Params | None = None, rtol: float = 1e-8,
                        atol: float = 1e-12):
    """Simulate the exported SBML of ``scenario`` with libRoadRunner: a DataFrame with the rows of
    :func:`boneaxis.simulate` and the columns :data:`ROADRUNNER_COLUMNS`."""
    import pandas as pd

    text, info = build_sbml(scenario, params)
    rr = load_roadrunner(text, rtol, atol)
    res = np.asarray(rr.simulate(times=_sim_times(info)))
    return pd.DataFrame(res[-info.output_times_h.size:], columns=list(ROADRUNNER_COLUMNS))


def _sim_times(info: ExportInfo) -> list[float]:
    """Output times for ``RoadRunner.simulate(times=...)``, which starts at the first one: from
    SBML time 0 (the start of the run) even when day 0 comes later."""
    t = list(info.output_times_h)
    return t if t[0] == 0.0 else [0.0, *t]


def roadrunner_benchmark(n_patients: int = 100, seed: int = 2026, duration: str = "5 years",
                         rtol: float = 1e-8, atol: float = 1e-12) -> dict:
    """Time libRoadRunner on the exported 5-year model (anastrozole 1 mg daily, postmenopausal
    women around 64 y, daily output) for ``n_patients`` virtual patients.

    The document is exported and compiled once (timed separately); each patient then gets their
    own patient constants, parameter multipliers and initial state (from
    :func:`boneaxis.engine.simulate.prepare`, untimed) set into the compiled model, and one
    ``simulate`` call (timed).  Returns the timings in seconds; ``max_bmd_spine_diff_pp`` is the
    largest difference of the 5-year spine BMD change from :func:`boneaxis.simulate` over the
    first three patients (a check that the per-patient values were set).
    """
    from ..engine.simulate import prepare, run_arrays, to_frame
    from ..population.virtual import patient_params, virtual_arm
    from ..scenario import load_scenario

    base = {**DEFAULT_SCENARIO, "duration": duration}
    p0 = params_mod.params()
    t = _time.perf_counter()
    text, info = build_sbml(base, p0)
    t_export = _time.perf_counter() - t
    t = _time.perf_counter()
    rr = load_roadrunner(text, rtol, atol)
    t_load = _time.perf_counter() - t
    times = _sim_times(info)

    patients = virtual_arm(base["patient"], n_patients, seed)
    sim_s, set_s, diffs = [], [], []
    for patient, mult in patients:
        p = patient_params(p0, mult)
        prep = prepare(load_scenario({**base, "patient": patient}), p)
        ms = prep.state0[X_MIN]
        mh = ms * p.turnover_total_hip_per_y / p.turnover_lumbar_spine_per_y
        t = _time.perf_counter()
        rr.resetAll()
        for name in ("bone_e2_ec50_pg_ml", "oc_estrogen_gain", "turnover_lumbar_spine_per_y",
                     "turnover_total_hip_per_y"):
            rr.setValue(name, getattr(p, name))
        for name in PatientConstants._fields:
            rr.setValue(name, getattr(prep.pc, name))
        for i, name in enumerate(STATES):   # the state at t = 0 (setting init() recompiles)
            rr.setValue(name, prep.state0[i])
        rr.setValue("resorption_day0", prep.state0[X_OC])
        rr.setValue("osteoblast_day0", prep.state0[X_OB])
        rr.setValue("ln_bmd_lumbar_spine_rel_day0", ms)
        rr.setValue("ln_bmd_total_hip_rel_day0", mh)
        rr.setValue("ln_bmd_femoral_neck_rel_day0", mh * p.femoral_neck_to_hip_ratio)
        t1 = _time.perf_counter()
        res = rr.simulate(times=times)
        t2 = _time.perf_counter()
        set_s.append(t1 - t)
        sim_s.append(t2 - t1)
        res = np.asarray(res)
        if not np.all(np.isfinite(res)):
            raise RuntimeError("roadrunner returned non-finite values")
        if len(diffs) < 3:
            u, ch = run_arrays(prep)
            want = to_frame(prep, u, ch)["bmd_lumbar_spine_pct_change"].to_numpy()
            got = res[-want.size:, ROADRUNNER_COLUMNS.index("bmd_lumbar_spine_pct_change")]
            diffs.append(float(np.max(np.abs(got - want))))
    total = float(np.sum(sim_s) + np.sum(set_s))
    return {
        "n_patients": n_patients,
        "export_s": t_export,
        "load_compile_s": t_load,
        "simulate_median_s": float(np.median(sim_s)),
        "simulate_mean_s": float(np.mean(sim_s)),
        "set_values_mean_s": float(np.mean(set_s)),
        "total_s": total,
        "per_patient_s": total / n_patients,
        "n_events": info.n_events,
        "max_bmd_spine_diff_pp": max(diffs),
        "roadrunner": _roadrunner().__version__,
    }
