"""The hypothalamic-pituitary-gonadal axis under aromatase inhibition.

States and signals (units in the names)::

    lh_iu_l        luteinizing hormone, the one slow hormonal state (adapts over ~1 day)
    t_ng_dl        serum testosterone   } quasi-steady-state: their clearance half-lives (~1 h)
    e2_pg_ml       serum estradiol      } are short next to every input, so each equals
                                          production / clearance at every instant

Equations (all sexes; a phenotype only changes which sources exist)::

    inhibition(C, S)  = Imax C / (C + IC50 (1 + S / Km))        competitive, substrate S (nM)
    activity(S)       = A (1 - inhib_ana(C_ana, S)) (1 - inhib_let(C_let, S))
    d A / dt          = k_syn (1 - A) - k_inact C_exe/(C_exe + K_I) A   exemestane (irreversible)
    T_nb              = phi0 (T_gonad_ref (LH / LH_ref)^g + T_other) + phi_ref T_exogenous
                        non-SHBG-bound T (free + albumin-bound), the pool that is cleared
    FT                = T_nb / (1 + K_alb [Alb])                    free T
    T                 = T_nb + SHBG K_S FT / (1 + K_S FT)            total serum T
    E2                = c_arom (T + w A4) activity(T + A4)           peripheral aromatization
                      + E2_gonad_ref (T_gonad / T_gonad_ref) activity(r_itt T_gonad)   testis/ovary
                        x (1 + g_tam theta_tam)   tamoxifen stimulates the ovary directly
                      + E2_residual                                  not from ongoing aromatization
    E2_hyp            = E2 + kappa_H (T + w A4) activity(T + A4)    serum + intracrine (brain)
    E2_bone           = E2 + kappa_B (T + w A4) activity(T + A4)    serum + intracrine (bone)
    LH_target         = LH_cap (1 - G theta_GnRH) / (1 + s_H / (1 - s_H) + (FT / K_FT)^m)
    s_H               = s_E (1 - theta_tam) + a_H theta_tam,  s_E = E2_hyp^n / (E2_hyp^n + K_E^n)
                        K_E, n: men's, or women's (natal-female hypothalamus); a_H tamoxifen's
                        agonism there (without tamoxifen s_H/(1-s_H) = (E2_hyp/K_E)^n)
    d LH / dt         = (LH_target - LH) / tau_LH

Why two aromatase sites: anastrozole is a competitive inhibitor (Dukes 1996), so the same plasma
level inhibits the enzyme less where the substrate is abundant.  Inside the testis testosterone is
~100x its serum level, so the gonadal share of a man's E2 is partly protected and rises with LH;
this is the model's explanation for the modest E2 fall in men (Leder 2004) next to the profound fall
in postmenopausal women (Geisler 2002), with a single potency for both.

Why SHBG: only testosterone not bound to SHBG is cleared (the liver extracts free and
albumin-bound T; Vermeulen 1999 JCEM 84:3666), so each source adds to the non-SHBG pool in
proportion to its production, and total T follows from the binding equilibrium.  When exogenous T
fills SHBG, total T rises less than the dose (Matsumoto 1990: 1.5x and 3x on 100 and 300 mg of
enanthate a week) and free T, which acts on the hypothalamus and pituitary, rises more.  An older
man has more SHBG (Yeap 2007), so the same total T means less free T and less feedback: a rise to
~550 ng/dL on an aromatase inhibitor leaves his LH high, while a young man's T on injections
suppresses it.

Why tissue E2: target tissues (hypothalamus, bone) make estradiol locally from circulating
androgens (intracrine aromatization).  The drug blocks it whatever serum E2 does, which is how a
man's LH rises by half while his serum E2 falls only a quarter.  The two tissues have their own
factor: kappa_H is fitted to the male axis (Leder's LH rise), kappa_B to the bone targets, which
put it at about a twelfth of kappa_H (docs/model.md: one shared factor gave a man 77 pg/mL of bone
E2 and turned his AI into a 20% CTX rise, where Burnett-Bowie saw none).
"""

from __future__ import annotations

from typing import NamedTuple

from .._jit import njit

NG_DL_PER_NMOL_L_T = 28.84   # testosterone, M = 288.4 g/mol
NG_DL_PER_NMOL_L_A4 = 28.64  # androstenedione, M = 286.4 g/mol
PMOL_L_PER_PG_ML_E2 = 3.671  # estradiol, M = 272.4 g/mol


# Model inputs (columns of the input matrix the engines build from the dosing history).
INPUTS = (
    "c_anastrozole_ng_ml", "c_letrozole_ng_ml", "c_exemestane_ng_ml", "t_exogenous_ng_dl",
    "c_tamoxifen_ng_ml", "gnrh_release_ug_per_day", "bp_bound_zol_eq_mg", "c_denosumab_ug_ml",
    "calcium_vitamin_d_on",
)
(U_ANA, U_LET, U_EXE, U_TEXO, U_TAM, U_GNRH, U_BP, U_DMAB, U_CAD) = range(len(INPUTS))


class PatientConstants(NamedTuple):
    """Per-patient numbers derived from the baseline steady state (see :mod:`.phenotypes`)."""

    has_gonad: float                # 1 for men and premenopausal women, 0 otherwise
    t_gonad_ref_ng_dl: float        # gonadal (Leydig/theca) testosterone at baseline
    t_other_ng_dl: float            # adrenal/ovarian-stroma testosterone
    a4_ng_dl: float                 # androstenedione (aromatase substrate)
    lh_ref_iu_l: float              # baseline LH
    lh_cap_iu_l: float              # LH with no feedback
    lh_fb_e2_k_pg_ml: float         # hypothalamic E2 of half-maximal LH feedback (by sex)
    lh_fb_e2_hill: float            # its Hill exponent (by sex)
    tam_gonad_gain: float           # tamoxifen's direct stimulation of gonadal E2 (ovary only)
    c_arom_pg_ml_per_ng_dl: float   # whole-body aromatization constant
    e2_gonad_ref_pg_ml: float       # E2 secreted by testis/ovary at baseline
    e2_residual_pg_ml: float        # E2 not from ongoing aromatization
    age_years: float
    shbg_nmol_l: float              # sex-hormone-binding globulin (binding sites)
    t_unbound_fraction: float       # non-SHBG-bound share of T at baseline (phi0)
    t_exo_unbound_fraction: float   # the same for the reference man whose T clearance is known
    bmd0_lumbar_spine_g_cm2: float
    bmd0_total_hip_g_cm2: float
    bmd0_femoral_neck_g_cm2: float
    e2_adaptation_cap_pg_ml: float  # highest bone E2 adapted to (bone.adaptation_target)


@njit(cache=True, inline="always")
def aromatase_inhibition(c_ng_ml, substrate_nmol_l, imax, ic50_ng_ml, km_nmol_l):
    """Fractional inhibition by a reversible competitive inhibitor at plasma level ``c_ng_ml``."""
    if c_ng_ml <= 0.0:
        return 0.0
    ic50_app = ic50_ng_ml * (1.0 + substrate_nmol_l / km_nmol_l)
    return imax * c_ng_ml / (c_ng_ml + ic50_app)


@njit(cache=True, inline="always")
def aromatase_activity(u, substrate_nmol_l, active_enzyme, p):
    """Fraction of aromatase activity left: intact enzyme x what the reversible inhibitors spare
    (anastrozole and letrozole act independently on the same enzyme)."""
    left = 1.0 - aromatase_inhibition(u[U_ANA], substrate_nmol_l, p.arom_imax,
                                      p.arom_ic50_ng_ml, p.arom_km_nmol_l)
    left *= 1.0 - aromatase_inhibition(u[U_LET], substrate_nmol_l, p.let_imax,
                                       p.let_ic50_ng_ml, p.arom_km_nmol_l)
    return active_enzyme * left


@njit(cache=True, inline="always")
def exemestane_enzyme_kinetics(u, p):
    """Irreversible inactivation by exemestane vs re-synthesis of aromatase (1/h):
    ``dA/dt = k_syn (1 - A) - k_inact theta A`` as a relaxation ``(target, rate)``."""
    k_syn = 0.6931471805599453 / p.aromatase_resynthesis_half_life_h
    c = max(u[U_EXE], 0.0)
    k_in = p.exe_k_inact_per_h * c / (c + p.exe_ki_ng_ml)
    return k_syn / (k_syn + k_in), k_syn + k_in


@njit(cache=True, inline="always")
def receptor_occupancy(c, ec50):
    c = max(c, 0.0)
    return c / (c + ec50)


@njit(cache=True, inline="always")
def mixed_receptor_signal(s_estrogen, theta, agonism):
    """Estrogen-receptor signal (0..1) when a SERM occupies a share ``theta`` of the receptors:
    free receptors signal as E2 alone would (``s_estrogen``), occupied ones with the SERM's
    tissue-specific partial agonism, so it raises a low signal and lowers a high one.  Used for
    bone (``tam_bone_agonism``) and the hypothalamus (``tam_hypothalamic_agonism``)."""
    return s_estrogen * (1.0 - theta) + theta * agonism


@njit(cache=True, inline="always")
def hormones(lh_iu_l, active_enzyme, u, p, pc):
    """Quasi-steady-state serum hormones for a given LH, intact-enzyme fraction and drug input.

    Returns ``(t_ng_dl, e2_pg_ml, e2_bone_pg_ml, lh_target_iu_l, inhibition_periph)``.
    """
    lh = max(lh_iu_l, 0.0)
    t_gonad = 0.0
    if pc.has_gonad > 0.0:
        t_gonad = pc.t_gonad_ref_ng_dl * (lh / pc.lh_ref_iu_l) ** p.leydig_lh_exponent
    t_nonshbg = (pc.t_unbound_fraction * (t_gonad + pc.t_other_ng_dl)
                 + pc.t_exo_unbound_fraction * u[U_TEXO])
    ft_nmol_l = free_testosterone_nmol_l(t_nonshbg, p)
    t_ng_dl = total_testosterone_ng_dl(t_nonshbg, pc.shbg_nmol_l, p)
    substrate_ng_dl = t_ng_dl + p.a4_aromatization_weight * pc.a4_ng_dl
    s_plasma_nmol_l = t_ng_dl / NG_DL_PER_NMOL_L_T + pc.a4_ng_dl / NG_DL_PER_NMOL_L_A4
    act_periph = aromatase_activity(u, s_plasma_nmol_l, active_enzyme, p)

    theta_tam = receptor_occupancy(u[U_TAM], p.tam_ec50_ng_ml)
    e2 = pc.c_arom_pg_ml_per_ng_dl * substrate_ng_dl * act_periph + pc.e2_residual_pg_ml
    if pc.has_gonad > 0.0:
        s_gonad_nmol_l = p.intratesticular_t_ratio * t_gonad / NG_DL_PER_NMOL_L_T
        act_gonad = aromatase_activity(u, s_gonad_nmol_l, active_enzyme, p)
        # tamoxifen stimulates the ovary directly (E2 up at unchanged LH); not the testis
        e2 += (pc.e2_gonad_ref_pg_ml * (t_gonad / pc.t_gonad_ref_ng_dl) * act_gonad
               * (1.0 + pc.tam_gonad_gain * theta_tam))

    local_substrate = substrate_ng_dl * act_periph   # what target tissues still aromatize
    e2_hyp = e2 + p.tissue_intracrine_pg_ml_per_ng_dl * local_substrate
    e2_bone = e2 + p.bone_intracrine_pg_ml_per_ng_dl * local_substrate
    # a GnRH agonist desensitizes the pituitary
    gnrh = p.gnrh_suppression_max * receptor_occupancy(u[U_GNRH], p.gnrh_ec50_ug_per_day)
    lh_target = pc.lh_cap_iu_l / lh_feedback_denominator(
        e2_hyp, theta_tam, ft_nmol_l, pc.lh_fb_e2_k_pg_ml, pc.lh_fb_e2_hill, p) * (1.0 - gnrh)
    return t_ng_dl, e2, e2_bone, lh_target, 1.0 - act_periph


@njit(cache=True, inline="always")
def lh_feedback_denominator(e2_hyp_pg_ml, theta_tam, ft_nmol_l, e2_k_pg_ml, e2_hill, p):
    """``LH_cap / LH_target``: feedback by hypothalamic E2 (serum + local aromatization; curve
    ``e2_k_pg_ml``, ``e2_hill`` of the patient's sex) and by free T.

    The E2 term ``(E/K)^n`` is the receptor's ``s/(1 - s)`` with ``s = E^n/(E^n + K^n)``;
    tamoxifen (occupancy ``theta_tam``) shares the receptor as it does in bone,
    ``s = s_E (1 - theta) + a_H theta``, with its own hypothalamic agonism ``a_H``: it blocks a
    high E2 signal (premenopausal) and raises a low one (postmenopausal gonadotropins fall).
    """
    f_e2 = (e2_hyp_pg_ml / e2_k_pg_ml) ** e2_hill
    if theta_tam > 0.0:
        s = mixed_receptor_signal(f_e2 / (1.0 + f_e2), theta_tam, p.tam_hypothalamic_agonism)
        f_e2 = s / (1.0 - s)
    return (1.0 + f_e2
            + (max(ft_nmol_l, 0.0) / p.lh_ft_k_nmol_l) ** p.lh_ft_hill)


@njit(cache=True, inline="always")
def free_testosterone_nmol_l(t_nonshbg_ng_dl, p):
    """Free T (nmol/L) from the non-SHBG-bound pool: albumin binding is linear (not saturable at
    these levels), so free = pool / (1 + K_alb [albumin])."""
    return max(t_nonshbg_ng_dl, 0.0) / NG_DL_PER_NMOL_L_T / (1.0 + p.t_albumin_bound_per_free)


@njit(cache=True, inline="always")
def total_testosterone_ng_dl(t_nonshbg_ng_dl, shbg_nmol_l, p):
    """Total serum T: the non-SHBG pool plus T bound to SHBG at equilibrium with free T."""
    ft = free_testosterone_nmol_l(t_nonshbg_ng_dl, p)
    x = p.shbg_t_ka_l_per_nmol * ft
    return max(t_nonshbg_ng_dl, 0.0) + shbg_nmol_l * x / (1.0 + x) * NG_DL_PER_NMOL_L_T


def free_testosterone_from_total_nmol_l(t_total_ng_dl, shbg_nmol_l, p):
    """Free T (nmol/L) at equilibrium for a total T (Vermeulen 1999 JCEM 84:3666): solves
    ``T = N FT + S K FT / (1 + K FT)`` (a quadratic), N = 1 + K_alb [albumin]; numbers or arrays."""
    t = t_total_ng_dl / NG_DL_PER_NMOL_L_T
    n, k = 1.0 + p.t_albumin_bound_per_free, p.shbg_t_ka_l_per_nmol
    a, b = n * k, n + k * (shbg_nmol_l - t)
    return 2.0 * t / (b + (b * b + 4.0 * a * t) ** 0.5)   # the positive root, without cancellation


def unbound_fraction(t_total_ng_dl: float, shbg_nmol_l: float, p) -> float:
    """Non-SHBG-bound (free + albumin-bound) share of total T at equilibrium."""
    ft = free_testosterone_from_total_nmol_l(t_total_ng_dl, shbg_nmol_l, p)
    return (1.0 + p.t_albumin_bound_per_free) * ft * NG_DL_PER_NMOL_L_T / t_total_ng_dl
