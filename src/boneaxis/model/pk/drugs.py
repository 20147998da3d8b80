"""The drugs boneaxis knows: route, kinetics, default regimen and sources.

Each drug is a linear absorption depot (see :mod:`.absorption`).  ``effect`` names the model input
its plasma level drives: ``aromatase`` (anastrozole concentration, ng/mL) or ``testosterone``
(testosterone entering plasma, mg/h).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..parameters import value


@dataclass(frozen=True)
class Drug:
    name: str
    effect: str                # "aromatase" | "testosterone"
    route: str                 # "oral" | "intramuscular" | "transdermal"
    ka_per_h: float            # depot -> plasma
    ke_per_h: float            # plasma elimination (used for concentrations)
    bioavailability: float     # fraction of the dose (as active moiety) reaching plasma
    volume_l: float            # apparent volume (for concentrations); 0 when not reported
    default_regimen: str
    typical_dose_mg: tuple[float, float]  # plausible range (outside it: a warning, not an error)
    source: str

    def plasma_ng_ml(self, central_mg):
        """Plasma concentration (ng/mL) from the central amount (mg); mg/L = 1000 ng/mL."""
        return central_mg / self.volume_l * 1000.0

    def testosterone_ng_dl(self, depot_mg, t_cl_l_per_h: float):
        """Serum testosterone added (ng/dL, steady state of the input) by a depot holding
        ``depot_mg``: input ka*F*depot (mg/h) over clearance (L/h -> dL/h)."""
        return self.ka_per_h * self.bioavailability * depot_mg * 1e6 / (t_cl_l_per_h * 10.0)


def _ke(half_life_h: float) -> float:
    return math.log(2.0) / half_life_h


DRUGS: dict[str, Drug] = {
    "anastrozole": Drug(
        name="anastrozole", effect="aromatase", route="oral",
        ka_per_h=value("ana_ka_per_h"), ke_per_h=_ke(value("ana_half_life_h")),
        bioavailability=1.0,  # apparent parameters (CL/F, V/F)
        volume_l=value("ana_cl_l_per_h") / _ke(value("ana_half_life_h")),
        default_regimen="1 mg every 1 day", typical_dose_mg=(0.25, 10.0),
        source="Arimidex label: t1/2 40-50 h, tmax 1-2 h, CL/F ~1.5 L/h; Mauras 2009",
    ),
    "testosterone_cypionate": Drug(
        name="testosterone_cypionate", effect="testosterone", route="intramuscular",
        ka_per_h=math.log(2.0) / (8.0 * 24.0), ke_per_h=0.0, bioavailability=0.70,
        volume_l=0.0,
        default_regimen="100 mg every 1 week", typical_dose_mg=(20.0, 400.0),
        source="Depo-Testosterone label: half-life ~8 days; 70% of the ester mass is testosterone",
    ),
    "testosterone_enanthate": Drug(
        name="testosterone_enanthate", effect="testosterone", route="intramuscular",
        ka_per_h=math.log(2.0) / (4.5 * 24.0), ke_per_h=0.0, bioavailability=0.72,
        volume_l=0.0,
        default_regimen="100 mg every 1 week", typical_dose_mg=(20.0, 400.0),
        source="Behre & Nieschlag 1998 (absorption half-life ~4.5 days); 72% testosterone by mass",
    ),
    "testosterone_gel": Drug(
        name="testosterone_gel", effect="testosterone", route="transdermal",
        ka_per_h=math.log(2.0) / 8.0, ke_per_h=0.0, bioavailability=0.10,
        volume_l=0.0,
        default_regimen="50 mg every 1 day", typical_dose_mg=(10.0, 100.0),
        source="AndroGel label: ~10% of the applied dose absorbed, steady levels within 24 h",
    ),
}
