"""A non-editable install works: data, notebooks, wording and assets are packaged."""

import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                          str(ROOT)], capture_output=True, text=True)
    if res.returncode != 0 and "bdist_wheel" not in res.stderr and "Could not" in res.stderr:
        pytest.skip(f"cannot build a wheel here: {res.stderr.strip().splitlines()[-1]}")
    assert res.returncode == 0, res.stderr
    return next(out.glob("*.whl"))


def test_wheel_holds_everything_read_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("pii_lib/_data/framework/pii_2023.csv", "pii_lib/_data/framework/editions.yaml",
                   "pii_lib/_data/published/scores.csv", "pii_lib/_data/demo/raw_2023.csv",
                   "pii_lib/_data/provinces/merger_2025.csv",
                   "pii_lib/_notebooks/province_report.ipynb",
                   "pii_lib/present/wording/vi.yaml", "pii_lib/present/wording/en.yaml",
                   "pii_lib/present/assets/report.typ", "pii_lib/present/assets/report.css"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "params/", "reports/")) for n in names)


def test_installed_package_runs_outside_the_project(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(target), PII_LANG="en")
    code = ("import pii_lib, sys; assert pii_lib.INSTALLED, pii_lib.__file__; "
            "assert str(pii_lib.DATA_DIR).startswith(sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, str(target)], check=True, env=env, cwd=tmp_path)
    res = subprocess.run([sys.executable, "-m", "pii_lib", "analyze", "bac-giang", "--json"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert '"score": 46.51' in res.stdout
