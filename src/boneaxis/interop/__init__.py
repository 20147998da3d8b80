"""Interfaces to other tools (SBML export).  Optional dependencies are imported lazily."""
