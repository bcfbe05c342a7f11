"""Province params: what a plan decides (goal, indicator targets, owners, timeline).

``params/<province>.yaml`` files are read with :func:`pii_lib.safe_yaml.read_yaml` (safe,
strict: no Python tags, no duplicate keys, no alias bombs, bounded size) and checked against a
schema: unknown keys, unknown indicator codes, unknown provinces, score targets outside 0–100,
non-finite numbers (``.nan``, ``.inf``, ``'1e999'``), booleans where a number is expected (YAML
reads ``yes``/``no``/``on``/``off`` as booleans), text with control characters, direction marks or
undecodable characters (anywhere, nested lists included: such text cannot be written to XLSX
or DOCX and could disguise what a reader sees), impossible dates, target years outside
2000–2100, wrong types and conflicting duplicate targets are errors naming the file, key and
value. A target below its baseline is allowed but flagged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import (BaseModel, ConfigDict, Field, FiniteFloat, ValidationError,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError

from .. import PARAMS_DIR
from ..errors import InputError, has_unsafe_characters
from ..method.results import Note
from ..safe_yaml import read_yaml
from ..text import nfc
from .framework import edition_info, load_framework
from .provinces import resolve_province


#: longest text of one params value: a long paragraph; an Excel cell holds at most 32,767
#: characters, and a longer one makes Excel report the exported appendix as damaged
MAX_TEXT = 10_000


def _text(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise PydanticCustomError("text_too_long", "text too long", {"n": MAX_TEXT})
    return nfc(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value):
        if isinstance(value, bool):  # no field is a boolean: `target: yes` is a mistake
            raise PydanticCustomError("boolean", "unexpected boolean")
        if isinstance(value, str):
            return _text(value)
        if isinstance(value, list):
            return [_text(v) if isinstance(v, str) else v for v in value]
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

    rank: int = Field(ge=1)
    text: str | None = None


class PillarGoal(_Strict):
    """A pillar-level goal (maintain or improve a score/rank)."""

    code: str
    kind: Literal["maintain", "improve"]
    score_min: FiniteFloat | None = Field(default=None, ge=0, le=100)
    rank_max: int | None = Field(default=None, ge=1)
    baseline_score: FiniteFloat | None = Field(default=None, ge=0, le=100)
    baseline_rank: int | None = Field(default=None, ge=1)
    text: str | None = None


class Target(_Strict):
    """An indicator target with its owners."""

    code: str
    name: str | None = None
    baseline: FiniteFloat | None = None
    target: FiniteFloat
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


class DeclaredList(_Strict):
    """Strengths or weaknesses a plan names, with the plan's own words as the source."""

    codes: list[str] = Field(default_factory=list)
    quote: str | None = None
    section: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value):
        return {"codes": value} if isinstance(value, list) else value


class Params(_Strict):
    """Everything a province's plan decides."""

    province: str
    plan: Plan = Field(default_factory=Plan)
    baseline_edition: int = 2023
    target_year: int | None = Field(default=None, ge=2000, le=2100)
    goal: Goal | None = None
    pillar_goals: list[PillarGoal] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    responsibilities: list[Responsibility] = Field(default_factory=list)
    published_strengths: DeclaredList = Field(default_factory=DeclaredList)
    published_weaknesses: DeclaredList = Field(default_factory=DeclaredList)
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


def _control_characters(data: object, loc: tuple = ()) -> tuple[tuple, str] | None:
    """The first string (and its key path) holding a control character, a direction mark, a
    lone surrogate or a non-character (see :func:`pii_lib.errors.has_unsafe_characters`)."""
    if isinstance(data, str):
        return (loc, data) if has_unsafe_characters(data) else None
    items = data.items() if isinstance(data, dict) else enumerate(data) \
        if isinstance(data, list) else ()
    for key, value in items:
        hit = _control_characters(value, loc + (key,))
        if hit:
            return hit
    return None


def unsafe_text(params: Params) -> tuple[str, str] | None:
    """Key path and value of the first text of ``params`` with unsafe characters, or None."""
    bad = _control_characters(params.model_dump(mode="python", exclude={"source_file"}))
    return (_key_path(bad[0]), bad[1]) if bad else None


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
        raise InputError("params_file", file=path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("yaml_mapping", file=path, value=type(data).__name__)
    bad = _control_characters(data)
    if bad:
        raise InputError("control_characters", file=path, row=_key_path(bad[0]), value=bad[1])
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(exc.errors()[0], data, path) from None
    return _check_semantics(params, path)


SCHEMA_ARGS = {"greater_than_equal": "ge", "less_than_equal": "le", "literal_error": "expected",
               "text_too_long": "n"}


def _schema_error(error: dict, data: dict, path: Path) -> InputError:
    """The first schema problem as an error with its own catalogue key (``schema.<type>``)."""
    from ..present.wording import wording

    loc = tuple(error["loc"])
    value = _lookup(data, loc)
    shown = value if isinstance(value, (str, int, float)) else type(value).__name__
    kind = error["type"]
    arg = SCHEMA_ARGS.get(kind)
    if arg is not None:
        return InputError(f"schema.{kind}", file=path, row=_key_path(loc), value=shown,
                          **{arg: str(error.get("ctx", {}).get(arg, ""))})
    if wording("en").has(f"error.schema.{kind}"):
        return InputError(f"schema.{kind}", file=path, row=_key_path(loc), value=shown)
    return InputError("schema.other", file=path, row=_key_path(loc), value=shown,
                      detail=error["msg"])


def _check_semantics(params: Params, path: Path) -> Params:
    try:
        info = edition_info(params.baseline_edition)
    except InputError as exc:
        raise exc.located(file=path, row="baseline_edition") from None
    params.province = resolve_province(params.province, params.baseline_edition, file=str(path),
                                       column="province")
    framework = load_framework(params.baseline_edition)
    n = int(info["n_provinces"])
    edition = params.baseline_edition
    ranks = [("goal.rank", params.goal.rank if params.goal else None)]
    ranks += [(f"pillar_goals[{i}].{k}", getattr(g, k)) for i, g in enumerate(params.pillar_goals)
              for k in ("rank_max", "baseline_rank")]
    for key, rank in ranks:
        if rank is not None and rank > n:
            raise InputError("rank_range", file=path, row=key, value=rank, n=n, edition=edition)
    indicators = set(framework.indicators)
    seen: dict[str, int] = {}
    for i, target in enumerate(params.targets):
        where = f"targets[{i}]"
        if target.code not in indicators:
            raise InputError("indicator_code", file=path, row=f"{where}.code", value=target.code,
                             edition=edition)
        if target.code in seen:
            raise InputError("target_duplicate", file=path, row=f"{where}.code",
                             value=target.code, first=f"targets[{seen[target.code]}]")
        seen[target.code] = i
        if target.target_kind == "score" and not 0 <= target.target <= 100:
            raise InputError("score_target", file=path, row=f"{where}.target",
                             value=target.target)
        if target.baseline is not None and not 0 <= target.baseline <= 100:
            raise InputError("score_range", file=path, row=f"{where}.baseline",
                             value=target.baseline)
    for key, items in (("responsibilities", params.responsibilities),
                       ("pillar_goals", params.pillar_goals)):
        for i, item in enumerate(items):
            if not framework.has(item.code):
                raise InputError("framework_code", file=path, row=f"{key}[{i}].code",
                                 value=item.code, edition=edition)
    for key in ("published_strengths", "published_weaknesses"):
        for i, code in enumerate(getattr(params, key).codes):
            if not framework.has(code):
                raise InputError("framework_code", file=path, row=f"{key}.codes[{i}]",
                                 value=code, edition=edition)
    params.source_file = str(path)
    return params


def flags(params: Params) -> list[Note]:
    """Warnings that do not stop a run (a score target below its baseline)."""
    return [Note("target_below_baseline", {"code": t.code, "target": t.target,
                                           "baseline": t.baseline})
            for t in params.targets
            if t.baseline is not None and t.target_kind == "score" and t.target < t.baseline]


def default_params_path(province_id: str) -> Path:
    """Conventional params file of a province (``params/<id>.yaml``)."""
    return PARAMS_DIR / f"{province_id}.yaml"


def params_for(province_id: str, edition: int) -> str:
    """``params/<province>.yaml`` when it exists and is for ``edition``, else ``""``.

    A file that cannot be read (not YAML, a directory, a broken link, unreadable) is returned
    too, so that loading it reports the problem for that province alone.
    """
    path = default_params_path(province_id)
    if not (path.exists() or path.is_symlink()):
        return ""
    if not path.is_file():
        return str(path)
    try:
        data = read_yaml(path)
    except InputError:
        return str(path)
    year = data.get("baseline_edition", 2023) if isinstance(data, dict) else None
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool):
        return str(path)  # not a mapping, or an edition that is no year: loading says why
    return str(path) if year == int(edition) else ""
