"""boneaxis: aromatase inhibitors, the sex-hormone axis and bone, in men and women.

boneaxis informs; it does not prescribe (see :data:`DISCLAIMER`).
"""

from .engine import OUTPUT_COLUMNS, SimulationError, simulate
from .notice import DISCLAIMER
from .scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"
__all__ = ["DISCLAIMER", "OUTPUT_COLUMNS", "Scenario", "ScenarioError", "SimulationError",
           "load_scenario", "simulate", "__version__"]
