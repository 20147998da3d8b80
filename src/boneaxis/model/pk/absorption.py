"""Linear first-order absorption into one compartment, solved in closed form.

For a depot amount ``a_d`` (mg) absorbed with rate constant ``ka`` (1/h) into a central
compartment ``a_c`` (mg) eliminated with ``ke`` (1/h)::

    d a_d/dt = -ka * a_d
    d a_c/dt =  ka * a_d - ke * a_c

the exact solution over an interval ``h`` is

    a_d(h) = a_d e^{-ka h}
    a_c(h) = a_c e^{-ke h} + a_d ka/(ka-ke) (e^{-ke h} - e^{-ka h})

Doses are instantaneous additions to the depot at their exact times, so the amounts on any grid
are exact (no smoothing, no solver tolerance).  The same function serves oral anastrozole and the
testosterone depots (intramuscular esters, transdermal gel).
"""

from __future__ import annotations

import numpy as np
from ..._jit import njit


@njit(cache=True)
def _advance(a_d, a_c, ka, ke, h):
    ed = np.exp(-ka * h)
    ec = np.exp(-ke * h)
    if abs(ka - ke) > 1e-12 * ka:
        a_c = a_c * ec + a_d * ka / (ka - ke) * (ec - ed)
    else:  # ka == ke limit
        a_c = a_c * ec + a_d * ka * h * ec
    return a_d * ed, a_c


@njit(cache=True)
def depot_and_central_on_grid(dose_times_h, doses_mg, ka_per_h, ke_per_h, grid_h):
    """Depot and central amounts (mg) at each time of ``grid_h`` (sorted ascending).

    ``dose_times_h`` must be sorted; a dose given exactly at a grid time is counted at that time.
    Returns two arrays shaped like ``grid_h``.
    """
    n = grid_h.shape[0]
    depot = np.empty(n)
    central = np.empty(n)
    a_d = 0.0
    a_c = 0.0
    t = grid_h[0] if n > 0 else 0.0
    if dose_times_h.shape[0] > 0 and dose_times_h[0] < t:
        t = dose_times_h[0]
    j = 0
    nd = dose_times_h.shape[0]
    for i in range(n):
        tg = grid_h[i]
        while j < nd and dose_times_h[j] <= tg:
            a_d, a_c = _advance(a_d, a_c, ka_per_h, ke_per_h, dose_times_h[j] - t)
            t = dose_times_h[j]
            a_d += doses_mg[j]
            j += 1
        a_d, a_c = _advance(a_d, a_c, ka_per_h, ke_per_h, tg - t)
        t = tg
        depot[i] = a_d
        central[i] = a_c
    return depot, central


@njit(cache=True)
def depot_rhs(a_d, a_c, ka_per_h, ke_per_h):
    """The same kinetics as a right-hand side (used by the reference solver)."""
    return -ka_per_h * a_d, ka_per_h * a_d - ke_per_h * a_c
