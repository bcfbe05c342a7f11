"""Text normalisation for matching Vietnamese names.

Names in any input are matched accent-, case- and Unicode-form-insensitively ("bac giang",
"Bắc Giang", "BẮC GIANG" and decomposed Unicode are the same key) and stored as NFC.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C (composed), stripped of outer whitespace."""
    return unicodedata.normalize("NFC", str(text)).strip()


def fold(text: str) -> str:
    """Matching key: accents removed, ``đ`` → ``d``, lower case, punctuation collapsed to spaces.

    Examples
    --------
    >>> fold("BẮC GIANG") == fold("bac giang") == fold("Bắc  Giang")
    True
    """
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_ALNUM.sub(" ", stripped).strip()


def closest(word: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """Closest candidates to ``word`` by folded similarity (for "did you mean …?")."""
    cands = list(candidates)
    keyed = {fold(c): c for c in cands}
    hits = difflib.get_close_matches(fold(word), list(keyed), n=n, cutoff=0.5)
    return [keyed[h] for h in hits]
