"""Figures and reports built from simulation output."""
