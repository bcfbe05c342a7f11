"""Shared fixtures: paths and a CLI runner that captures exit code and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m pii_lib ARGS`` and return the completed process (text mode)."""
    return subprocess.run([sys.executable, "-m", "pii_lib", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, encoding="utf-8")


@pytest.fixture
def cli():
    """The CLI runner."""
    return run_cli


@pytest.fixture
def root() -> Path:
    """Project root."""
    return ROOT
