"""``python -m generator`` runs the ``policygen`` command."""

import sys

from generator.cli import main

sys.exit(main())
