"""Create the project's virtual environment, even where Debian's python3 lacks ensurepip.

Used by the Makefile: ``python3 scripts/bootstrap_venv.py .venv``. If ``venv`` cannot install
pip (Debian without ``python3-venv``), the venv is created without pip and pip is installed
from its wheel on PyPI (the only network these machines reach).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path


def main(target: str) -> int:
    path = Path(target)
    python = path / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-m", "pip", "--version"],
                                          capture_output=True).returncode == 0:
        return 0
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
        return 0
    except Exception as exc:  # ensurepip missing: fall back to pip's wheel from PyPI
        print(f"venv with pip failed ({exc}); installing pip from PyPI", file=sys.stderr)
    venv.EnvBuilder(with_pip=False, clear=True).create(path)
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as resp:
        meta = json.load(resp)
    wheel = next(u for u in meta["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], dest)
        subprocess.run([str(python), f"{dest}/pip", "install", "--quiet", str(dest)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
