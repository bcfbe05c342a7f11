"""CLI contract of the foundation commands: provinces, score, validate; exit codes."""

import pandas as pd
import pytest

from conftest import ROOT
from test_scoring import _independent
from pii_lib.data.tables import read_raw_values
from pii_lib.model.framework import load_framework


@pytest.mark.parametrize("edition,n", [(2023, 63), (2024, 63), (2025, 34)])
def test_provinces_lists_every_province(cli, edition, n):
    res = cli("provinces", "--edition", edition)
    assert res.returncode == 0
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "id,name_vi,region_id"
    assert len(lines) == n + 1
    assert ("bac-giang,Bắc Giang,tdmnpb" in lines) == (edition != 2025)


def test_score_on_demo_reproduces_independent_recomputation(cli, tmp_path):
    out = tmp_path / "scores.csv"
    res = cli("score", ROOT / "data/demo/raw_2023.csv", "--edition", "2023", "--out", out)
    assert res.returncode == 0, res.stderr
    scores = pd.read_csv(out)
    assert list(scores.columns[:5]) == ["province_id", "level", "code", "score", "rank"]
    assert set(scores["level"]) == {"indicator", "subpillar", "pillar", "subindex", "pii"}
    assert set(scores.loc[scores["level"] == "subindex", "code"]) == {"IN", "OUT"}
    assert len(scores) == 63 * 78
    raw = read_raw_values(ROOT / "data/demo/raw_2023.csv", 2023)
    expected = _independent(raw, load_framework(2023))
    for rec in scores.dropna(subset=["score"]).to_dict("records"):
        assert rec["score"] == pytest.approx(expected[(rec["province_id"], rec["code"])],
                                             abs=1e-5)
    pii = scores[scores["code"] == "PII"]
    assert sorted(pii["rank"]) == sorted(pii["score"].rank(ascending=False, method="min"))


def _raw(tmp_path, text):
    path = tmp_path / "raw.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,needle", [
    ("province_id,code,value\nBac Giangg,1.1.1,3\n", "did you mean 'Bắc Giang'"),
    ("province_id,code,value\nbac-giang,9.9.9,3\n", "value '9.9.9'"),
    ("province_id,code,value\nbac-giang,1.1.1,abc\n", "expected a number"),
    ("province_id,code,value\nbac-giang,1.1.1,3\nBắc Giang,1.1.1,4\n", "duplicate of row 2"),
    ("province,code,value\nbac-giang,1.1.1,3\n", "missing column(s) province_id"),
])
def test_score_bad_input_exits_2_and_writes_nothing(cli, tmp_path, text, needle):
    raw = _raw(tmp_path, text)
    out = tmp_path / "out" / "scores.csv"
    res = cli("score", raw, "--edition", "2023", "--out", out)
    assert res.returncode == 2
    message = res.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "raw.csv" in message and needle in message
    assert not out.exists()


def test_score_refuses_incomplete_2025_framework(cli, tmp_path):
    raw = _raw(tmp_path, "province_id,code,value\nkhanh-hoa,1.1.1,47.59\n")
    res = cli("score", raw, "--edition", "2025", "--out", tmp_path / "s.csv")
    assert res.returncode == 2
    assert "full PII 2025 framework" in res.stderr


def test_unknown_edition_exits_2(cli):
    res = cli("provinces", "--edition", "2022")
    assert res.returncode == 2 and "2023, 2024, 2025" in res.stderr


@pytest.mark.parametrize("path", ["data/published/scores.csv", "data/framework/pii_2023.csv",
                                  "data/demo/raw_2024.csv"])
def test_validate_committed_files(cli, path):
    res = cli("validate", ROOT / path, *(["--edition", "2024"] if "2024" in path else []))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Valid: ")


def test_validate_reports_bad_score(cli, tmp_path):
    path = tmp_path / "tidy.csv"
    path.write_text("year,province_id,level,code,score\n2023,ha-noi,pii,PII,162.86\n",
                    encoding="utf-8")
    res = cli("validate", path)
    assert res.returncode == 2
    assert "row 2" in res.stderr and "'score'" in res.stderr and "0–100" in res.stderr
