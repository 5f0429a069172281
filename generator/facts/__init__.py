"""The facts model: everything a privacy policy states, as validated data."""

from generator.facts.company import Company

__all__ = ["Company"]
