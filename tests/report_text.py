"""What a reader sees in a report, and the checks that it speaks one language.

Used by the end-to-end tests of both renderers: visible text of an HTML report or a PDF, the
slips a Vietnamese report must not contain (English words, command syntax, file paths,
internal codes, ``46.51``-style numbers, ISO dates), and the Vietnamese an English report may
contain only inside names and quotations.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent

EN_STOP = {
    "the", "and", "of", "to", "is", "are", "for", "with", "from", "not", "by", "this", "that",
    "score", "scores", "rank", "ranks", "missing", "computed", "published", "imported", "data",
    "file", "row", "source", "sources", "region", "target", "targets", "none", "nan", "true",
    "false", "demo", "pillar", "pillars", "subpillar", "subindex", "indicator", "indicators",
    "params", "seed", "import", "edition", "baseline", "gap", "unknown", "weight", "headroom",
    "median", "national", "average", "province", "provinces", "level", "code", "value", "basis",
    "how", "item", "reason", "most", "gii_rule", "rank_quartile", "extreme", "step", "section",
}
REGION_CODES = {"tdmnpb", "dbsh", "btb", "dnb", "dbscl"}
_URL = re.compile(r"https?://\S+|\b[\w-]+(\.[\w-]+)*\.(vn|com|net|org|gov|jp)(/\S*)?", re.I)
_DOC_NUMBER = re.compile(r"\d+/[\wĐđ-]+")
SLIPS = {
    "backtick": re.compile(r"`"),
    "command flag": re.compile(r"(?<!\S)--[a-z]"),
    "command": re.compile(r"\bpii (import|report|analyze|score|template)\b"),
    "file path": re.compile(r"/(tmp|work|home|root)/|\.ya?ml\b|\.ipynb\b|\bparams/"),
    "file name": re.compile(r"\b\w+\.(csv|py)\b"),
    "decimal point": re.compile(r"(?<![\d.,/])\d+\.(\d{2}|\d{4,})(?![\d.,])"),
    "double sign": re.compile(r"\+[-−]|[-−]\+"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "UTC": re.compile(r"\bUTC\b"),
    "python value": re.compile(r"\b(None|NaN|nan|True|False)\b"),
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_html_text(path: Path) -> str:
    """The text a reader sees in an HTML report (no scripts or styles), NFC."""
    parser = _Text()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return unicodedata.normalize("NFC", " ".join(parser.parts))


def pdf_text(reader) -> str:
    """The text of every page of a PDF, NFC."""
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def vietnamese_leaks(text: str) -> list[str]:
    """Slips in a Vietnamese report: English words, commands, paths, codes, number slips."""
    found = []
    plain = _URL.sub(" ", text)
    for name, pattern in SLIPS.items():
        for match in pattern.finditer(plain):
            found.append(f"{name}: …{plain[max(0, match.start() - 30):match.end() + 30]}…")
    for word in re.findall(r"(?<!\w)[A-Za-z_]+(?!\w)", plain):
        if word.lower() in EN_STOP or word in REGION_CODES:
            found.append(f"English or internal word: {word}")
    return sorted(set(found))


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def whitelist_for(province: str, edition: int, params: Path | None) -> list[str]:
    """Names and quotations an English report may show in Vietnamese: province names, the
    plan's own text (units, titles, quotes), published sources and item wordings."""
    names = list(pd.read_csv(ROOT / "data/provinces/provinces_63.csv", dtype=str)["name_vi"])
    names += list(pd.read_csv(ROOT / "data/provinces/provinces_34.csv", dtype=str)["name_vi"])
    allowed = []
    if params:
        allowed += _strings(yaml.safe_load(params.read_text(encoding="utf-8")))
    for name in ("scores.csv", "strengths_weaknesses.csv", "regional_averages.csv"):
        table = pd.read_csv(ROOT / "data/published" / name, dtype=str, keep_default_na=False)
        for col in ("source", "name_published"):
            if col in table:
                allowed += [s for v in table[col] for s in v.split(" ; ")]
    allowed = {_squash(a) for a in allowed if len(a.strip()) >= 4 and not a.strip().isdigit()}
    return sorted(allowed | {_squash(n) for n in names}, key=len, reverse=True)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def english_leaks(text: str, allowed: list[str]) -> list[str]:
    """Vietnamese in an English report outside the names and quotations in ``allowed``."""
    plain = _URL.sub(" ", _squash(text))
    for item in allowed:
        plain = plain.replace(item, " ")
    plain = _DOC_NUMBER.sub(" ", plain)
    found = []
    for word in re.findall(r"\w+", plain):
        decomposed = unicodedata.normalize("NFD", word)
        if "đ" in word.lower() or any(unicodedata.combining(ch) for ch in decomposed):
            start = plain.find(word)
            found.append(f"…{plain[max(0, start - 40):start + 40]}…")
    return sorted(set(found))
