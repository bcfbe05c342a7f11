"""PII Reports: per-province analytical reports on Vietnam's Provincial Innovation Index.

Data flows one way, and the sub-packages follow it: ``model`` (framework, provinces, params)
and ``data`` (published, imported, demo, layers) load → ``method`` (scoring, analysis) scores
and analyses → ``present`` (wording, narrative, charts, blocks, report sections) presents →
``run`` (kernels, jobs, execution, renderers, site) renders; ``cli`` sits on top.
"""

from __future__ import annotations

import os
from pathlib import Path

__version__ = "0.2.0"

_HERE = Path(__file__).resolve().parent

#: True when running from an installed wheel (data and notebooks packaged inside ``pii_lib``).
INSTALLED = (_HERE / "_data").is_dir()

#: The source checkout (where ``data/``, ``notebooks/`` and ``params/`` live).
PROJECT_DIR = _HERE.parent

#: Committed data files (frameworks, provinces, published figures, demo).
DATA_DIR = Path(os.environ.get("PII_DATA_DIR") or (_HERE / "_data" if INSTALLED
                                                   else PROJECT_DIR / "data"))

#: The parameterised report notebooks.
NOTEBOOK_DIR = _HERE / "_notebooks" if INSTALLED else PROJECT_DIR / "notebooks"

#: Plan inputs per province (``params/<province>.yaml``); the current directory's ``params/``
#: for an installed package.
PARAMS_DIR = Path(os.environ.get("PII_PARAMS_DIR") or (Path.cwd() / "params" if INSTALLED
                                                       else PROJECT_DIR / "params"))
