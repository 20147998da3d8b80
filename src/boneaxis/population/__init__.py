"""Between-patient variability, virtual trial arms and sampled populations."""

from .sampling import PopulationError, population_spec, sample_population
from .virtual import VARIABILITY, virtual_arm

__all__ = ["VARIABILITY", "PopulationError", "population_spec", "sample_population", "virtual_arm"]
