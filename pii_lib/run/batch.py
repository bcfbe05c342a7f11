"""Execute report notebooks with papermill and render them, one province or a whole edition.

* Each output goes to ``reports/<edition>/<province>/<province>.{ipynb,html,pdf}`` (demo data
  under ``reports/demo/<edition>/…``), built from province ids, written to a temporary path and
  renamed into place — an interrupted run never leaves a truncated file.
* Kernels are pinned: a ``pii-reports`` kernelspec inside this environment's prefix, pointing
  at this interpreter (installed on first use), never a globally registered one.
* ``--all`` runs provinces in parallel worker processes; each worker keeps one warm kernel
  (IPC transport: no TCP-port race between parallel kernels) so imports and the per-edition
  analysis are paid once per worker, not once per province. One failing province does not
  stop the others; a summary lists every failure with its cause.
* Incremental: a province whose inputs (data files, params, notebook, ``pii_lib`` source) are
  unchanged since its last successful render is skipped (``--force`` re-renders).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from functools import lru_cache
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path


from .. import DATA_DIR, PARAMS_DIR, __version__
from ..errors import InputError
from ..files import atomic_path
from ..model.provinces import province_name, resolve_province

log = logging.getLogger(__name__)

KERNEL_NAME = "pii-reports"
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent.parent / "notebooks"
PROVINCE_NOTEBOOK = NOTEBOOK_DIR / "province_report.ipynb"
NATIONAL_NOTEBOOK = NOTEBOOK_DIR / "national_overview.ipynb"
STAMP_NAME = ".inputs.json"
#: workers (and their warm kernels) are replaced after this many reports each: a papermill run on a
#: reused kernel leaves ~20 MB behind in the worker, so recycling keeps peak memory bounded
WORKER_RECYCLE = 12


def ensure_kernel() -> str:
    """Install (if needed) the ``pii-reports`` kernelspec in ``sys.prefix`` for this Python."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    ksm = KernelSpecManager()
    try:
        spec = ksm.get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="PII Reports", prefix=sys.prefix)
    return KERNEL_NAME


@dataclass
class Job:
    """One report to produce."""

    province: str
    edition: int = 2023
    lang: str = "vi"
    data: str = "published"
    params_file: str = ""
    formats: tuple[str, ...] = ("html", "pdf")
    renderer: str = "auto"
    out_root: str = "reports"
    force: bool = False


@dataclass
class JobResult:
    """Outcome of one job."""

    province: str
    ok: bool
    paths: list[str] = field(default_factory=list)
    error: str = ""
    skipped: bool = False
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)


def data_kind(data: str) -> str:
    """``published``, ``demo`` or ``imported`` for a ``--data`` value."""
    return data if data in ("published", "demo") else "imported"


def output_dir(job: Job) -> Path:
    """Directory of a job's outputs (demo outputs are kept apart)."""
    root = Path(job.out_root)
    if data_kind(job.data) == "demo":
        root = root / "demo"
    elif data_kind(job.data) == "imported":
        root = root / "imported"
    return root / str(job.edition) / job.province


def default_params(province: str, edition: int) -> str:
    """``params/<province>.yaml`` when it exists and is for this edition, else ``""``."""
    path = PARAMS_DIR / f"{province}.yaml"
    if not path.exists():
        return ""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return str(path)  # let the params loader report the problem
    return str(path) if int(data.get("baseline_edition", 2023)) == int(edition) else ""


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=8)
def _shared_hashes(data: str, notebook: Path) -> tuple[str, str, str]:
    data_files = [p for p in DATA_DIR.rglob("*") if p.is_file() and p.suffix in (".csv", ".yaml")]
    if data_kind(data) == "imported":
        data_files += list(Path(data).glob("*.csv"))
    lib = [p for p in Path(__file__).resolve().parent.parent.rglob("*") if p.is_file()
           and p.suffix in (".py", ".typ", ".j2")]
    return _hash_files(data_files), _hash_files(lib), _hash_files([notebook])


def input_fingerprint(job: Job, notebook: Path = PROVINCE_NOTEBOOK) -> dict:
    """Everything a report depends on, hashed (for incremental reruns)."""
    data_hash, lib_hash, nb_hash = _shared_hashes(job.data, notebook)
    stamp = {"version": __version__, "data": data_hash, "lib": lib_hash,
             "notebook": nb_hash,
             "params": _hash_files([Path(job.params_file)]) if job.params_file else "",
             "job": {k: v for k, v in asdict(job).items() if k not in ("force", "out_root")}}
    return json.loads(json.dumps(stamp, sort_keys=True))  # as it reads back from disk


def _page_info(job: Job, title: str, demo: bool):
    from ..run.render import PageInfo
    from ..present.province import LABELS

    lab = LABELS.get(job.lang, LABELS["vi"])
    kicker = lab["title"]
    header = f"{province_name(job.province)} · PII {job.edition}"
    if demo:
        header = lab["demo_prefix"] + header
    footer = (f"pii-reports {__version__} · "
              + ("Dữ liệu minh họa" if demo and job.lang == "vi" else
                 "Demonstration data" if demo else
                 "Nguồn: xem mục Dữ liệu, nguồn và phương pháp" if job.lang == "vi" else
                 "Sources: see Data, sources and method"))
    return PageInfo(title=title, lang=job.lang, kicker=kicker, demo=demo,
                    demo_label=lab["demo_banner"], footer=footer, running_header=header)


def new_kernel_manager():
    """A kernel manager for the pinned kernel, using IPC sockets under a per-process path.

    IPC avoids the TCP-port race of kernels started in parallel (papermill #511) and the
    per-process path keeps workers' sockets apart.
    """
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    ensure_kernel()
    ipc_base = Path(tempfile.gettempdir()) / f"pii-kernel-{os.getpid()}-{time.monotonic_ns()}"
    return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(ipc_base))


def _shutdown(km) -> None:
    if km is not None and km.has_kernel:
        from jupyter_core.utils import run_sync

        run_sync(km.shutdown_kernel)(now=True)


def execute_notebook(notebook: Path, target: Path, parameters: dict, km=None) -> Path:
    """Execute ``notebook`` with papermill into ``target`` (atomic), pinned kernel."""

    kernel = ensure_kernel()
    own = km is None
    if own:
        km = new_kernel_manager()
    extra = {"km": km}
    try:
        return _execute(notebook, target, parameters, kernel, extra)
    finally:
        if own:
            _shutdown(km)


def _execute(notebook: Path, target: Path, parameters: dict, kernel: str, extra: dict) -> Path:
    import papermill as pm

    with atomic_path(target) as tmp:
        tmp_nb = tmp.with_suffix(".ipynb")
        try:
            pm.execute_notebook(str(notebook), str(tmp_nb), parameters=parameters,
                                kernel_name=kernel, cwd=str(notebook.parent), progress_bar=False,
                                log_output=False, **extra)
            os.replace(tmp_nb, tmp)
        finally:
            if tmp_nb.exists():
                tmp_nb.unlink()
    return target


def check_job(job: Job) -> Job:
    """Validate a job's inputs before any work (bad input → ``InputError``, nothing written)."""
    from ..data.tables import load_dataset
    from ..model.params import load_params

    job.province = resolve_province(job.province, job.edition)
    if job.lang not in ("vi", "en"):
        raise InputError("expected vi or en", column="lang", value=job.lang)
    bad = [f for f in job.formats if f not in ("html", "pdf")]
    if bad:
        raise InputError("expected formats among html, pdf", column="formats", value=bad[0])
    if job.renderer not in ("auto", "quarto", "builtin"):
        raise InputError("expected auto, quarto or builtin", column="renderer",
                         value=job.renderer)
    if job.renderer == "quarto":
        from ..run.render import quarto_available

        if not quarto_available():
            raise InputError("expected a `quarto` executable on PATH for --renderer quarto "
                             "(or use --renderer builtin)", column="renderer", value="quarto")
    load_dataset(job.data, job.edition)
    if job.params_file:
        params = load_params(job.params_file)
        if params.province != job.province:
            raise InputError(f"expected params for {job.province}", file=job.params_file,
                             row="province", value=params.province)
    return job


def _is_current(stamp_path: Path, wanted: list[Path], fingerprint: dict) -> bool:
    """True when every output exists and was made from inputs with this fingerprint."""
    if not (stamp_path.exists() and all(p.exists() for p in wanted)):
        return False
    try:
        return json.loads(stamp_path.read_text()) == fingerprint
    except (OSError, ValueError):
        return False


def up_to_date(job: Job) -> JobResult | None:
    """A skipped result when the job's outputs exist and its inputs are unchanged, else None."""
    out = output_dir(job)
    wanted = [out / f"{job.province}.{fmt}" for fmt in job.formats]
    if job.force or not _is_current(out / STAMP_NAME, wanted, input_fingerprint(job)):
        return None
    return JobResult(province=job.province, ok=True, skipped=True,
                     paths=[str(p) for p in wanted])


def remove_stale_temporaries(directory: Path) -> None:
    """Delete temporary files left by a run that was killed before it could rename them."""
    if directory.is_dir():
        for tmp in directory.glob(".*.tmp*"):
            tmp.unlink(missing_ok=True)


def run_job(job: Job, km=None) -> JobResult:
    """Execute and render one province report; never raises (errors go into the result)."""
    start = time.perf_counter()
    result = JobResult(province=job.province, ok=False)
    try:
        skipped = up_to_date(job)
        if skipped is not None:
            return skipped
        out = output_dir(job)
        remove_stale_temporaries(out)
        stamp_path = out / STAMP_NAME
        fingerprint = input_fingerprint(job)
        from ..run.render import render
        from ..present.province import report_title

        demo = data_kind(job.data) == "demo"
        nb_path = out / f"{job.province}.ipynb"
        t0 = time.perf_counter()
        execute_notebook(PROVINCE_NOTEBOOK, nb_path, {
            "province": job.province, "edition": int(job.edition), "lang": job.lang,
            "data": str(Path(job.data).resolve()) if data_kind(job.data) == "imported"
            else job.data,
            "params_file": str(Path(job.params_file).resolve()) if job.params_file else ""}, km)
        t1 = time.perf_counter()
        page = _page_info(job, report_title(job.province, job.edition, job.lang, demo), demo)
        paths = render(nb_path, page, list(job.formats), job.renderer)
        t2 = time.perf_counter()
        result.timings = {"execute": t1 - t0, "render": t2 - t1}
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(stamp_path) as tmp:
            tmp.write_text(json.dumps(fingerprint, sort_keys=True))
        result.ok = True
        result.paths = [str(nb_path)] + [str(p) for p in paths]
    except Exception as exc:  # noqa: BLE001 - one failing province must not stop a batch
        message = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"
        result.error = message.splitlines()[0] if message else exc.__class__.__name__
        if hasattr(exc, "ename"):  # papermill's PapermillExecutionError
            result.error = f"notebook error in cell: {exc.ename}: {exc.evalue}"
        log.debug("job %s failed", job.province, exc_info=True)
    finally:
        result.seconds = time.perf_counter() - start
    return result


# --- parallel batch with one warm kernel per worker ------------------------------------------
_KM = None


def _worker_init() -> None:
    global _KM
    import atexit

    _KM = new_kernel_manager()
    atexit.register(lambda: _shutdown(_KM))


def _worker_run(job: Job) -> JobResult:
    result = run_job(job, km=_KM)
    if not result.ok and _KM is not None and not _KM.has_kernel:
        result = run_job(job, km=_KM)  # kernel died: one retry with a fresh kernel
    return result


def run_batch(jobs: list[Job], n_jobs: int = 2, progress=None) -> list[JobResult]:
    """Run jobs in ``n_jobs`` worker processes; ``progress(result)`` is called per job."""
    import multiprocessing as mp

    ensure_kernel()
    results: list[JobResult] = []
    pending = []
    for job in jobs:  # unchanged provinces are skipped here, without starting any worker
        done = up_to_date(job)
        if done is None:
            pending.append(job)
        else:
            results.append(done)
            if progress:
                progress(done)
    jobs_all, jobs = jobs, pending
    if not jobs:
        return results
    if n_jobs <= 1:
        _worker_init()
        try:
            for job in jobs:
                res = _worker_run(job)
                results.append(res)
                if progress:
                    progress(res)
        finally:
            _shutdown_local()
        order = {job.province: i for i, job in enumerate(jobs_all)}
        return sorted(results, key=lambda r: order.get(r.province, 0))
    ctx = mp.get_context("spawn")
    chunk = n_jobs * WORKER_RECYCLE  # a fresh pool (fresh workers and kernels) per chunk
    for start in range(0, len(jobs), chunk):
        part = jobs[start:start + chunk]
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx,
                                 initializer=_worker_init) as pool:
            futures = {pool.submit(_worker_run, job): job for job in part}
            for fut in as_completed(futures):
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its job
                    res = JobResult(province=futures[fut].province, ok=False,
                                    error=f"worker crashed: {exc.__class__.__name__}: {exc}")
                results.append(res)
                if progress:
                    progress(res)
    order = {job.province: i for i, job in enumerate(jobs_all)}
    return sorted(results, key=lambda r: order.get(r.province, 0))


def _shutdown_local() -> None:
    global _KM
    _shutdown(_KM)
    _KM = None


def national_overview(edition: int, data: str, lang: str, out_root: str, formats: tuple[str, ...],
                      renderer: str = "auto", force: bool = False) -> list[Path]:
    """Execute and render the national overview of an edition (skipped when unchanged)."""
    from ..run.render import PageInfo, render
    from ..present.province import LABELS

    job = Job(province="national", edition=edition, lang=lang, data=data, out_root=out_root,
              formats=formats, renderer=renderer)
    out = output_dir(job)
    nb_path = out / "national.ipynb"
    stamp_path = out / STAMP_NAME
    fingerprint = input_fingerprint(job, NATIONAL_NOTEBOOK)
    wanted = [out / f"national.{fmt}" for fmt in formats]
    if not force and _is_current(stamp_path, wanted, fingerprint):
        return wanted
    execute_notebook(NATIONAL_NOTEBOOK, nb_path, {"edition": int(edition), "lang": lang,
                                                  "data": data})
    demo = data_kind(data) == "demo"
    lab = LABELS.get(lang, LABELS["vi"])
    title = (lab["demo_prefix"] if demo else "") + (
        f"Tổng quan PII {edition} toàn quốc" if lang == "vi" else f"PII {edition}: national overview")
    page = PageInfo(title=title, lang=lang, kicker=lab["title"], demo=demo,
                    demo_label=lab["demo_banner"], running_header=title,
                    footer=f"pii-reports {__version__}")
    paths = render(nb_path, page, list(formats), renderer)
    with atomic_path(stamp_path) as tmp:
        tmp.write_text(json.dumps(fingerprint, sort_keys=True))
    return paths


def write_index(edition: int, data: str, lang: str, out_root: str, results: list[JobResult]
                ) -> Path:
    """``reports/<edition>/index.html`` linking every province's HTML and PDF."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..method.analysis import edition_context
    from ..data.tables import load_dataset
    from ..model.provinces import province_table
    from ..present.province import LABELS

    ctx = edition_context(load_dataset(data, edition))
    table = province_table(edition).set_index("id")
    root = output_dir(Job(province="x", edition=edition, data=data, out_root=out_root)).parent
    ok = {r.province: r for r in results}
    rows = []
    for pid in table.index:
        res = ok.get(pid)
        rows.append({"id": pid, "name": table.at[pid, "name_vi"],
                     "region": table.at[pid, "region_name_vi" if lang == "vi" else
                                         "region_name_en"],
                     "score": ctx.get("score", pid, "PII"), "rank": ctx.get("rank", pid, "PII"),
                     "html": (root / pid / f"{pid}.html").exists(),
                     "pdf": (root / pid / f"{pid}.pdf").exists(),
                     "error": res.error if res is not None and not res.ok else ""})
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    demo = data_kind(data) == "demo"
    env = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "present" / "assets"),
                      autoescape=select_autoescape(["j2"]))
    from ..present.narrative import fmt_number

    html = env.get_template("index.html.j2").render(
        lang=lang, edition=edition, rows=rows, demo=demo, labels=LABELS[lang],
        fmt=lambda x: fmt_number(x, lang), n=len(table), version=__version__,
        national=(root / "national" / "national.html").exists(),
        national_pdf=(root / "national" / "national.pdf").exists())
    target = root / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return target

