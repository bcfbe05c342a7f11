"""Renderers: turn an executed report notebook into a self-contained HTML file and a PDF.

Renderers are registered by name (:data:`RENDERERS`); ``auto`` picks Quarto when a ``quarto``
executable is on PATH and the builtin renderer otherwise (:func:`resolve_renderer` says which).

The **builtin** renderer uses the same engines from PyPI wheels:

* HTML: nbconvert (``basic`` template, inputs hidden) inside our page template — the report
  stylesheet inlined, a table of contents, ``lang`` set, print CSS, images embedded as data URIs,
  no request to any network address;
* PDF: the notebook's Markdown representations → pandoc (``pypandoc-binary``) → Typst → the
  ``typst`` package (A4, embedded fonts, page numbers, running header).

Quarto cell options are honoured by both: ``#| echo: true`` shows a cell's code (hidden by
default), ``#| include: false`` drops the cell.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat

from .. import __version__
from ..errors import InputError
from ..files import atomic_path
from ..present.blocks import md_escape
from ..present.provenance_sections import report_time
from ..present.wording import wording
from .kernels import run_dir

ASSETS = Path(__file__).resolve().parent.parent / "present" / "assets"
_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
_DATA_URI = re.compile(r"\(data:image/(png|svg\+xml);base64,([A-Za-z0-9+/=]+)\)")
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>')


@dataclass
class PageInfo:
    """What the page wrapper needs besides the notebook body."""

    title: str
    lang: str = "vi"
    kicker: str = ""
    demo: bool = False
    demo_label: str = ""
    footer: str = ""
    running_header: str = ""
    toc_label: str = ""
    created: dt.datetime | None = None
    extra: dict = field(default_factory=dict)


def cell_options(cell) -> dict[str, str]:
    """Quarto ``#|`` options at the top of a code cell."""
    opts: dict[str, str] = {}
    for line in cell.get("source", "").splitlines():
        m = _OPTION.match(line.strip())
        if not m:
            break
        opts[m.group(1)] = m.group(2).strip().strip('"').strip("'")
    return opts


def _truthy(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.lower() not in ("false", "no", "0")


def prepare(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Apply Quarto cell options: drop ``include: false`` and parameter cells, hide code."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "raw":
            continue  # front matter is for Quarto
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        opts = cell_options(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if not _truthy(opts.get("include"), True) or "parameters" in tags or \
                "injected-parameters" in tags:
            continue
        if not _truthy(opts.get("echo"), False):
            cell.metadata["tags"] = list(tags) + ["pii-remove-input"]
        cells.append(cell)
    nb.cells = cells
    return nb


def error_outputs(nb) -> list[str]:
    """Names of the errors an executed notebook's outputs record."""
    return [o.get("ename", "error") for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


@lru_cache(maxsize=1)
def _html_exporter():
    """nbconvert's HTML exporter (``basic`` template), built once per process (its templates
    compile in ~0.25 s), without two whole-notebook passes that took 0.14 s of a report's
    0.16 s: the BeautifulSoup re-parse of the page (it gives images without alt text a
    placeholder — each of our figures has its caption as alt text — and tab stops to the
    JupyterLab template's output areas, which the basic template has none of), and a schema
    validation after every preprocessor (the executed notebook was validated when read)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code",
                                 Highlight2HTML(pygments_lexer="ipython3", parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        def _validate_preprocessor(self, nbc, preprocessor):
            return None

    exporter = ReportExporter(template_name="basic")
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_input_tags={"pii-remove-input"}), enabled=True)
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


@lru_cache(maxsize=1)
def page_templates():
    """The jinja environment of our page templates (autoescaped), built once per process."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["j2"]))


def render_html(nb: nbformat.NotebookNode, html_path: Path, page: PageInfo) -> Path:
    """Write a self-contained HTML report from an executed notebook (atomic)."""
    body, _ = _html_exporter().from_notebook_node(prepare(nb))
    toc = [(m.group(1), re.sub("<[^>]+>", "", m.group(2))) for m in _H2.finditer(body)]
    w = wording(page.lang)  # captions numbered like Quarto's and the PDF's: "Hình 1: …"
    html = page_templates().get_template("page.html.j2").render(
        lang=page.lang, title=page.title, kicker=page.kicker, demo=page.demo,
        demo_label=page.demo_label, toc=toc, toc_label=page.toc_label, body=body,
        figure_word=w("quarto.crossref.fig-title"), table_word=w("quarto.crossref.tbl-title"),
        footer=page.footer, version=__version__,
        css=stylesheet(), **page.extra)
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return html_path


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report stylesheet (embedded in every builtin HTML page)."""
    return (ASSETS / "report.css").read_text(encoding="utf-8")


def notebook_markdown(nb: nbformat.NotebookNode, image_dir: Path) -> str:
    """Markdown of the report: Markdown cells and each output's ``text/markdown`` (figures are
    data-URI images inside it; an image-only output is saved beside)."""
    parts: list[str] = []
    count = 0
    for cell in prepare(nb).cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if "pii-remove-input" not in cell.metadata.get("tags", []):
            parts.append("```python\n" + cell.source + "\n```")
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            meta = out.get("metadata", {}).get("pii", {})
            if "text/markdown" in data:
                parts.append(_DATA_URI.sub(lambda m: f"({_save_image(m, image_dir)})",
                                           data["text/markdown"]))
            elif "image/png" in data:
                count += 1
                name = f"figure-{count}.png"
                (image_dir / name).write_bytes(base64.b64decode(data["image/png"]))
                caption = meta.get("caption", "")
                parts.append(f"![{md_escape(caption)}]({name})" if caption else f"![]({name})")
            elif out.get("output_type") == "stream":
                parts.append("```\n" + out.get("text", "") + "\n```")
    return "\n\n".join(parts) + "\n"


def _save_image(match: re.Match, folder: Path) -> str:
    """Write a data-URI image as a file for pandoc and Typst; return its name."""
    name = f"figure-{len(list(folder.glob('figure-*')))+1}.{'png' if match.group(1) == 'png' else 'svg'}"
    (folder / name).write_bytes(base64.b64decode(match.group(2)))
    return name


_COMPILE = ("import sys, typst\n"
            "typst.compile(sys.argv[1], output=sys.argv[2], root=sys.argv[3], "
            "timestamp=int(sys.argv[4]))\n")


def compile_typst(typ: Path, out: Path, root: Path, timestamp: int) -> None:
    """Compile a Typst source to PDF in a short-lived child process.

    The ``typst`` package memoises every compilation for the life of the process and offers no
    way to forget: compiled in a batch worker, each report left ~30 MB behind. A child costs
    ~25 ms more than compiling in process (0.19 s against 0.17 s for a report) and returns all
    of its memory.
    """
    done = subprocess.run([sys.executable, "-c", _COMPILE, str(typ), str(out), str(root),
                           str(timestamp)], capture_output=True, text=True, encoding="utf-8",
                          errors="replace", check=False)
    if done.returncode != 0:
        raise RuntimeError(f"typst could not compile the report: {done.stderr.strip()}")


def render_pdf(nb: nbformat.NotebookNode, pdf_path: Path, page: PageInfo) -> Path:
    """Write the PDF report (pandoc → Typst → typst) from an executed notebook (atomic).

    The PDF's creation date is the report's generation time, so two renders of the same
    inputs differ only where that time is printed.
    """
    import pypandoc

    work = run_dir() / f"pdf-{pdf_path.stem}-{id(nb)}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        markdown = notebook_markdown(nb, work)
        created = page.created or report_time()
        variables = {"lang": page.lang, "title": page.title, "kicker": page.kicker,
                     "running-header": page.running_header, "footer-left": page.footer,
                     "year": str(created.year), "month": str(created.month),
                     "day": str(created.day)}
        args = ["--template", str(ASSETS / "report.typ"), "--columns", "100",
                "--shift-heading-level-by=-1"]
        for key, value in variables.items():
            args += ["-V", f"{key}={value}"]
        if page.demo:
            args += ["-V", "demo=true", "-V", f"demo-banner={page.demo_label}"]
        # raw ```{=typst} blocks of our cards pass (raw_attribute on), raw HTML does not;
        # figures are files beside the Typst source (written by notebook_markdown)
        source = pypandoc.convert_text(markdown, "typst", format="markdown-raw_html",
                                       extra_args=args + ["--standalone"], cworkdir=str(work))
        typ = work / "report.typ"
        typ.write_text(source, encoding="utf-8")
        shutil.copy(ASSETS / "pii.typ", work / "pii.typ")
        with atomic_path(pdf_path) as out:
            compile_typst(typ, out, work, int(created.timestamp()))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return pdf_path


def render_builtin(nb_path: Path, stem: str, page: PageInfo, formats: list[str]) -> list[Path]:
    """Render with the builtin engines beside the notebook (``<stem>.html``, ``<stem>.pdf``)."""
    nb = nbformat.read(nb_path, as_version=4)
    written = []
    if "html" in formats:
        written.append(render_html(nb, nb_path.with_name(f"{stem}.html"), page))
    if "pdf" in formats:
        written.append(render_pdf(nb, nb_path.with_name(f"{stem}.pdf"), page))
    return written


RENDERERS: dict[str, Callable[[Path, str, PageInfo, list[str]], list[Path]]] = {
    "builtin": render_builtin,
}
AVAILABLE: dict[str, Callable[[], bool]] = {"builtin": lambda: True}


def register(name: str, render: Callable, available: Callable[[], bool]) -> None:
    """Register a renderer and the test of whether it can run on this machine."""
    RENDERERS[name] = render
    AVAILABLE[name] = available


def resolve_renderer(name: str) -> str:
    """The renderer a name stands for: ``auto`` → ``quarto`` when available, else ``builtin``.

    Raises
    ------
    InputError
        For an unknown renderer, or one that cannot run here.
    """
    if name == "auto":
        return "quarto" if "quarto" in RENDERERS and AVAILABLE["quarto"]() else "builtin"
    if name not in RENDERERS:
        raise InputError("renderer", column="--renderer", value=name)
    if not AVAILABLE[name]():
        raise InputError("quarto_missing", column="--renderer", value=name)
    return name


def render(nb_path: Path, stem: str, page: PageInfo, formats: list[str], renderer: str
           ) -> list[Path]:
    """Render an executed notebook to the requested formats beside it.

    Raises
    ------
    RuntimeError
        When the executed notebook contains an error output (no report is written).
    """
    nb = nbformat.read(nb_path, as_version=4)
    errors = error_outputs(nb)
    if errors:
        raise RuntimeError(f"notebook {nb_path.name} has error output(s): {', '.join(errors)}")
    if not formats:  # executed only (a Quarto batch renders every page in one site render)
        return []
    return RENDERERS[resolve_renderer(renderer)](nb_path, stem, page, formats)


from . import quarto  # noqa: E402,F401 - registers the Quarto renderer (it imports this module)
