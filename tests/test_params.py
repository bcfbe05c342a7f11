"""Params files: the three real plans load; schema errors are clear and name the key."""

import pytest

from conftest import ROOT
from pii_lib.errors import InputError
from pii_lib.model.params import flags, load_params


def test_bac_giang_plan_has_17_targets_with_owners():
    p = load_params(ROOT / "params/bac-giang.yaml")
    assert p.province == "bac-giang" and p.plan.number == "41/KH-UBND"
    assert str(p.plan.date) == "2024-07-09" and p.goal.rank == 10
    assert len(p.targets) == 17
    first = p.targets[0]
    assert (first.code, first.baseline, first.target) == ("1.1.1", 12.76, 20)
    assert all(t.lead for t in p.targets)
    assert {g.code for g in p.pillar_goals} == {"1", "2", "3", "4", "5", "6", "7"}
    assert p.owners("2.2.3")[0] == "Sở Khoa học và Công nghệ"


def test_ha_noi_assigns_every_indicator():
    p = load_params(ROOT / "params/ha-noi.yaml")
    from pii_lib.model.framework import load_framework
    assigned = {r.code for r in p.responsibilities}
    assert set(load_framework(2023).indicators) <= assigned
    assert any("13/52" in n for n in p.notes)


def test_hung_yen_published_strengths_and_weaknesses():
    p = load_params(ROOT / "params/hung-yen.yaml")
    assert p.goal.rank == 10 and str(p.plan.date) == "2024-06-18"
    assert len(p.published_strengths.codes) == 5 and len(p.published_weaknesses.codes) == 5
    assert "2.2.3" in p.published_weaknesses.codes and "5.3.3" in p.published_strengths.codes
    assert p.published_weaknesses.quote  # the plan's own words are kept as the source


def test_bac_giang_plan_declares_its_17_weak_indicators():
    p = load_params(ROOT / "params/bac-giang.yaml")
    declared = p.published_weaknesses
    assert declared.codes == [t.code for t in p.targets]
    assert "17 chỉ số thành phần" in declared.quote and "có điểm số thấp" in declared.quote


def _write(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,needle", [
    ("province: bac-giang\ntargets:\n  - {code: '9.9.9', target: 20}\n", "targets[0].code"),
    ("province: bac-giang\ntargets:\n  - {code: '1.1.1', target: 120}\n", "within 0–100"),
    ("province: bac giangg\n", "did you mean 'Bắc Giang'"),
    ("province: bac-giang\ntargets:\n  - {code: '1.1.1', target: twenty}\n", "targets[0].target"),
    ("province: bac-giang\ntargets:\n  - {code: '1.1.1', target: 20}\n  - {code: '1.1.1', "
     "target: 30}\n", "conflicts with targets[0]"),
    ("- just\n- a list\n", "expected a YAML mapping"),
    ("province: !!python/object/apply:os.system ['true']\n", "no Python tags"),
    ("province: bac-giang\ngoal: {rank: 70}\n", "goal.rank"),
    ("province: bac-giang\nunknown_key: 1\n", "unknown_key"),
    ("province: bac-giang\nplan: {date: 2024-02-30}\n", "plan.date"),
    ("province: bac-giang\nbaseline_edition: abc\n", "baseline_edition"),
    ("province: bac-giang\ngoal: {rank: 3}\ngoal: {rank: 5}\n", "'goal' was already given"),
    ("province: bac-giang\ntargets:\n  - {code: '1.1.1', target: .nan}\n", "finite"),
    ("province: bac-giang\ntargets:\n  - {code: '1.1.1', target: .inf}\n", "targets[0].target"),
    ("province: bac-giang\nplan: {title: \"a\\x07b\"}\n", "control characters"),
    ("province: bac-giang\n\tgoal: {rank: 3}\n", "valid YAML"),
    ("province: bac-giang\nnotes: " + "[" * 500 + "]" * 500 + "\n", "nesting"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
     "aliases"),
])
def test_bad_params_are_refused_with_the_key(tmp_path, text, needle):
    with pytest.raises(InputError) as exc:
        load_params(_write(tmp_path, text))
    assert "p.yaml" in exc.value.message and needle in exc.value.message


def test_target_below_baseline_is_allowed_but_flagged(tmp_path):
    p = load_params(_write(tmp_path, "province: bac-giang\ntargets:\n"
                                     "  - {code: '1.1.1', baseline: 30, target: 20}\n"))
    (flag,) = flags(p)
    assert (flag.code, flag.args["code"], flag.args["target"], flag.args["baseline"]) == (
        "target_below_baseline", "1.1.1", 20, 30)


def test_params_messages_are_vietnamese_by_default(tmp_path):
    with pytest.raises(InputError) as exc:
        load_params(_write(tmp_path, "province: bac-giang\ngoal: {rank: top}\n"))
    message = exc.value.render("vi")
    assert "khóa goal.rank" in message and "cần một số nguyên" in message
    assert "expected" not in message
