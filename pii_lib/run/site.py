"""Edition-level pages: the national overview report and the index of every province report.

The builtin renderer writes ``reports/<edition>/index.html`` (a sortable, filterable table of
every province with score, rank, region and links to its HTML and PDF) and
``reports/<edition>/national/``; the Quarto renderer builds a Quarto website instead
(:mod:`.quarto`). Both are skipped when their inputs are unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import __version__
from ..files import remove_stale_temporaries, write_text_atomic
from ..present.wording import wording
from .execute import describe_error, execute_notebook, _json
from .jobs import NATIONAL, NATIONAL_NOTEBOOK, Job, JobResult, edition_root, fingerprint, is_current
from .render import ASSETS, PageInfo, render


def national_job(edition: int, data: tuple[str, ...], lang: str, out_root: str,
                 formats: tuple[str, ...], renderer: str, force: bool = False) -> Job:
    """The job of an edition's national overview (its outputs under ``national/``)."""
    return Job(province=NATIONAL, edition=edition, lang=lang, data=data, out_root=out_root,
               formats=formats, renderer=renderer, force=force)


def _national_files(job: Job) -> tuple[Path, list[Path], Path]:
    out = edition_root(job) / NATIONAL
    wanted = [out / f"{job.stem}.{fmt}" for fmt in job.formats] or [out / f"{job.stem}.ipynb"]
    return out, wanted, out / f".{job.stem}.inputs.json"


def national_stamp(job: Job) -> Path:
    """Where the national overview records the fingerprint of its inputs."""
    return _national_files(job)[2]


def national_page(job: Job) -> PageInfo:
    """Page furniture of the national overview."""
    w = wording(job.lang)
    title = w("national.title", edition=job.edition)
    if job.kind == "demo":
        title = w("demo.title_prefix") + title
    return PageInfo(title=title, lang=job.lang, kicker=w("report.kicker"),
                    demo=job.kind == "demo", demo_label=w("demo.banner"),
                    running_header=title, footer=w("report.footer"),
                    toc_label=w("report.toc"))


def national_outputs_current(job: Job) -> bool:
    """True when the national overview exists and was made from unchanged inputs."""
    _, wanted, stamp = _national_files(job)
    return is_current(stamp, wanted, fingerprint(job, NATIONAL_NOTEBOOK))


def national_overview(job: Job, km=None) -> JobResult:
    """Execute and render the national overview of an edition (skipped when unchanged), on
    ``km``'s kernel when given (a batch worker's warm kernel) or a fresh one."""
    out, wanted, stamp = _national_files(job)
    stem = job.stem
    expected = fingerprint(job, NATIONAL_NOTEBOOK)
    if not job.force and is_current(stamp, wanted, expected):
        return JobResult(province=NATIONAL, ok=True, skipped=True,
                         paths=[str(p) for p in wanted])
    remove_stale_temporaries(out)
    result = JobResult(province=NATIONAL, ok=False)
    try:
        nb_path = out / f"{stem}.ipynb"
        execute_notebook(NATIONAL_NOTEBOOK, nb_path, {
            "edition": int(job.edition), "lang": job.lang,
            "data": job.parameters()["data"]}, km)
        paths = render(nb_path, stem, national_page(job), list(job.formats), job.renderer)
        write_text_atomic(stamp, _json(expected))
        result.ok, result.paths = True, [str(nb_path)] + [str(p) for p in paths]
    except Exception as exc:  # noqa: BLE001 - reported with the batch's failures
        result.error = describe_error(exc)
    return result


def index_rows(job: Job, results: list[JobResult]) -> list[dict]:
    """One row per province of the edition: score, rank, region, links, failure."""
    from ..data.layers import load_dataset
    from ..method.context import edition_context
    from ..model.provinces import province_table

    w = wording(job.lang)
    ctx = edition_context(load_dataset(list(job.data), job.edition))
    table = province_table(job.edition).set_index("id")
    root = edition_root(job)
    failed = {r.province: r.error for r in results if not r.ok}
    rows = []
    for pid in table.index:
        stem = pid if job.lang == "vi" else f"{pid}.{job.lang}"
        rank = ctx.get("rank", pid, "PII")
        score = ctx.get("score", pid, "PII")
        rows.append({"id": pid, "name": table.at[pid, "name_vi"],
                     "region": table.at[pid, "region_name_vi" if job.lang == "vi" else
                                         "region_name_en"],
                     "score": score, "score_text": w.number(score),
                     "rank": int(rank) if rank is not None else None,
                     "html": f"{pid}/{stem}.html" if (root / pid / f"{stem}.html").exists()
                     else "",
                     "pdf": f"{pid}/{stem}.pdf" if (root / pid / f"{stem}.pdf").exists() else "",
                     "error": failed.get(pid, "")})
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    return rows


def write_index(job: Job, results: list[JobResult]) -> Path:
    """``reports/<edition>/index.html`` linking every province's HTML and PDF (builtin)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    w = wording(job.lang)
    root = edition_root(job)
    stem = "index" if job.lang == "vi" else f"index.{job.lang}"
    national = "national/national.html" if job.lang == "vi" else f"national/national.{job.lang}.html"
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["j2"]))
    html = env.get_template("index.html.j2").render(
        lang=job.lang, w=w, edition=job.edition, rows=index_rows(job, results),
        demo=job.kind == "demo", n=len(index_rows(job, results)), version=__version__,
        national=national if (root / national).exists() else "",
        css=(ASSETS / "report.css").read_text(encoding="utf-8"),
        generated=dt.date.today().isoformat())
    target = root / f"{stem}.html"
    remove_stale_temporaries(root)
    write_text_atomic(target, html)
    return target
