"""Hardening round 2 (issue #11): each class of attack, tested as a class, not as one example.

1. output that can hurt the reader (formulas in XLSX, control characters, terminal escapes,
   rich markup); 2. silent wrong imports (shifted columns, hidden sheets, formulas without a
   value, non-finite numbers, duplicate YAML keys); 3. batch isolation; 4. internal errors for
   user mistakes (exit 1 instead of 2); 7. large inputs.

Every CLI case asserts the exit code, the shape of the message, that nothing was written and
that no temporary file (``.pii-tmp-*``) was left behind.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from pii_lib.errors import MAX_LINES, InputError, InputErrors, ProblemList, visible

PYTHONPATH = {"PYTHONPATH": str(ROOT)}
ESC = "\x1b[31m"


def _snapshot(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def _no_temporaries(folder: Path) -> None:
    assert not [p for p in folder.rglob(".pii-tmp-*")], list(folder.rglob(".pii-tmp-*"))


def _error_lines(res) -> list[str]:
    return [ln for ln in res.stderr.splitlines() if ln.strip()]


def _assert_refused(res, folder: Path, before: dict, *needles: str) -> str:
    """Exit 2, one line ``error: …expected…`` holding the needles, nothing written."""
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    lines = _error_lines(res)
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ") and "expected" in lines[0], lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "\x1b" not in res.stderr + res.stdout
    assert _snapshot(folder) == before
    _no_temporaries(folder)
    return lines[0]


# --- messages: visible text, counted problems, lazy hints -------------------------------------

@pytest.mark.parametrize("text,shown", [
    (f"a{ESC}b", "a\\x1b[31mb"),                     # ANSI colour
    ("a\x9b2Jb", "a\\x9b2Jb"),                          # 8-bit CSI
    ("evil\u202etxt.csv", "evil\\u202etxt.csv"),        # right-to-left override
    ("bad\udcff.csv", "bad\\xff.csv"),                  # undecodable byte of a file name
    ("two\nlines\r\nhere", "two lines here"),           # no fake second line
    ("tab\tkept", "tab\tkept"),
])
def test_visible_escapes_every_kind_of_unsafe_character(text, shown):
    assert visible(text) == shown
    shown.encode("utf-8")  # always printable, whatever the terminal's error handler


def test_more_than_50_problems_are_counted_not_kept():
    problems = ProblemList()
    for i in range(130):
        problems.add(InputError("number", file="f.csv", row=i + 2, column="score", value="x"))
    with pytest.raises(InputErrors) as exc:
        problems.raise_if_any()
    lines = exc.value.lines()
    assert len(lines) == MAX_LINES + 1 and len(exc.value.problems) == MAX_LINES
    assert lines[-1] == "… and 80 more problems"
    assert lines[0] == "f.csv: row 2, column 'score', value 'x': expected a number"


def test_suggestions_are_computed_only_for_messages_shown_and_survive_pickling():
    from pii_lib.model.provinces import resolve_province

    with pytest.raises(InputError) as exc:
        resolve_province("Bac Giangg", 2023)
    assert callable(exc.value.hint)  # nothing computed yet
    copy = pickle.loads(pickle.dumps(exc.value))  # batches send errors between processes
    assert copy.message == exc.value.message
    assert "did you mean 'Bắc Giang'" in copy.message
