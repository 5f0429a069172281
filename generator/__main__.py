"""``python -m generator`` runs the ``policygen`` command."""

from generator.cli import run

run()
