"""The drugs boneaxis knows: route, kinetics, default regimen and sources.

Every drug is a depot that empties first-order into a central pool (see :mod:`.absorption`);
``readout`` says what the model sees:

* ``concentration``   central amount / volume (ng/mL, or ug/mL for denosumab)
* ``release_rate``    depot -> plasma rate (testosterone esters)
* ``bound_amount``    central pool = drug bound to bone surfaces (bisphosphonates; a fast and a
                      slow phase, ``bp_active_half_life_d``, ``bp_slow_half_life_d`` and
                      ``bp_slow_fraction``: :func:`boneaxis.engine.inputs.pk_units`)
* ``zero_order``      dose / release time while an implant or gel releases (goserelin, per day;
                      testosterone gel, as serum T)
* ``exposure``        1 while the supplement is being taken (calcium + vitamin D)

``model_input`` names the model input (:data:`boneaxis.model.system.INPUTS`) it feeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..parameters import value


def testosterone_ng_dl_per_mg_per_h(t_cl_l_per_h: float) -> float:
    """Serum testosterone added (ng/dL, steady state) per mg/h of testosterone reaching plasma:
    input over metabolic clearance (mg/h / (L/h) = mg/L = 1e6 ng / 10 dL).  The depot already
    holds only the absorbed share (dose x bioavailability), so F is not applied again here."""
    return 1e6 / (t_cl_l_per_h * 10.0)


@dataclass(frozen=True)
class Drug:
    name: str
    model_input: str
    readout: str
    route: str                 # "oral" | "intramuscular" | "transdermal" | "intravenous" | "subcutaneous"
    ka_per_h: float            # depot -> central
    ke_per_h: float            # central elimination (linear part)
    bioavailability: float     # fraction of the dose (as active moiety) reaching plasma
    volume_l: float            # apparent volume (concentration readouts); 0 otherwise
    default_regimen: str
    typical_dose_mg: tuple[float, float]  # plausible range (outside it: a warning, not an error)
    typical_interval_h: tuple[float, float]  # plausible dosing interval (outside: a warning)
    source: str
    vmax_mg_per_h: float = 0.0  # saturable (target-mediated) elimination, denosumab only
    km_mg_per_l: float = 0.0
    release_h: float = 0.0      # zero-order release time of an implant

    def plasma_ng_ml(self, central_mg):
        """Plasma concentration (ng/mL) from the central amount (mg); mg/L = 1000 ng/mL."""
        return central_mg / self.volume_l * 1000.0



def _k(half_life_h: float) -> float:
    return math.log(2.0) / half_life_h


_DAY, _WEEK = 24.0, 168.0

DRUGS: dict[str, Drug] = {d.name: d for d in (
    # ------------------------------------------------------------- aromatase inhibitors
    Drug("anastrozole", "c_anastrozole_ng_ml", "concentration", "oral",
         ka_per_h=value("ana_ka_per_h"), ke_per_h=_k(value("ana_half_life_h")),
         bioavailability=1.0,  # apparent parameters (CL/F, V/F)
         volume_l=value("ana_cl_l_per_h") / _k(value("ana_half_life_h")),
         default_regimen="1 mg every 1 day", typical_dose_mg=(0.25, 10.0),
         typical_interval_h=(12.0, 7 * _DAY),
         source="Arimidex label: t1/2 40-50 h, tmax 1-2 h, CL/F ~1.5 L/h; Mauras 2009"),
    Drug("letrozole", "c_letrozole_ng_ml", "concentration", "oral",
         ka_per_h=2.0, ke_per_h=_k(2.0 * _DAY), bioavailability=1.0,
         volume_l=2.1 / _k(2.0 * _DAY),
         default_regimen="2.5 mg every 1 day", typical_dose_mg=(0.5, 5.0),
         typical_interval_h=(12.0, 7 * _DAY),
         source="Femara label: t1/2 ~2 days, tmax ~1 h, CL/F ~2.1 L/h, F 99.9%"),
    Drug("exemestane", "c_exemestane_ng_ml", "concentration", "oral",
         ka_per_h=1.5, ke_per_h=_k(24.0), bioavailability=1.0,
         volume_l=500.0 / _k(24.0),
         default_regimen="25 mg every 1 day", typical_dose_mg=(10.0, 50.0),
         typical_interval_h=(12.0, 7 * _DAY),
         source="Aromasin label: terminal t1/2 ~24 h, tmax ~1.2 h, oral clearance ~500 L/h"),
    # ------------------------------------------------------------- SERM, GnRH agonist
    Drug("tamoxifen", "c_tamoxifen_ng_ml", "concentration", "oral",
         ka_per_h=0.5, ke_per_h=_k(7.0 * _DAY), bioavailability=1.0,
         volume_l=(20.0 / (120e-3 * 24.0)) / _k(7.0 * _DAY),
         default_regimen="20 mg every 1 day", typical_dose_mg=(10.0, 40.0),
         typical_interval_h=(12.0, 7 * _DAY),
         source="Nolvadex label: t1/2 5-7 days, tmax ~5 h, Css ~120 ng/mL after ~4 weeks"),
    Drug("goserelin", "gnrh_release_ug_per_day", "zero_order", "subcutaneous",
         ka_per_h=0.0, ke_per_h=0.0, bioavailability=1.0, volume_l=0.0, release_h=28 * _DAY,
         default_regimen="3.6 mg every 28 days", typical_dose_mg=(3.6, 10.8),
         typical_interval_h=(21 * _DAY, 91 * _DAY),
         source="Zoladex label: 3.6 mg implant releases goserelin continuously over 28 days "
                "(the 10.8 mg implant over 12 weeks: give it with every: 12 weeks)"),
    # ------------------------------------------------------------- testosterone (TRT)
    Drug("testosterone_cypionate", "t_exogenous_ng_dl", "release_rate", "intramuscular",
         ka_per_h=_k(8.0 * _DAY), ke_per_h=0.0, bioavailability=0.70, volume_l=0.0,
         default_regimen="100 mg every 1 week", typical_dose_mg=(20.0, 400.0),
         typical_interval_h=(3 * _DAY, 4 * _WEEK),
         source="Depo-Testosterone label: half-life ~8 days; 70% of the ester mass is testosterone"),
    Drug("testosterone_enanthate", "t_exogenous_ng_dl", "release_rate", "intramuscular",
         ka_per_h=_k(4.5 * _DAY), ke_per_h=0.0, bioavailability=0.72, volume_l=0.0,
         default_regimen="100 mg every 1 week", typical_dose_mg=(20.0, 400.0),
         typical_interval_h=(3 * _DAY, 4 * _WEEK),
         source="Behre & Nieschlag 1998 (absorption half-life ~4.5 days); 72% testosterone by mass"),
    Drug("testosterone_gel", "t_exogenous_ng_dl", "zero_order", "transdermal",
         ka_per_h=0.0, ke_per_h=0.0, bioavailability=0.10, volume_l=0.0, release_h=_DAY,
         default_regimen="50 mg every 1 day", typical_dose_mg=(10.0, 100.0),
         typical_interval_h=(12.0, 2 * _DAY),
         source="AndroGel label: ~10% of the applied dose absorbed during 24 h, continuous "
                "transdermal delivery for 24 hours after each application; 50 mg daily gives "
                "levels in the normal range (298-1043 ng/dL)"),
    # ------------------------------------------------------------- bisphosphonates
    # Plasma phase lasts hours; the model follows the bone-surface pool (uptake ~1 h).
    Drug("zoledronic_acid", "bp_bound_zol_eq_mg", "bound_amount", "intravenous",
         ka_per_h=1.0, ke_per_h=0.0, bioavailability=1.0, volume_l=0.0,
         default_regimen="4 mg every 6 months", typical_dose_mg=(4.0, 5.0),
         typical_interval_h=(90 * _DAY, 2 * 8766.0),
         source="Zometa/Reclast labels: 4 mg IV every 6 months (AI bone loss), 5 mg yearly"),
    Drug("alendronate", "bp_bound_zol_eq_mg", "bound_amount", "oral",
         ka_per_h=1.0, ke_per_h=0.0, bioavailability=0.0064, volume_l=0.0,
         default_regimen="70 mg every 1 week", typical_dose_mg=(5.0, 70.0),
         typical_interval_h=(_DAY, 2 * _WEEK),
         source="Fosamax label: oral bioavailability 0.64% (fasting)"),
    Drug("risedronate", "bp_bound_zol_eq_mg", "bound_amount", "oral",
         ka_per_h=1.0, ke_per_h=0.0, bioavailability=0.0063, volume_l=0.0,
         default_regimen="35 mg every 1 week", typical_dose_mg=(5.0, 150.0),
         typical_interval_h=(_DAY, 31 * _DAY),
         source="Actonel label: oral bioavailability 0.63%"),
    Drug("ibandronate", "bp_bound_zol_eq_mg", "bound_amount", "oral",
         ka_per_h=1.0, ke_per_h=0.0, bioavailability=0.006, volume_l=0.0,
         default_regimen="150 mg every 1 month", typical_dose_mg=(2.5, 150.0),
         typical_interval_h=(_DAY, 35 * _DAY),
         source="Boniva label: oral bioavailability ~0.6%"),
    # ------------------------------------------------------------- denosumab
    Drug("denosumab", "c_denosumab_ug_ml", "concentration", "subcutaneous",
         ka_per_h=_k(3.0 * _DAY), ke_per_h=_k(26.0 * _DAY), bioavailability=0.62, volume_l=3.5,
         default_regimen="60 mg every 6 months", typical_dose_mg=(60.0, 120.0),
         typical_interval_h=(150 * _DAY, 200 * _DAY),
         source="Prolia label: F 62%, tmax ~10 days, Cmax 6.75 ug/mL, mean t1/2 25.4 days; "
                "nonlinear (target-mediated) clearance at low levels",
         vmax_mg_per_h=0.0005, km_mg_per_l=0.2),
    # ------------------------------------------------------------- supplement
    Drug("calcium_vitamin_d", "calcium_vitamin_d_on", "exposure", "oral",
         ka_per_h=1.0, ke_per_h=0.0, bioavailability=1.0, volume_l=0.0,
         default_regimen="1000 mg every 1 day", typical_dose_mg=(200.0, 2000.0),
         typical_interval_h=(12.0, 2 * _DAY),
         source="calcium 1000-1200 mg + vitamin D 800 IU daily (Tang 2007 Lancet 370:657); dose "
                "is calcium"),
)}

# The drugs that bind to bone surfaces (the bisphosphonate pool), from the catalog itself.
BISPHOSPHONATES = frozenset(name for name, d in DRUGS.items() if d.readout == "bound_amount")
