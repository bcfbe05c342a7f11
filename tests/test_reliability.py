"""Batches and files: interruption, isolation of failures, incremental reruns, determinism,
escaping of text from params and data."""

import gc
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

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


# --- processes, temporaries, permissions, reproducibility (hardening round 2) ----------------

def _children(pid: int) -> set[int]:
    """Every descendant of a process, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.add(pid)
        except OSError:
            pass
    return alive


def _start_batch(out, only="an-giang,bac-kan,ca-mau,da-nang"):
    proc = subprocess.Popen(_batch_cmd(out, only), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    kids: set[int] = set()
    while time.time() < deadline:  # wait for workers and their kernels to be running
        kids = _children(proc.pid)
        if any("ipykernel" in _cmdline(p) for p in kids):
            break
        time.sleep(0.2)
    return proc, kids


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_killed_main_process_leaves_no_worker_or_kernel_running(tmp_path):
    proc, kids = _start_batch(tmp_path / "r")
    assert any("ipykernel" in _cmdline(p) for p in kids)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and _alive(kids):
        time.sleep(0.5)
    assert _alive(kids) == set(), [_cmdline(p) for p in _alive(kids)]


def test_sigterm_stops_the_batch_cleanly_with_exit_143(tmp_path):
    import tempfile

    proc, kids = _start_batch(tmp_path / "r")
    os.kill(proc.pid, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted" or "stopped" in stderr.splitlines()[-1]
    deadline = time.time() + 20
    while time.time() < deadline and _alive(kids):
        time.sleep(0.5)
    assert _alive(kids) == set()
    pids = {str(p) for p in kids | {proc.pid}}
    leftovers = [p for p in Path(tempfile.gettempdir()).glob("pii-run-*")
                 if p.name.split("-")[2] in pids]
    assert leftovers == []  # kernels' sockets and connection files went with their run folder
    assert not list((tmp_path / "r").rglob(".pii-tmp-*"))


def test_only_our_temporaries_are_cleaned_up(tmp_path):
    out = tmp_path / "r"
    folder = out / "demo" / "2023" / "an-giang"
    folder.mkdir(parents=True)
    (folder / ".draft.tmpl").write_text("the user's own file")
    (folder / ".pii-tmp-an-giang.html.x.tmp").write_text("left by a killed run")
    res = subprocess.run(_batch_cmd(out, "an-giang"), cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert (folder / ".draft.tmpl").read_text() == "the user's own file"
    assert not (folder / ".pii-tmp-an-giang.html.x.tmp").exists()


def test_same_inputs_and_source_date_epoch_give_identical_pdf_and_html(tmp_path):
    blobs = []
    for run in range(2):
        out = tmp_path / f"r{run}"
        res = run_cli("report", "bac-giang", "--data", "demo", "--out", out, "--renderer",
                      "builtin", lang="vi", env={"SOURCE_DATE_EPOCH": "1735689600"})
        assert res.returncode == 0, res.stderr
        folder = out / "demo" / "2023" / "bac-giang"
        blobs.append(((folder / "bac-giang.pdf").read_bytes(),
                      (folder / "bac-giang.html").read_bytes()))
    assert blobs[0][0] == blobs[1][0]  # PDF byte for byte
    assert blobs[0][1] == blobs[1][1]
    assert b"1/1/2025" in blobs[0][1]  # the time printed is SOURCE_DATE_EPOCH's


def test_a_warm_kernel_reused_for_many_reports_leaves_no_sockets_or_threads(tmp_path):
    """papermill (nbclient) stops its kernel client only for a kernel it started; on the
    batch's warm kernel every report left five sockets and three threads (~9 MB) behind."""
    from pii_lib.run import kernels
    from pii_lib.run.execute import execute_notebook
    from pii_lib.run.jobs import PROVINCE_NOTEBOOK, Job

    def handles() -> tuple[int, int]:
        gc.collect()
        return len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))

    km = kernels.new_kernel_manager()
    try:
        seen = []
        for pid in ("bac-giang", "ha-noi", "hung-yen", "bac-ninh", "nam-dinh"):
            execute_notebook(PROVINCE_NOTEBOOK, tmp_path / f"{pid}.ipynb",
                             Job(province=pid, data=("demo",)).parameters(), km)
            seen.append(handles())
        # the first two reports may start things once (the kernel, an event loop, a child
        # watcher of an earlier test); from then on a report must leave nothing behind
        assert seen[4] == seen[3] == seen[2], seen
    finally:
        kernels.shutdown(km)
