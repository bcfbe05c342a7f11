"""Render an executed report notebook to a self-contained HTML file and a PDF.

Renderer ``auto`` uses Quarto when a ``quarto`` executable is on PATH (``quarto render`` of the
executed notebook, no re-execution); otherwise the built-in renderer from PyPI wheels:

* HTML: nbconvert (``basic`` template, inputs hidden) inside our own page template — inline
  CSS, a table of contents, ``lang`` set, print CSS, images embedded as data URIs, no request
  to any network address (nbconvert's full templates load require.js/MathJax from a CDN);
* PDF: the notebook's Markdown representations → pandoc (``pypandoc-binary``) → Typst → the
  ``typst`` package (A4, embedded fonts, page numbers, running header).

Quarto cell options are honoured by both: ``#| echo: true`` shows a cell's code (hidden by
default), ``#| include: false`` drops the cell, ``#| fig-cap: …`` captions its figures.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from ..present.blocks import h, md_escape
from ..files import atomic_path

TEMPLATES = Path(__file__).resolve().parent.parent / "present" / "assets"
_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
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
    """Apply Quarto cell options: drop ``include: false`` cells, hide code, add fig captions."""
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
            cell.transient = {"remove_source": True}
            tags = list(cell.metadata.get("tags", []))
            cell.metadata["tags"] = tags + ["pii-remove-input"]
        cap = opts.get("fig-cap")
        if cap and any("image/png" in o.get("data", {}) for o in cell.outputs):
            cell.outputs.append(nbformat.v4.new_output(
                "display_data", data={"text/html": f"<p class=\"figcap\">{h(cap)}</p>",
                                      "text/markdown": f"_{md_escape(cap)}_"}))
        cells.append(cell)
    nb.cells = cells
    return nb


def _error_outputs(nb) -> list[str]:
    return [o.get("ename", "error") for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def render_html(nb_path: Path, html_path: Path, page: PageInfo) -> Path:
    """Write a self-contained HTML report from an executed notebook (atomic)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = prepare(nbformat.read(nb_path, as_version=4))
    exporter = HTMLExporter(template_name="basic")
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_input_tags={"pii-remove-input"}), enabled=True)
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    toc = [(m.group(1), re.sub("<[^>]+>", "", m.group(2))) for m in _H2.finditer(body)]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))
    html = env.get_template("page.html.j2").render(
        lang=page.lang, title=page.title, kicker=page.kicker, demo=page.demo,
        demo_label=page.demo_label, toc=toc, toc_label="Mục lục" if page.lang == "vi" else
        "Contents", body=body, footer=page.footer, version=__version__)
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return html_path


def notebook_markdown(nb: nbformat.NotebookNode, image_dir: Path) -> str:
    """Markdown of the report: Markdown cells and each output's ``text/markdown`` (images saved)."""
    parts: list[str] = []
    count = 0
    for cell in prepare(nb).cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if not cell.get("transient", {}).get("remove_source"):
            parts.append("```python\n" + cell.source + "\n```")
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            meta = out.get("metadata", {}).get("pii", {})
            if "image/png" in data:
                count += 1
                name = f"figure-{count}.png"
                (image_dir / name).write_bytes(base64.b64decode(data["image/png"]))
                caption = meta.get("caption", "")
                parts.append(f"![{md_escape(caption)}]({name})" if caption else
                             f"![]({name})")
            elif "text/markdown" in data:
                parts.append(data["text/markdown"])
            elif out.get("output_type") == "stream":
                parts.append("```\n" + out.get("text", "") + "\n```")
    return "\n\n".join(parts) + "\n"


def render_pdf(nb_path: Path, pdf_path: Path, page: PageInfo) -> Path:
    """Write the PDF report (pandoc → Typst → typst) from an executed notebook (atomic)."""
    import pypandoc
    import typst

    nb = nbformat.read(nb_path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="pii-pdf-") as tmp:
        work = Path(tmp)
        markdown = notebook_markdown(nb, work)
        variables = {"lang": page.lang, "title": page.title, "kicker": page.kicker,
                     "running-header": page.running_header, "edition-label": "",
                     "footer-left": page.footer}
        args = ["--template", str(TEMPLATES / "report.typ"), "--columns", "100",
                "--shift-heading-level-by=-1"]
        for key, value in variables.items():
            args += ["-V", f"{key}={value}"]
        if page.demo:
            args += ["-V", "demo=true", "-V", f"demo-banner={page.demo_label}"]
        source = pypandoc.convert_text(markdown, "typst", format="markdown-raw_html-raw_attribute",
                                       extra_args=args + ["--standalone"])
        typ = work / "report.typ"
        typ.write_text(source, encoding="utf-8")
        with atomic_path(pdf_path) as out:
            typst.compile(str(typ), output=str(out), root=str(work))
    return pdf_path


def quarto_available() -> bool:
    """True when a ``quarto`` executable is on PATH."""
    return shutil.which("quarto") is not None


def render_quarto(nb_path: Path, formats: list[str]) -> list[Path]:
    """Render an executed notebook with Quarto (no re-execution) to HTML and/or Typst PDF."""
    outputs = []
    for fmt in formats:
        target = {"html": "html", "pdf": "typst"}[fmt]
        subprocess.run(["quarto", "render", str(nb_path), "--to", target, "--no-execute"],
                       check=True, capture_output=True)
        outputs.append(nb_path.with_suffix(f".{fmt}"))
    return outputs


def render(nb_path: Path, page: PageInfo, formats: list[str], renderer: str = "auto"
           ) -> list[Path]:
    """Render an executed notebook to the requested formats beside it.

    Raises
    ------
    RuntimeError
        When the executed notebook contains an error output (no report is written).
    """
    nb = nbformat.read(nb_path, as_version=4)
    errors = _error_outputs(nb)
    if errors:
        raise RuntimeError(f"notebook {nb_path.name} has error output(s): {', '.join(errors)}")
    use_quarto = renderer == "quarto" or (renderer == "auto" and quarto_available())
    if use_quarto:
        if not quarto_available():
            from ..errors import InputError

            raise InputError("expected a `quarto` executable on PATH for --renderer quarto",
                             column="renderer", value="quarto")
        return render_quarto(nb_path, formats)
    written = []
    if "html" in formats:
        written.append(render_html(nb_path, nb_path.with_suffix(".html"), page))
    if "pdf" in formats:
        written.append(render_pdf(nb_path, nb_path.with_suffix(".pdf"), page))
    return written
