"""Pharmacokinetics: closed-form linear absorption and the drug library."""

from .absorption import depot_and_central_on_grid, depot_rhs
from .drugs import BISPHOSPHONATES, DRUGS, Drug, testosterone_ng_dl_per_mg_per_h

__all__ = ["BISPHOSPHONATES", "DRUGS", "Drug", "depot_and_central_on_grid", "depot_rhs", "testosterone_ng_dl_per_mg_per_h"]
