"""The wording catalogue: every sentence, label and message the user reads, per language.

Wording is data: one YAML file per language in this folder (``vi.yaml``, ``en.yaml``), nested
keys flattened to dotted names (``section.position.title``). Adding a language is adding a file
with the same keys and placeholders (a test checks it). Templates are ``str.format`` strings
whose number placeholders carry a format spec understood by :class:`ReportFormatter`:

``{x:n}`` 2 decimals · ``{x:n1}`` ``{x:n0}`` ``{x:n4}`` other decimals · ``{x:s}`` signed, 2
decimals · ``{x:g}`` a PII gain (2 decimals, more below 0.01) · ``{x:date}`` a date ·
``{x:int}`` an integer. Vietnamese numbers use a decimal comma and a thousands dot
(``1.234,56``), English ``1,234.56``; the minus sign is U+2212.

The language of messages outside a report (CLI, errors) is :func:`current_lang`: ``PII_LANG``
(``vi`` by default, ``en``), set by the CLI's ``--lang``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import string
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_LANG = "vi"
MINUS = "\u2212"
DASH = "—"


def languages() -> list[str]:
    """Languages with a catalogue file, e.g. ``["en", "vi"]``."""
    return sorted(p.stem for p in HERE.glob("*.yaml"))


def current_lang() -> str:
    """Language of CLI and error messages: ``PII_LANG`` when it names a catalogue, else vi."""
    lang = os.environ.get("PII_LANG", DEFAULT_LANG).strip().lower()
    return lang if lang in languages() else DEFAULT_LANG


def set_lang(lang: str) -> None:
    """Make ``lang`` the language of CLI and error messages for this process and its children."""
    os.environ["PII_LANG"] = lang


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All templates of a language, keyed by dotted name."""
    path = HERE / f"{lang}.yaml"
    with open(path, encoding="utf-8") as fh:
        return _flatten(yaml.safe_load(fh) or {})


def placeholders(template: str) -> set[str]:
    """Names of the placeholders in a template (``{x:n}`` → ``x``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --- numbers and dates ------------------------------------------------------------------------

def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x)))


def number(x: float | None, lang: str, decimals: int = 2) -> str:
    """A number in the language's format; ``—`` for unknown.

    Examples
    --------
    >>> number(1234.5, "vi"), number(1234.5, "en"), number(-0.5, "vi")
    ('1.234,50', '1,234.50', '−0,50')
    """
    if _missing(x):
        return DASH
    x = float(x)  # type: ignore[arg-type]
    if round(x, decimals) == 0:
        x = 0.0  # no "−0,00"
    text = f"{abs(x):,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return (MINUS if x < 0 else "") + text


def signed(x: float | None, lang: str, decimals: int = 2) -> str:
    """A change with its sign: ``+0,25``, ``−0,25``, ``0,00``."""
    if _missing(x):
        return DASH
    text = number(x, lang, decimals)
    return text if text.startswith(MINUS) or round(float(x), decimals) == 0 else "+" + text


def gain_decimals(x: float | None) -> int:
    """Decimals of a PII gain: 2, or enough to show a non-zero value below 0.01 (at most 4)."""
    if _missing(x) or x == 0:
        return 2
    decimals = 2
    while decimals < 4 and abs(round(float(x), decimals)) == 0:
        decimals += 1
    return decimals


def gain(x: float | None, lang: str) -> str:
    """A PII gain: 2 decimals unless the value is below 0.01."""
    return number(x, lang, gain_decimals(x))


def date(value: dt.date | dt.datetime | str | None, lang: str) -> str:
    """A date: ``9/7/2024`` in Vietnamese, ``9 July 2024`` in English."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if lang == "vi":
        return f"{value.day}/{value.month}/{value.year}"
    return f"{value.day} {value.strftime('%B')} {value.year}"


def local_time(moment: dt.datetime, lang: str) -> str:
    """A local date and time: ``12/3/2024 14:05`` (vi), ``12 March 2024, 14:05`` (en)."""
    moment = moment.astimezone()
    sep = " " if lang == "vi" else ", "
    return f"{date(moment, lang)}{sep}{moment:%H:%M}"


class ReportFormatter(string.Formatter):
    """``str.format`` with the number and date specs of the catalogue (see module docstring)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        spec = format_spec
        if spec == "n" or (spec[:1] == "n" and spec[1:].isdigit()):
            return number(value, self.lang, int(spec[1:] or 2))  # type: ignore[arg-type]
        if spec == "s" or (spec[:1] == "s" and spec[1:].isdigit()):
            return signed(value, self.lang, int(spec[1:] or 2))  # type: ignore[arg-type]
        if spec == "g":
            return gain(value, self.lang)  # type: ignore[arg-type]
        if spec == "date":
            return date(value, self.lang)  # type: ignore[arg-type]
        if spec == "int":
            return DASH if _missing(value) else str(int(value))  # type: ignore[arg-type]
        return super().format_field(value, format_spec)


class Wording:
    """The catalogue of one language, callable: ``w("section.position.title", n=63)``.

    Raises
    ------
    KeyError
        For a key that the catalogue does not have (a bug, caught by the catalogue tests).
    """

    def __init__(self, lang: str = DEFAULT_LANG) -> None:
        self.lang = lang if lang in languages() else DEFAULT_LANG
        self.templates = catalogue(self.lang)
        self.formatter = ReportFormatter(self.lang)

    def __call__(self, key: str, /, **args: object) -> str:
        return self.formatter.format(self.templates[key], **args)

    def has(self, key: str) -> bool:
        """True when the catalogue has ``key``."""
        return key in self.templates

    def number(self, x: float | None, decimals: int = 2) -> str:
        """See :func:`number`."""
        return number(x, self.lang, decimals)

    def signed(self, x: float | None, decimals: int = 2) -> str:
        """See :func:`signed`."""
        return signed(x, self.lang, decimals)

    def gain(self, x: float | None) -> str:
        """See :func:`gain`."""
        return gain(x, self.lang)

    def date(self, value: dt.date | str | None) -> str:
        """See :func:`date`."""
        return date(value, self.lang)

    def join(self, items: list[str]) -> str:
        """``a, b và c`` / ``a, b and c``."""
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self('word.and')} {items[-1]}"


@lru_cache(maxsize=None)
def wording(lang: str) -> Wording:
    """The (cached) :class:`Wording` of a language."""
    return Wording(lang)


def say(key: str, /, lang: str | None = None, **args: object) -> str:
    """One template of the catalogue, filled (in :func:`current_lang` unless ``lang`` is given)."""
    return wording(lang or current_lang())(key, **args)
