"""Shared fixtures: paths and a CLI runner that captures exit code and output.

Messages are checked in English unless a test asks for Vietnamese: the tests run with
``PII_LANG=en`` (the CLI's default language, Vietnamese, has its own tests).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ["PII_LANG"] = "en"


def run_cli(*args: str, cwd: Path | None = None, lang: str = "en", env: dict | None = None,
            timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m pii_lib ARGS`` and return the completed process (text mode)."""
    environ = dict(os.environ, PII_LANG=lang, **(env or {}))
    return subprocess.run([sys.executable, "-m", "pii_lib", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, encoding="utf-8", env=environ,
                          timeout=timeout)


@pytest.fixture
def cli():
    """The CLI runner."""
    return run_cli


@pytest.fixture
def root() -> Path:
    """Project root."""
    return ROOT
