"""The conda environment.yml and pyproject.toml must describe the same environment."""

import re
import tomllib

import yaml

from conftest import ROOT

# conda-forge names that differ from PyPI names
CONDA_ONLY = {"python", "pip", "quarto"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].strip().lower()


def test_environment_yml_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pip_deps = {_name(d) for d in pyproject["project"]["dependencies"]}
    pip_deps |= {_name(d) for d in pyproject["project"]["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda_deps = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - CONDA_ONLY
    assert conda_deps == pip_deps
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section or "-e .[test]" in pip_section
    assert "quarto" in {_name(d) for d in env["dependencies"] if isinstance(d, str)}


def test_ci_runs_exactly_make_test():
    lines = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines[-1].strip() == "make test"
