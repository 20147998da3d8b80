"""Every number of the model, in one place: value, unit and source.

Parameters marked ``fitted`` are estimated by :mod:`boneaxis.calibration` against the
published targets named in their ``source``; their current values live in the versioned file
``fitted_parameters.json`` next to this module and override the priors written here.
``docs/parameters.md`` is generated from this table (``python -m boneaxis.report.parameters``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    source: str
    description: str
    fitted: bool = False
    bounds: tuple[float, float] | None = None  # search range when fitted


_P = Parameter
_DEFAULTS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- anastrozole PK
    _P("ana_ka_per_h", 3.5, "1/h", "chosen so tmax = 1.6 h (label: tmax 1-2 h)",
       "first-order absorption rate constant of anastrozole"),
    _P("ana_cl_l_per_h", 1.5, "L/h", "Arimidex label; calibration-targets.md (CL/F ~1.5 L/h)",
       "apparent oral clearance CL/F"),
    _P("ana_half_life_h", 46.0, "h", "Arimidex label (terminal half-life 40-50 h)",
       "terminal elimination half-life"),
    # ---------------------------------------------------------------- aromatase inhibition
    _P("arom_imax", 0.982, "1", "calibrated to Geisler 1996/2002 (97% at 1 mg, 98.1% at 10 mg)",
       "maximal fractional inhibition of whole-body aromatization", True, (0.95, 0.999)),
    _P("arom_ic50_ng_ml", 0.30, "ng/mL", "calibrated to Geisler 1996/2002; in-vitro IC50 15 nM "
       "= 4.4 ng/mL (Dukes 1996) is not the in-vivo potency",
       "anastrozole plasma concentration for half-maximal inhibition at zero substrate", True,
       (0.05, 3.0)),
    _P("arom_km_nmol_l", 40.0, "nmol/L", "calibrated to Leder 2004 / Burnett-Bowie 2009 within the "
       "published aromatase Km range for androgens, 5-50 nM (Simpson 1994 Endocr Rev 15:342)",
       "substrate Michaelis constant (competitive inhibition)", True, (5.0, 50.0)),
    _P("intratesticular_t_ratio", 100.0, "1", "intratesticular T ~100x serum (Jarow 2001 J Androl "
       "22:640; Coviello 2004 JCEM 89:2208)", "intratesticular / serum testosterone ratio"),
    # ---------------------------------------------------------------- estradiol sources
    _P("e2_residual_fraction", 0.11, "1", "calibrated to Geisler 2002 / Dixon 2008 (E2 -84% while "
       "aromatization -97%; residual ~10%)",
       "fraction of non-gonadal serum E2 not from ongoing aromatization (slow estrogen-sulfate "
       "pool, assay floor)", True, (0.0, 0.3)),
    _P("e2_testis_fraction", 0.35, "1", "calibrated to Leder 2004 and Burnett-Bowie 2009 (men: E2 "
       "only -20..-35% on 1 mg); literature 15-25% (Longcope 1972 JCI 51:2086)",
       "fraction of a eugonadal man's serum E2 secreted directly by the testes", True, (0.05, 0.7)),
    _P("a4_aromatization_weight", 3.0, "1", "A4->E1 conversion 1.3% vs T->E2 0.3% "
       "(Longcope 1986; MacDonald 1967), rounded", "weight of androstenedione relative to "
       "testosterone as aromatase substrate for serum E2"),
    _P("a4_ng_dl_woman", 60.0, "ng/dL", "postmenopausal androstenedione ~0.6 ng/mL (Longcope 1986 "
       "Am J Obstet Gynecol 154:1346)", "serum androstenedione, postmenopausal woman"),
    _P("a4_ng_dl_man", 90.0, "ng/dL", "male androstenedione ~0.9 ng/mL (Vermeulen 1976)",
       "serum androstenedione, man"),
    # ---------------------------------------------------------------- testosterone
    _P("t_cl_l_per_h", 40.0, "L/h", "metabolic clearance of T ~1000 L/day (Southren 1967; "
       "Vermeulen 1972)", "total-T clearance of the young reference man (t_man_young_ng_dl, "
       "shbg_man_young_nmol_l); with his non-SHBG share it turns an exogenous dose into T"),
    _P("leydig_lh_exponent", 1.15, "1", "calibrated to Leder 2004 (T +67% with LH +55%)",
       "exponent of Leydig T secretion on LH", True, (0.5, 2.0)),
    # ---------------------------------------------------------------- LH feedback
    _P("lh_tau_h", 24.0, "h", "LH mean level adapts within days of AI start (Hayes 2000 JCEM "
       "85:3027)", "time constant of LH adaptation to feedback"),
    _P("lh_e2_k_pg_ml", 18.0, "pg/mL", "calibrated to Leder 2004 (LH 5.1 -> 7.9 IU/L)",
       "hypothalamic E2 of half-maximal feedback on LH", True, (5.0, 80.0)),
    _P("lh_e2_hill", 2.0, "1", "calibrated to Leder 2004", "Hill exponent of E2 feedback on LH",
       True, (0.5, 4.0)),
    # Women's feedback has its own curve: postmenopausal LH does not rise when an AI takes E2
    # from ~7 to ~1 pg/mL (Climacteric 2014 doi 10.3109/13697137.2014.929105: LH -11%, FSH +6%
    # over 2 years), which the men's shallow curve (steepest at low E2) turns into a tripling.
    _P("lh_e2_k_female_pg_ml", 40.0, "pg/mL", "calibrated to the postmenopausal LH on anastrozole "
       "(Climacteric 2014 doi 10.3109/13697137.2014.929105); prior: between postmenopausal (~7) "
       "and follicular-phase (~50) E2", "hypothalamic E2 of half-maximal feedback on LH in women "
       "and ovariectomized transmen (natal-female hypothalamus)", True, (5.0, 300.0)),
    _P("lh_e2_hill_female", 2.0, "1", "assumption (the men's prior): with one postmenopausal LH "
       "target only the threshold is fitted; premenopausal women's LH rise on letrozole (Fertil "
       "Steril 2011 95:2063) checks the curve's upper part", "Hill exponent of E2 feedback on LH "
       "in women and ovariectomized transmen"),
    _P("lh_ft_k_nmol_l", 0.7, "nmol/L", "calibrated to Matsumoto 1990 JCEM 70:282 (LH halved "
       "by 50 mg testosterone enanthate a week in normal men) with Leder 2004 and Burnett-Bowie "
       "2009; prior: twice a young man's free T (0.37 nmol/L)", "free T at which direct androgen "
       "feedback equals the unsuppressed LH drive", True, (0.1, 20.0)),
    _P("lh_ft_hill", 2.0, "1", "calibrated (as above); bounded at 3, where the fit ends: freer, it "
       "went to 7.3, which broke Burnett-Bowie's T and E2 and made the LH loop a switch (LH "
       "collapsed on an AI in a 50-year-old at the engine's step)", "Hill exponent of free-T "
       "feedback on LH", True, (0.5, 3.0)),
    # ---------------------------------------------------------------- testosterone binding
    _P("shbg_t_ka_l_per_nmol", 1.0, "L/nmol", "Vermeulen 1999 JCEM 84:3666 (K_SHBG 1e9 L/mol)",
       "association constant of testosterone for SHBG"),
    _P("t_albumin_bound_per_free", 22.4, "1", "Vermeulen 1999 JCEM 84:3666 (K_alb 3.6e4 L/mol x "
       "albumin 43 g/L = 0.62 mmol/L)", "albumin-bound / free testosterone (linear binding)"),
    _P("shbg_man_young_nmol_l", 31.67, "nmol/L", "men aged 20-39 (PLoS One 2016 11:e0164116, the "
       "reference mean; with T 16.88 nmol/L, calculated free T 0.37 nmol/L)",
       "SHBG of a man at 30 (default when no SHBG lab is given)"),
    _P("t_man_young_ng_dl", 16.88 * 28.84, "ng/dL", "men aged 20-39 (PLoS One 2016 11:e0164116: "
       "total T 16.88 nmol/L, the reference mean)", "total T of the young reference man whose SHBG "
       "is shbg_man_young_nmol_l and whose clearance is t_cl_l_per_h"),
    _P("shbg_man_old_nmol_l", 42.4, "nmol/L", "men aged 70-89, Health in Men Study (Yeap 2007 Eur J "
       "Endocrinol 156:585: SHBG 42.4 +/- 16.7 nmol/L)", "SHBG of a man at 80 (linear in age "
       "from 30, held outside 30-80)"),
    _P("shbg_woman_nmol_l", 50.0, "nmol/L", "assumption: adult women's SHBG is ~40-60 nmol/L; it "
       "sets only how far exogenous T raises a woman's or transman's total T",
       "SHBG of a woman or ovariectomized transman (default when no SHBG lab is given)"),
    # ---------------------------------------------------------------- bone: estrogen response
    _P("bone_e2_ec50_pg_ml", 15.0, "pg/mL", "calibrated to ATAC, IBIS-II and Burnett-Bowie 2009; "
       "threshold ~ 10-20 pg/mL in men (Khosla 2001 JCEM 86:3555)",
       "bone-effective E2 for half-maximal estrogen signal (one curve, both sexes)", True,
       (2.0, 60.0)),
    _P("bone_e2_hill", 1.5, "1", "calibrated (as above)", "Hill exponent of the estrogen signal",
       True, (0.5, 4.0)),
    _P("tissue_intracrine_pg_ml_per_ng_dl", 0.02, "pg/mL per ng/dL", "calibrated to Leder 2004 "
       "LH rise; intracrine aromatase in the hypothalamus (Simpson 2002; Hayes 2000: T feeds back "
       "on LH largely after aromatization)",
       "serum-E2-equivalent made locally in the hypothalamus per ng/dL of aromatizable substrate "
       "(E2 feedback on LH)", True, (0.0, 0.2)),
    _P("bone_intracrine_pg_ml_per_ng_dl", 0.02, "pg/mL per ng/dL", "calibrated to the bone "
       "targets (ATAC, IBIS-II, Burnett-Bowie spine and CTX); aromatase in osteoblasts and "
       "bone-lining cells (Sasano 1997 J Bone Miner Res 12:1416); prior as the hypothalamic factor",
       "serum-E2-equivalent made locally in bone per ng/dL of aromatizable substrate", True,
       (0.0, 0.2)),
    _P("bone_t_k_ng_dl", 300.0, "ng/dL", "assumption: androgen receptor signal half-saturated "
       "near the low-normal male range", "testosterone for half-maximal androgen signal on bone"),
    _P("oc_tau_d", 15.0, "d", "osteoclast lifespan ~2-3 weeks (Manolagas 2000 Endocr Rev 21:115)",
       "time constant of the osteoclast pool (CTX without denosumab)"),
    _P("ob_tau_d", 120.0, "d", "calibrated to ATAC 2-year vs 5-year shape; formation follows "
       "resorption by months (Eriksen 1986)", "lag of osteoblast formation (P1NP) behind "
       "resorption", True, (40.0, 400.0)),
    _P("oc_estrogen_gain", 1.2, "1", "calibrated to ARIBON CTX +34.9% at 12 months (Lester 2008)",
       "relative rise of osteoclastogenesis (RANKL/OPG) when the estrogen signal is absent", True,
       (0.1, 5.0)),
    _P("focal_imbalance_estrogen", 0.03, "1", "calibrated to IBIS-II placebo, ATAC 5-year and "
       "Burnett-Bowie spine; prior: a few % of each resorbed unit left unfilled after menopause "
       "(Eriksen 1990 J Bone Miner Res 5:311)",
       "BMU focal imbalance (resorbed minus refilled fraction) when the estrogen signal is absent",
       True, (0.001, 0.3)),
    _P("focal_imbalance_androgen", 0.005, "1", "assumption: a smaller direct T effect on formation "
       "than E2's (Vanderschueren 2004 Endocr Rev 25:389); fitting it let T replace E2 as the "
       "driver of bone loss, which the data cannot tell apart",
       "reduction of focal imbalance at full androgen signal (imbalance is floored at 0)"),
    _P("focal_imbalance_withdrawal", 0.2, "1", "calibrated to Fogelman 2003 (goserelin, spine at "
       "2 years) and Sowers 2010 J Clin Endocrinol Metab 95:2155 (spine loss after natural "
       "menopause); prior: the rapid phase of loss after estrogen withdrawal, trabecular "
       "perforation that remodeling cannot refill (Riggs 1998 J Bone Miner Res 13:763)",
       "extra focal imbalance while bone E2 sits below the level the skeleton has adapted to, per "
       "premenopausal E2 (e2_premenopausal_pg_ml) of shortfall", True, (0.0, 3.0)),
    _P("estrogen_adaptation_tau_y", 3.0, "y", "calibrated (as above); prior: the rapid phase lasts "
       "~4-8 years after menopause (Riggs 1998 J Bone Miner Res 13:763)",
       "time constant with which the skeleton's adapted E2 level follows bone E2", True,
       (0.5, 15.0)),
    # ---------------------------------------------------------------- bone: sites
    _P("turnover_lumbar_spine_per_y", 0.20, "1/y", "calibrated to ATAC/IBIS-II spine; trabecular "
       "turnover ~25%/y (Parfitt 1983)", "fractional remodeling rate, lumbar spine", True,
       (0.02, 0.8)),
    _P("turnover_total_hip_per_y", 0.12, "1/y", "calibrated to ATAC/IBIS-II total hip",
       "fractional remodeling rate, total hip", True, (0.02, 0.8)),
    _P("imbalance_scale_lumbar_spine", 1.0, "1", "calibrated to ATAC/IBIS-II spine",
       "site scale of the focal imbalance, lumbar spine", True, (0.05, 5.0)),
    _P("imbalance_scale_total_hip", 1.0, "1", "calibrated to ATAC/IBIS-II total hip",
       "site scale of the focal imbalance, total hip", True, (0.05, 5.0)),
    _P("femoral_neck_to_hip_ratio", 1.0, "1", "calibrated to ABCSG-18 femoral neck vs total hip "
       "(Gnant 2015 Lancet 386:433: +6.5 vs +7.9 at 36 months); prior 1.0 (neck follows total "
       "hip) is an assumption",
       "femoral-neck remodeling rate relative to total hip", True, (0.3, 1.5)),
    _P("age_imbalance_per_decade", 0.004, "1/decade", "calibrated to IBIS-II and Burnett-Bowie "
       "placebo arms; age-related loss ~0.5-1%/y after 60 (Jones 1994 BMJ 309:691)",
       "focal imbalance added per decade over 50", True, (0.0002, 0.05)),
    # ---------------------------------------------------------------- premenopausal E2
    _P("e2_premenopausal_pg_ml", 100.0, "pg/mL", "cycle-averaged premenopausal E2 ~100 pg/mL "
       "(Stricker 2006 Clin Chem Lab Med 44:883)", "E2 before menopause (sets the menopause step)"),
    # ---------------------------------------------------------------- other endocrine drugs
    _P("let_imax", 0.995, "1", "calibrated to Geisler 2002 J Clin Oncol 20:751 (letrozole 2.5 mg: "
       "whole-body aromatization inhibited 99.1%)", "maximal inhibition by letrozole", True,
       (0.98, 0.9999)),
    _P("let_ic50_ng_ml", 0.5, "ng/mL", "calibrated to Geisler 2002 (as above); letrozole saturates "
       "the enzyme at 2.5 mg daily", "letrozole plasma level for half-maximal inhibition at zero "
       "substrate", True, (0.001, 5.0)),
    _P("exe_k_inact_per_h", 0.05, "1/h", "calibrated to Geisler 1998 Clin Cancer Res 4:2089 "
       "(exemestane 25 mg: aromatization inhibited 97.9%)", "maximal rate of irreversible "
       "aromatase inactivation by exemestane", True, (0.001, 5.0)),
    _P("exe_ki_ng_ml", 5.0, "ng/mL", "assumption (Cmax ~18 ng/mL after 25 mg; Aromasin label)",
       "exemestane level for half-maximal inactivation rate"),
    _P("aromatase_resynthesis_half_life_h", 48.0, "h", "assumption: enzyme recovery over days after "
       "exemestane (Aromasin label: E2 suppression persists ~1 week after a dose)",
       "half-life of aromatase re-synthesis after irreversible inactivation"),
    _P("tam_ec50_ng_ml", 30.0, "ng/mL", "assumption: tamoxifen+metabolites at 20 mg daily (Css "
       "~120 ng/mL) occupy most estrogen receptors (~80%); not fitted: no calibration target "
       "identifies it (Groom 1979 refits the hypothalamic and ovarian terms at any value); "
       "only Powles 1996's spine, a validation row, would move it (passes at 10; "
       "docs/model.md)", "tamoxifen level for half receptor occupancy"),
    _P("tam_hypothalamic_agonism", 0.5, "1", "calibrated to Groom 1979 J Clin Invest 64:398 "
       "(premenopausal women: LH not greatly changed on tamoxifen while E2 doubled; so also J "
       "Endocrinol 1976 70:421); prior: mid-way", "tamoxifen's agonism at the hypothalamic "
       "estrogen receptor (the E2-feedback signal it gives at full occupancy)", True, (0.0, 0.95)),
    _P("tam_ovarian_gain", 1.0, "1", "calibrated to Groom 1979 (E2 doubled at unchanged LH: "
       "tamoxifen stimulates the ovary directly, as J Endocrinol 1976 70:421 concluded); prior: "
       "E2 doubled at full occupancy", "rise of ovarian E2 secretion per unit tamoxifen receptor "
       "occupancy, at a given LH", True, (0.0, 5.0)),
    _P("tam_bone_agonism", 0.6, "1", "calibrated to ATAC tamoxifen arm (Eastell 2006: spine and "
       "hip BMD rise slightly in postmenopausal women)", "estrogen-receptor signal on bone of a "
       "receptor occupied by tamoxifen (0 antagonist, 1 full agonist)", True, (0.0, 1.0)),
    _P("gnrh_suppression_max", 0.97, "1", "calibrated to men on goserelin 3.6 mg every 4 weeks: "
       "mean T in the surgically castrate range by day 21 (Eur Urol 1995 27:43), <= 18.5 ng/dL "
       "in 77% on long-term treatment (Urology 2004 64:1177)", "maximal suppression of pituitary "
       "LH by a GnRH agonist", True, (0.9, 0.9999)),
    _P("gnrh_ec50_ug_per_day", 0.1, "ug/day", "assumption: a 3.6 mg/28 d implant (~130 ug/day) "
       "keeps the pituitary fully desensitized, so the depth of suppression is gnrh_suppression_max",
       "goserelin release rate for half-maximal suppression"),
    _P("e2_ovary_fraction", 0.965, "1", "derived: after menopause androstenedione production "
       "halves and is adrenal, and its conversion to estrogen doubles (Grodin 1973 J Clin "
       "Endocrinol Metab 36:207), so a premenopausal woman's non-ovarian E2 is about half a "
       "postmenopausal woman's (~7 pg/mL): ~3.5 of her ~100 pg/mL",
       "fraction of a premenopausal woman's serum E2 secreted by the ovaries"),
    # ---------------------------------------------------------------- bone protection
    _P("bp_active_half_life_d", 120.0, "d", "calibrated to SABRE, ARIBON and Z-FAST",
       "half-life of the fast phase of the bone-surface bisphosphonate pool (burial under new "
       "bone)", True, (20.0, 1000.0)),
    _P("bp_slow_fraction", 0.2, "1", "calibrated to Grey 2017 CMAJ 189:E1130 (one 5 mg "
       "zoledronate dose: total hip +5.4% vs placebo after 5 years) and the HORIZON second "
       "extension (Black 2015 J Bone Miner Res 30:934: total hip -1.31% in the 3 years after "
       "stopping 6 years of zoledronate); prior an assumption", "share of the bone-bound dose "
       "that stays within osteoclasts' reach for years (re-exposed by remodeling and re-bound; "
       "Russell 2008 Osteoporos Int 19:733)", True, (0.0, 0.9)),
    _P("bp_slow_half_life_d", 1500.0, "d", "calibrated (as bp_slow_fraction); prior an "
       "assumption (alendronate's terminal half-life in bone exceeds 10 years: Fosamax label)",
       "half-life of the slow phase of the bone-surface bisphosphonate pool", True,
       (200.0, 10000.0)),
    _P("bp_fraction_to_bone", 0.5, "1", "~50% of the absorbed or IV dose is taken up by bone "
       "(Fosamax, Reclast labels)", "fraction of systemic bisphosphonate bound to bone"),
    _P("bp_emax", 0.7, "1", "calibrated (as above); CTX falls 50-70% on bisphosphonates",
       "maximal fractional suppression of osteoclast activity by bisphosphonates", True,
       (0.2, 0.95)),
    _P("bp_ec50_mg", 0.5, "mg", "calibrated (as above)", "zoledronic-acid-equivalent bone-surface "
       "amount for half-maximal effect", True, (0.01, 50.0)),
    _P("potency_risedronate", 0.3, "1", "calibrated to SABRE (Van Poznak 2010)", "antiresorptive "
       "potency per mg bound, relative to zoledronic acid", True, (0.01, 10.0)),
    _P("potency_ibandronate", 0.3, "1", "calibrated to ARIBON (Lester 2008)", "antiresorptive "
       "potency per mg bound, relative to zoledronic acid", True, (0.01, 10.0)),
    _P("potency_alendronate", 0.15, "1", "assumption: half risedronate's per absorbed mg (similar "
       "clinical effect from ~2x the absorbed amount; Rosen 2005 FACT)", "antiresorptive potency "
       "per mg bound, relative to zoledronic acid"),
    _P("dmab_emax", 0.9, "1", "calibrated to ABCSG-18 (Gnant 2015) and to serum CTX -85% by "
       "3 days after a dose (Prolia US prescribing information 12.2)", "maximal suppression of "
       "resorption by the osteoclast pool when denosumab holds RANKL", True, (0.5, 0.995)),
    _P("dmab_ec50_ug_ml", 0.005, "ug/mL", "calibrated (as above)", "denosumab serum level for "
       "half-maximal RANKL inhibition", True, (0.0005, 1.0)),
    _P("dmab_rebound_gain", 1.2, "1", "calibrated to the rebound after stopping denosumab: "
       "resorption markers 40-60% above pretreatment values (Prolia US prescribing information "
       "12.2; Bone 2011 JCEM 96:972), fitted to the mid-range +50% (peak CTX in the 30 months "
       "after the last dose)", "extra osteoclastogenesis per unit of RANKL-blocked precursor "
       "reservoir once denosumab wanes", True, (0.05, 10.0)),
    _P("dmab_reservoir_tau_d", 120.0, "d", "assumption: the rebound lasts months (as above)",
       "time constant of the osteoclast-precursor reservoir built while RANKL is blocked"),
    _P("mineralization_gain", 0.03, "1", "calibrated to ABCSG-18 and SABRE; secondary "
       "mineralization raises BMD for years when turnover is suppressed (Boivin 2000 Bone 27:687)",
       "ln-BMD gained at the spine per unit fall of resorption, at equilibrium", True,
       (0.0, 0.3)),
    _P("mineralization_tau_y", 2.0, "y", "calibrated (as above); secondary mineralization "
       "proceeds over years (Boivin 2000)", "time constant of tissue mineralization at the "
       "estrogen-replete turnover (the rate scales with resorption)", True,
       (0.3, 10.0)),
    _P("modeling_formation_gain", 0.1, "1", "calibrated to ten years of denosumab (Popp 2018 "
       "Calcif Tissue Int 103:50: spine +21.2%, total hip +8.3%); prior 0.1 is an assumption; "
       "mechanism: modeling-based formation continues on denosumab (Ominsky 2015 JBMR 30:1280)",
       "net modeling-based formation per unit share of resorption silenced by RANKL blockade, in "
       "units of the site's remodeling rate", True, (0.0, 1.0)),
    _P("calcium_vitamin_d_effect", 0.05, "1", "Tang 2007 Lancet 370:657: supplements reduce bone "
       "loss modestly (~0.5-1.2% over 3 years)", "fractional reduction of osteoclast drive on "
       "calcium + vitamin D", True, (0.0, 0.3)),
)


def _load_fitted() -> dict:
    text = resources.files("boneaxis.model").joinpath("fitted_parameters.json").read_text()
    return json.loads(text)


def _merged() -> dict[str, Parameter]:
    table = {p.name: p for p in _DEFAULTS}
    fitted = _load_fitted()
    for name, value in fitted.get("values", {}).items():
        if name not in table:
            raise KeyError(f"fitted_parameters.json names unknown parameter {name!r}")
        table[name] = replace(table[name], value=float(value))
    return table


PARAMETERS: dict[str, Parameter] = _merged()


@lru_cache(maxsize=1)
def fitted_file_info() -> dict:
    """Version and SHA-256 of the parameter file in use (for reports)."""
    text = resources.files("boneaxis.model").joinpath("fitted_parameters.json").read_bytes()
    info = json.loads(text)
    return {"version": info.get("version", "unversioned"),
            "sha256": hashlib.sha256(text).hexdigest()}


def value(name: str) -> float:
    return PARAMETERS[name].value


# Flat, numba-friendly view of the parameters: one float field per row of the table, same names.
Params = NamedTuple("Params", [(p.name, float) for p in _DEFAULTS])


def params(overrides: dict[str, float] | None = None) -> Params:
    """The global parameters as a :class:`Params`, optionally with some values replaced."""
    values = {k: p.value for k, p in PARAMETERS.items()}
    for k, v in (overrides or {}).items():
        if k not in values:
            raise KeyError(f"unknown parameter {k!r}")
        if not np.isfinite(v):
            raise ValueError(f"parameter {k} must be finite, got {v}")
        values[k] = float(v)
    return Params(**values)


def fitted_names() -> list[str]:
    return [p.name for p in _DEFAULTS if p.fitted]
