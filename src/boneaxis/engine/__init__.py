"""Turns the model and a scenario into numbers."""

from .simulate import OUTPUT_COLUMNS, SimulationError, simulate

__all__ = ["OUTPUT_COLUMNS", "SimulationError", "simulate"]
