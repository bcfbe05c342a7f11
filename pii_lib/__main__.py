"""``python -m pii_lib`` runs the ``pii`` command line."""

import sys

from .cli import main

sys.exit(main())
