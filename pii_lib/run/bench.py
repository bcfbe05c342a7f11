"""Benchmark of the report pipeline (``make bench``; not a test).

Measures, on this machine: per-stage median times for one report (analysis, notebook
execution, HTML, PDF), wall time and peak memory (sum of RSS over the process tree) of
``pii report --all --data demo`` for the 63 provinces of 2023 (HTML + PDF + index), the time
of an unchanged rerun, and a naive baseline — a sequential loop calling the ``papermill``
CLI, then ``jupyter nbconvert``, then pandoc + typst per province — measured on a sample of
provinces in the same run and extrapolated to 63. Results are printed and saved as CSV under
``reports/bench/``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .jobs import PROVINCE_NOTEBOOK
from .kernels import ensure_kernel

console = Console()


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, int]:
    """Run a command; return (wall seconds, peak tree RSS bytes, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = proc.wait()
    done.set()
    thread.join()
    return time.perf_counter() - start, peak, code


def stage_times(repeats: int, out: Path) -> dict[str, float]:
    """Median seconds per stage for one demo report (Bắc Giang 2023)."""
    import nbformat

    from ..data.demo import demo_dataset
    from ..method.analysis import analyse_province
    from ..method.context import clear_contexts
    from ..present.province import report_title
    from ..present.wording import wording
    from .execute import execute_notebook, page_info
    from .jobs import Job
    from .render import render_html, render_pdf

    times: dict[str, list[float]] = {"analysis": [], "execute": [], "html": [], "pdf": []}
    job = Job(province="bac-giang", data=("demo",))
    page = page_info(job, report_title(wording("vi"), "bac-giang", 2023, True))
    for i in range(repeats):
        demo_dataset.cache_clear()
        clear_contexts()
        t0 = time.perf_counter()
        analyse_province(demo_dataset(2023), "bac-giang")
        t1 = time.perf_counter()
        nb_path = out / f"stage-{i}.ipynb"
        execute_notebook(PROVINCE_NOTEBOOK, nb_path, job.parameters())
        t2 = time.perf_counter()
        nb = nbformat.read(nb_path, as_version=4)
        render_html(nb, nb_path.with_suffix(".html"), page)
        t3 = time.perf_counter()
        render_pdf(nb, nb_path.with_suffix(".pdf"), page)
        t4 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            value and times[key].append(value)
    return {k: statistics.median(v) for k, v in times.items()}


def naive_baseline(provinces: list[str], out: Path) -> float:
    """Seconds per province of the naive pipeline (CLI tools, one fresh process each)."""
    import pypandoc

    bindir = Path(sys.executable).parent
    pandoc = pypandoc.get_pandoc_path()
    start = time.perf_counter()
    for pid in provinces:
        nb = out / f"naive-{pid}.ipynb"
        subprocess.run([str(bindir / "papermill"), str(PROVINCE_NOTEBOOK), str(nb), "-k",
                        "pii-reports", "-p", "province", pid, "-p", "data", "demo",
                        "--cwd", str(PROVINCE_NOTEBOOK.parent)], check=True,
                       capture_output=True)
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(nb)], check=True, capture_output=True)
        md = nb.with_suffix(".md")
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "markdown", "--no-input",
                        str(nb)], check=True, capture_output=True)
        typ = nb.with_suffix(".typ")
        subprocess.run([pandoc, str(md), "-s", "-t", "typst", "-o", str(typ)], check=True,
                       capture_output=True, cwd=out)
        subprocess.run([sys.executable, "-c", f"import typst; typst.compile({str(typ)!r}, "
                        f"output={str(typ.with_suffix('.pdf'))!r})"], check=True,
                       capture_output=True, cwd=out)
    return (time.perf_counter() - start) / len(provinces)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-sample", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    ensure_kernel()
    bench_dir = Path("reports") / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="pii-bench-") as tmp:
        work = Path(tmp)
        console.print("stage times …")
        for stage, sec in stage_times(args.repeats, work).items():
            rows.append((f"one report: {stage} (median of {args.repeats})", f"{sec:.2f}", "s"))
        cmd = [sys.executable, "-m", "pii_lib", "report", "--all", "--edition", "2023",
               "--data", "demo", "--jobs", str(args.jobs), "--out", str(work / "batch")]
        console.print("63-province batch …")
        wall, peak, code = run_measured(cmd + ["--force"])
        rows.append(("batch 63 provinces (HTML+PDF+index), wall", f"{wall:.1f}", "s"))
        rows.append(("batch peak memory (process tree)", f"{peak / 2**20:.0f}", "MiB"))
        rows.append(("batch exit code", str(code), ""))
        console.print("unchanged rerun …")
        rerun, _, _ = run_measured(cmd)
        rows.append(("unchanged rerun, wall", f"{rerun:.1f}", "s"))
        console.print(f"naive baseline on {args.baseline_sample} provinces …")
        from ..model.provinces import province_ids

        sample = province_ids(2023)[: args.baseline_sample]
        per = naive_baseline(sample, work)
        rows.append((f"naive baseline per province (sample of {len(sample)})", f"{per:.1f}", "s"))
        rows.append(("naive baseline extrapolated to 63", f"{per * 63:.0f}", "s"))
        rows.append(("speed-up (naive / batch)", f"{per * 63 / wall:.1f}", "×"))
    table = Table(title=f"PII Reports benchmark — {os.cpu_count()} cores")
    for col in ("measure", "value", "unit"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = bench_dir / f"bench-{stamp}.csv"
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["measure", "value", "unit"])
        writer.writerows(rows)
    console.print(f"saved {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
