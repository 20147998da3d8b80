"""boneaxis: aromatase inhibitors, the sex-hormone axis and bone, in men and women.

boneaxis informs; it does not prescribe (see :data:`DISCLAIMER`).
"""

from ._jit import package_numba_cache

# every compiled kernel is decorated here, under a cache keyed by the whole source (see _jit)
with package_numba_cache():
    from .engine import OUTPUT_COLUMNS, SimulationError, simulate
    from .population import batch as _batch  # noqa: F401  (its kernels, same cache)
from .notice import DISCLAIMER
from .scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"
__all__ = ["DISCLAIMER", "OUTPUT_COLUMNS", "Scenario", "ScenarioError", "SimulationError",
           "load_scenario", "simulate", "__version__"]
