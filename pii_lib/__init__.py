"""PII Reports: per-province analytical reports on Vietnam's Provincial Innovation Index.

The package is organised one module per idea, and data flows one way:
``framework``/``provinces``/``data`` (load) → ``scoring`` (score) → ``analysis``
(analyse) → ``narrative``/``plots`` (present) → ``render``/``batch`` (render).
"""

from __future__ import annotations

import os
from pathlib import Path

__version__ = "0.1.0"

#: Root of the project's committed data files (frameworks, provinces, published figures, demo).
DATA_DIR = Path(os.environ.get("PII_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))

#: Root of the project's committed params (plan inputs per province).
PARAMS_DIR = Path(os.environ.get("PII_PARAMS_DIR", Path(__file__).resolve().parent.parent / "params"))
