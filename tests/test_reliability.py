"""Batches and files: interruption, isolation of failures, incremental reruns, determinism,
escaping of text from params and data."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_cli

pytestmark = pytest.mark.e2e
SIX = "an-giang,bac-kan,ca-mau,da-nang,gia-lai,ha-nam"


def _batch_cmd(out, only=SIX, *extra):
    return [sys.executable, "-m", "pii_lib", "report", "--all", "--data", "demo", "--only", only,
            "--formats", "html", "--jobs", "2", "--out", str(out), "--lang", "en",
            "--renderer", "builtin", *extra]


def _province_html(folder):
    return [p for p in folder.glob("*/*.en.html") if p.parent.name != "national"]


def test_interrupted_batch_leaves_no_truncated_file_and_resumes(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.Popen(_batch_cmd(out), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = out / "demo" / "2023"
    deadline = time.time() + 240
    while time.time() < deadline and len(_province_html(folder)) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # a crash, not a polite stop
    proc.wait()
    done = _province_html(folder)
    assert 2 <= len(done) < 6
    for html in done:
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    for nb in folder.glob("*/*.ipynb"):
        json.loads(nb.read_text(encoding="utf-8"))  # complete JSON, never half-written
    res = subprocess.run(_batch_cmd(out), cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert len(_province_html(folder)) == 6
    assert "unchanged, skipped" in res.stdout
    skipped = int(re.search(r"\((\d+) unchanged", res.stdout).group(1))
    assert skipped >= len(done) - 1
    assert not list(folder.rglob(".pii-tmp-*"))
    assert (folder / "index.en.html").exists()


def test_one_failing_province_does_not_stop_the_batch(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    (params / "hung-yen.yaml").write_text(
        "province: hung-yen\ntargets:\n  - {code: '9.9.9', target: 10}\n", encoding="utf-8")
    out = tmp_path / "r"
    env = dict(os.environ, PII_PARAMS_DIR=str(params))
    res = subprocess.run(_batch_cmd(out, "bac-giang,hung-yen,ha-noi"), cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 1
    assert "failed hung-yen: " in res.stderr and "9.9.9" in res.stderr
    folder = out / "demo" / "2023"
    assert (folder / "bac-giang" / "bac-giang.en.html").exists()
    assert (folder / "ha-noi" / "ha-noi.en.html").exists()
    assert not (folder / "hung-yen" / "hung-yen.en.html").exists()
    assert "2 of 3 reports ok" in res.stdout


def test_params_change_rerenders_only_that_province(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    text = (ROOT / "params" / "bac-giang.yaml").read_text(encoding="utf-8")
    (params / "bac-giang.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "r"
    env = dict(os.environ, PII_PARAMS_DIR=str(params))
    cmd = [sys.executable, "-m", "pii_lib", "report", "--all", "--only", "bac-giang,ha-noi",
           "--formats", "html", "--jobs", "1", "--out", str(out), "--lang", "en",
           "--renderer", "builtin"]
    assert subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True).returncode == 0
    html = {p: (out / "2023" / p / f"{p}.en.html").stat().st_mtime_ns
            for p in ("bac-giang", "ha-noi")}
    (params / "bac-giang.yaml").write_text(text.replace("target: 20\n", "target: 21\n", 1),
                                           encoding="utf-8")
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert "(1 unchanged" in res.stdout
    assert (out / "2023" / "ha-noi" / "ha-noi.en.html").stat().st_mtime_ns == html["ha-noi"]
    assert (out / "2023" / "bac-giang" / "bac-giang.en.html").stat().st_mtime_ns != \
        html["bac-giang"]
    res = subprocess.run(cmd + ["--force"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "(0 unchanged" in res.stdout


def test_same_inputs_give_the_same_html_except_generation_time(tmp_path):
    out = tmp_path / "r"
    pages = []
    for _ in range(2):
        res = run_cli("report", "bac-giang", "--data", "demo", "--formats", "html", "--force",
                      "--out", out, "--renderer", "builtin", lang="vi")
        assert res.returncode == 0, res.stderr
        html = (out / "demo" / "2023" / "bac-giang" / "bac-giang.html").read_text(encoding="utf-8")
        pages.append(re.sub(r"\d{1,2}/\d{1,2}/\d{4} \d\d:\d\d", "<time>", html))
    assert pages[0] == pages[1]


def test_text_from_params_is_escaped_in_html_and_verbatim_in_pdf(tmp_path):
    evil = "<script>alert(\"x\")</script> & 'Sở KH&CN' *bold* #1"
    text = (ROOT / "params" / "bac-giang.yaml").read_text(encoding="utf-8")
    lead = re.search(r"lead: (.*)\n", text).group(1)
    params = tmp_path / "bac-giang.yaml"
    params.write_text(text.replace(f"lead: {lead}\n", f"lead: '{evil.replace(chr(39), chr(39) * 2)}'\n", 1),
                      encoding="utf-8")
    out = tmp_path / "r"
    res = run_cli("report", "bac-giang", "--params", params, "--out", out, "--renderer",
                  "builtin", lang="vi")
    assert res.returncode == 0, res.stderr
    html = (out / "2023" / "bac-giang" / "bac-giang.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;/script&gt; &amp;" in html
    assert "Sở KH&amp;CN" in html
    pdf = "".join(p.extract_text() for p in PdfReader(out / "2023" / "bac-giang" /
                                                      "bac-giang.pdf").pages)
    flat = re.sub(r"\s+", " ", pdf)
    assert "<script>alert(\"x\")</script> & 'Sở KH&CN' *bold* #1" in flat
