"""Province params: what a plan decides (goal, indicator targets, owners, timeline).

``params/<province>.yaml`` files are read with YAML *safe* loading only (Python object tags
are refused) and checked against a schema: unknown keys, unknown indicator codes, unknown
provinces, score targets outside 0–100, wrong types and conflicting duplicate targets are
errors naming the file, key and value. A target below its baseline is allowed but flagged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError
from ..model.framework import edition_info, load_framework
from ..model.provinces import resolve_province
from ..text import nfc


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value):
        if isinstance(value, str):
            return nfc(value)
        if isinstance(value, list):
            return [nfc(v) if isinstance(v, str) else v for v in value]
        return value


class Plan(_Strict):
    """The plan document the params come from."""

    number: str | None = None
    date: dt.date | None = None
    title: str | None = None
    issuer: str | None = None
    signer: str | None = None
    source: str | None = None


class Goal(_Strict):
    """Overall goal, e.g. rank 10 = "top 10"."""

    rank: int = Field(ge=1, le=63)
    text: str | None = None


class PillarGoal(_Strict):
    """A pillar-level goal (maintain or improve a score/rank)."""

    code: str
    kind: Literal["maintain", "improve"]
    score_min: float | None = Field(default=None, ge=0, le=100)
    rank_max: int | None = Field(default=None, ge=1, le=63)
    baseline_score: float | None = Field(default=None, ge=0, le=100)
    baseline_rank: int | None = Field(default=None, ge=1, le=63)
    text: str | None = None


class Target(_Strict):
    """An indicator target with its owners."""

    code: str
    name: str | None = None
    baseline: float | None = None
    target: float
    target_kind: Literal["score", "raw"] = "score"
    lead: str | None = None
    partners: list[str] = Field(default_factory=list)
    timeline: str | None = None
    actions: list[str] = Field(default_factory=list)
    note: str | None = None


class Responsibility(_Strict):
    """Indicator → unit in charge (lead) and partners."""

    code: str
    lead: str
    partners: list[str] = Field(default_factory=list)
    note: str | None = None


class Params(_Strict):
    """Everything a province's plan decides."""

    province: str
    plan: Plan = Field(default_factory=Plan)
    baseline_edition: int = 2023
    target_year: int | None = None
    goal: Goal | None = None
    pillar_goals: list[PillarGoal] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    responsibilities: list[Responsibility] = Field(default_factory=list)
    published_strengths: list[str] = Field(default_factory=list)
    published_weaknesses: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    source_file: str | None = None

    def owners(self, code: str) -> tuple[str | None, list[str]]:
        """Lead unit and partners of an indicator (target row first, then responsibilities)."""
        for t in self.targets:
            if t.code == code and t.lead:
                return t.lead, t.partners
        leads = [r for r in self.responsibilities if r.code == code]
        if not leads:
            return None, []
        partners = [p for r in leads for p in r.partners]
        return "; ".join(dict.fromkeys(r.lead for r in leads)), list(dict.fromkeys(partners))


def _key_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _lookup(data: object, loc: tuple) -> object:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def load_params(path: str | Path) -> Params:
    """Read, check and return a params YAML file.

    Raises
    ------
    InputError
        Naming the file, the key path (e.g. ``targets[3].target``), the value and what was
        expected.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("expected an existing params YAML file", file=path)
    blob = path.read_bytes()
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text (save the YAML file as UTF-8)", file=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"expected valid YAML (safe subset, no Python tags): {problem}",
                         file=path, row=row) from None
    if not isinstance(data, dict):
        raise InputError("expected a YAML mapping (key: value pairs) at the top level",
                         file=path, value=type(data).__name__, has_value=True)
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise InputError(f"expected {first['msg'].lower()}", file=path, row=_key_path(loc),
                         value=_lookup(data, loc), has_value=True) from None
    return _check_semantics(params, path)


def _check_semantics(params: Params, path: Path) -> Params:
    try:
        info = edition_info(params.baseline_edition)
    except InputError as exc:
        raise InputError(exc.what, file=path, row="baseline_edition",
                         value=params.baseline_edition) from None
    params.province = resolve_province(params.province, params.baseline_edition, file=str(path),
                                       column="province")
    framework = load_framework(params.baseline_edition)
    n = int(info["n_provinces"])
    if params.goal and params.goal.rank > n:
        raise InputError(f"expected a goal rank within 1…{n}", file=path, row="goal.rank",
                         value=params.goal.rank)
    indicators = set(framework.indicators)
    seen: dict[str, int] = {}
    for i, target in enumerate(params.targets):
        where = f"targets[{i}]"
        if target.code not in indicators:
            raise InputError(f"expected an indicator code of the PII {params.baseline_edition} "
                             "framework (e.g. 2.2.3)", file=path, row=f"{where}.code",
                             value=target.code)
        if target.code in seen:
            raise InputError(f"expected one target per indicator; conflicts with "
                             f"targets[{seen[target.code]}]", file=path, row=f"{where}.code",
                             value=target.code)
        seen[target.code] = i
        if target.target_kind == "score" and not 0 <= target.target <= 100:
            raise InputError("expected a score target within 0–100 (use target_kind: raw for a "
                             "raw-unit target)", file=path, row=f"{where}.target",
                             value=target.target)
        if target.baseline is not None and not 0 <= target.baseline <= 100:
            raise InputError("expected a baseline score within 0–100", file=path,
                             row=f"{where}.baseline", value=target.baseline)
    for key, items in (("responsibilities", params.responsibilities),
                       ("pillar_goals", params.pillar_goals)):
        for i, item in enumerate(items):
            if not framework.has(item.code):
                raise InputError(f"expected a code of the PII {params.baseline_edition} "
                                 "framework", file=path, row=f"{key}[{i}].code", value=item.code)
    for key in ("published_strengths", "published_weaknesses"):
        for i, code in enumerate(getattr(params, key)):
            if not framework.has(code):
                raise InputError(f"expected a code of the PII {params.baseline_edition} "
                                 "framework", file=path, row=f"{key}[{i}]", value=code)
    params.source_file = str(path)
    return params


def flags(params: Params) -> list[str]:
    """Warnings that do not stop a run (e.g. a target below its baseline)."""
    out = []
    for t in params.targets:
        if t.baseline is not None and t.target_kind == "score" and t.target < t.baseline:
            out.append(f"target for {t.code} ({t.target:g}) is below its baseline "
                       f"({t.baseline:g})")
    return out


def default_params_path(province_id: str) -> Path:
    """Conventional params file of a province (``params/<id>.yaml``)."""
    from .. import PARAMS_DIR

    return PARAMS_DIR / f"{province_id}.yaml"
