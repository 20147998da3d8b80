"""Between-patient variability and virtual trial arms."""

from .virtual import VARIABILITY, virtual_arm

__all__ = ["VARIABILITY", "virtual_arm"]
