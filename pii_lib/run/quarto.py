"""The Quarto renderer: an executed report notebook → self-contained HTML and A4 PDF (Typst).

Quarto reads our blocks' ``text/markdown`` representation (see :mod:`pii_lib.present.blocks`)
through the ``pii`` format (``assets/quarto/pii``: the report stylesheet, the Typst style shared
with the builtin renderer, title block and page partials). Before rendering, the executed
notebook is prepared (:func:`prepare_notebook`):

* its front matter is rewritten per report — title with province and edition, kicker, running
  header, footer, demo flag, language, and Quarto's interface words (figure/table captions,
  table of contents, search) from the wording catalogue;
* ``text/html`` is removed from every output: with any ``text/html`` output, Quarto's HTML
  loads require.js and jQuery from a CDN, and Quarto would prefer HTML to our markdown;
* parameter cells are dropped.

One report is rendered in temporary folders (no ``_files`` folder is left beside the report), one
``quarto render --no-execute`` per format, both at once; a batch is one website project
(:mod:`.quarto_site`). ``SOURCE_DATE_EPOCH`` is set from the report's time stamp, so a PDF's
dates come from the report, not from the clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import yaml

from ..files import atomic_path
from ..present.wording import wording
from .kernels import run_dir
from .render import ASSETS, PageInfo, register

EXTENSION = ASSETS / "quarto" / "pii"
FORMAT = {"html": "pii-html", "pdf": "pii-typst"}
SUFFIX = {"html": ".html", "pdf": ".pdf"}
_META_SPECIAL = set("\\`*_[]<>#$@")


def quarto_available() -> bool:
    """True when a ``quarto`` executable is on PATH."""
    return shutil.which("quarto") is not None


def install_extension(folder: Path) -> None:
    """Put the ``pii`` format into ``folder/_extensions/pii`` (stylesheet and Typst style are the
    builtin renderer's own files, so both renderers share one look)."""
    target = folder / "_extensions" / "pii"
    shutil.copytree(EXTENSION, target, dirs_exist_ok=True)
    shutil.copy(ASSETS / "report.css", target / "report.css")
    (target / "typst-template.typ").write_text(
        (ASSETS / "pii.typ").read_text(encoding="utf-8") + "\n"
        + (target / "typst-article.typ").read_text(encoding="utf-8"), encoding="utf-8")


def meta_text(text: str) -> str:
    """A metadata string pandoc reads as markdown, kept literal."""
    return "".join("\\" + ch if ch in _META_SPECIAL else ch for ch in str(text))


def interface(lang: str) -> dict:
    """Quarto's interface words and caption prefixes in the report's language."""
    w = wording(lang)
    keys = [k.split(".", 2)[2] for k in w.templates if k.startswith("quarto.language.")]
    return {"crossref": {k: w(f"quarto.crossref.{k}") for k in
                         ("fig-title", "tbl-title", "fig-prefix", "tbl-prefix")},
            "language": {k: w(f"quarto.language.{k}") for k in keys},
            "toc-title": w("report.toc")}


def front_matter(page: PageInfo, formats: list[str], extra: dict | None = None) -> str:
    """The YAML front matter of a prepared report notebook."""
    matter = {"title": meta_text(page.title), "pagetitle": page.title, "lang": page.lang,
              **interface(page.lang),
              "pii": {"kicker": meta_text(page.kicker),
                      "running-header": meta_text(page.running_header or page.title),
                      "footer": meta_text(page.footer), "demo": bool(page.demo),
                      "demo-label": meta_text(page.demo_label),
                      "demo-short": wording(page.lang)("demo.running")},
              "execute": {"enabled": False, "echo": False, "output": "asis"},
              "format": {FORMAT[f]: "default" for f in formats}}
    matter.update(extra or {})
    return "---\n" + yaml.safe_dump(matter, allow_unicode=True, sort_keys=False) + "---\n"


def prepare_notebook(nb: nbformat.NotebookNode, page: PageInfo, formats: list[str],
                     extra: dict | None = None) -> nbformat.NotebookNode:
    """A Quarto-ready copy of an executed report notebook (see the module docstring)."""
    nb = nbformat.from_dict(nb)
    cells = [nbformat.v4.new_raw_cell(front_matter(page, formats, extra))]
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "raw" or "parameters" in tags or "injected-parameters" in tags:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html_only = out.get("metadata", {}).get("pii", {}).get("html_only")
            if "text/html" in data and (html_only or "text/markdown" not in data):
                # the what-if simulator (interactive: the HTML page only, never the PDF), or an
                # output that is not one of our blocks: its HTML as a raw block
                data["text/markdown"] = f"\n`````{{=html}}\n{data['text/html']}\n`````\n\n"
            for mime in ("text/html", "application/javascript"):
                data.pop(mime, None)
            if "image/png" in data and "data:image/png;base64," in data.get("text/markdown", ""):
                data.pop("image/png")
        cells.append(cell)
    nb.cells = cells
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"pii-{i}"
    return nb


def environment(created: dt.datetime | None) -> dict:
    """The environment of a Quarto run: PDF dates from the report's time stamp."""
    from ..present.provenance_sections import report_time

    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = str(int((created or report_time()).timestamp()))
    return env


def run_quartos(calls: list[tuple[list[str], Path]], created: dt.datetime | None = None) -> None:
    """Run several ``quarto`` commands at once, each in its own folder; raise with the last lines
    of output of the first that fails.

    Quarto renders one file after another on one core; the HTML and the PDF of a report (or of a
    website) rendered by two processes use both cores (a batch of 10: 48 s → 28 s).
    """
    env = environment(created)
    with contextlib.ExitStack() as logs:
        procs = []
        try:
            for args, cwd in calls:
                log = logs.enter_context(tempfile.TemporaryFile(mode="w+", encoding="utf-8",
                                                                errors="replace"))
                procs.append((subprocess.Popen(["quarto", *args], cwd=cwd, stdout=log,
                                               stderr=subprocess.STDOUT, env=env), log))
            for proc, _ in procs:
                proc.wait()
        except BaseException:  # Ctrl-C or SIGTERM: stop every render
            for proc, _ in procs:
                proc.kill()
                proc.wait()
            raise
        for proc, log in procs:
            if proc.returncode:
                log.seek(0)
                tail = log.read().strip().splitlines()[-5:]
                raise RuntimeError("quarto: " + " | ".join(tail))


def render_quarto(nb_path: Path, stem: str, page: PageInfo, formats: list[str]) -> list[Path]:
    """Render one executed notebook with Quarto beside it (``<stem>.html``, ``<stem>.pdf``):
    each format in its own temporary folder, the formats at once (:func:`run_quartos`)."""
    base = run_dir() / f"quarto-{stem}-{os.getpid()}"
    works = {fmt: base / fmt for fmt in formats}
    shutil.rmtree(base, ignore_errors=True)
    try:
        nb = nbformat.read(nb_path, as_version=4)
        for fmt, work in works.items():
            work.mkdir(parents=True)
            install_extension(work)
            nbformat.write(prepare_notebook(nb, page, [fmt]), str(work / f"{stem}.ipynb"))
        run_quartos([(["render", f"{stem}.ipynb", "--no-execute", "--quiet"], work)
                     for work in works.values()], page.created)
        written = []
        for fmt, work in works.items():
            target = nb_path.with_name(f"{stem}{SUFFIX[fmt]}")
            with atomic_path(target) as tmp:
                shutil.copyfile(work / f"{stem}{SUFFIX[fmt]}", tmp)
            written.append(target)
        return written
    finally:
        shutil.rmtree(base, ignore_errors=True)


register("quarto", render_quarto, quarto_available)
