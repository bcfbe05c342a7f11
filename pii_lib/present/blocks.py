"""Display blocks for report notebooks: headings, paragraphs, tables, figures, cards, banners.

Every block displays the same content three ways:

* ``text/html`` — all text escaped; JupyterLab and the builtin HTML renderer (nbconvert) use it;
* ``text/markdown`` — pandoc/Quarto markdown, the representation Quarto uses for HTML and
  Typst and the builtin PDF renderer feeds to pandoc: headings with ids (``## T {#id}``),
  paragraph kinds as fenced divs (``::: {.note}``), pipe tables with numbered captions
  (``: caption {#tbl-…}``), figures as data-URI images with numbered captions
  (``![cap](data:…){#fig-…}``), cards and banners as raw ``html`` + ``typst`` blocks.
  Data are backslash-escaped in markdown and reach Typst only as string literals, so
  ``<script>``, ``#`` or ``*`` in a plan's text stay literal everywhere;
* ``text/plain`` — a short summary (never a page of base64).

Presentation only: blocks format numbers they are given, they never compute them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from dataclasses import dataclass, field

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~^$@:\"'=])")
FENCE = "````"  # longer than any backtick run escaped text can hold


def md_escape(text: object) -> str:
    """Escape text for pandoc Markdown so that it is rendered literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def h(text: object) -> str:
    """HTML-escape text (quotes included)."""
    return html.escape(str(text), quote=True)


def typst_str(text: object) -> str:
    """A Typst string literal: data can never become Typst code or markup."""
    s = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + s.replace("\r", " ").replace("\n", " ") + '"'


def raw(fmt: str, text: str) -> str:
    """A pandoc raw block for one output format (kept by Quarto and pandoc)."""
    return f"{FENCE}{{={fmt}}}\n{text}\n{FENCE}"


def slug(text: str) -> str:
    """ASCII anchor id from a heading."""
    from ..text import fold

    return fold(text).replace(" ", "-") or "section"


def short_id(prefix: str, *parts: object) -> str:
    """A stable cross-reference id (Quarto numbers ``fig-``/``tbl-`` ids)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=4).hexdigest()
    return f"{prefix}-{digest}"


def _div(kind: str, body: str) -> str:
    return f"::: {{.{kind}}}\n{body}\n:::" if kind else body


class Block:
    """Base class: displays itself with every representation."""

    def _repr_html_(self) -> str:  # pragma: no cover - overridden
        return ""

    def _repr_markdown_(self) -> str:  # pragma: no cover - overridden
        return ""

    def plain(self) -> str:
        """A short text summary."""
        return str(getattr(self, "text", type(self).__name__))

    def metadata(self) -> dict:
        """Output metadata (the block's kind, for renderers and tests)."""
        return {"pii": {"block": type(self).__name__}}

    def _repr_mimebundle_(self, include=None, exclude=None):
        # blank lines around the markdown: Quarto joins "asis" outputs with a single newline,
        # and a pipe table or a fenced div would otherwise swallow the next block
        markdown = self._repr_markdown_().strip("\n")
        return {"text/html": self._repr_html_(),
                "text/markdown": f"\n{markdown}\n\n" if markdown else "",
                "text/plain": self.plain()}, self.metadata()


@dataclass
class Heading(Block):
    """Section heading (level 2 by default)."""

    text: str
    level: int = 2

    def _repr_html_(self) -> str:
        return f'<h{self.level} id="{slug(self.text)}">{h(self.text)}</h{self.level}>'

    def _repr_markdown_(self) -> str:
        return f"{'#' * self.level} {md_escape(self.text)} {{#{slug(self.text)}}}"


@dataclass
class Para(Block):
    """A paragraph; ``kind`` styles it (``note``, ``missing``, ``lead``)."""

    text: str
    kind: str = ""

    def _repr_html_(self) -> str:
        cls = f' class="{self.kind}"' if self.kind else ""
        return f"<p{cls}>{h(self.text)}</p>"

    def _repr_markdown_(self) -> str:
        text = md_escape(self.text)
        return _div(self.kind, f"_{text}_" if self.kind in ("note", "missing") else text)


@dataclass
class Bullets(Block):
    """A bulleted list, with an optional lead-in line."""

    items: list[str]
    kind: str = ""
    title: str = ""

    def _repr_html_(self) -> str:
        cls = f' class="{self.kind}"' if self.kind else ""
        head = f'<p class="listhead {self.kind}">{h(self.title)}</p>' if self.title else ""
        return head + f"<ul{cls}>" + "".join(f"<li>{h(i)}</li>" for i in self.items) + "</ul>"

    def _repr_markdown_(self) -> str:
        head = f"_{md_escape(self.title)}_\n\n" if self.title else ""
        return _div(self.kind, head + "\n".join(f"- {md_escape(i)}" for i in self.items))

    def plain(self) -> str:
        return "\n".join(f"- {i}" for i in self.items)


@dataclass
class Banner(Block):
    """A prominent box (used for the demonstration-data warning)."""

    text: str
    kind: str = "demo"

    def _repr_html_(self) -> str:
        return f'<div class="banner {self.kind}" role="note">{h(self.text)}</div>'

    def _repr_markdown_(self) -> str:
        return "\n\n".join([raw("html", self._repr_html_()),
                            raw("typst", f"#pii-banner({typst_str(self.text)})")])


@dataclass
class KeyFigures(Block):
    """Cards of headline figures: list of (label, value, sub-text)."""

    items: list[tuple[str, str, str]]

    def _repr_html_(self) -> str:
        cards = "".join(f'<div class="kf"><div class="kf-label">{h(a)}</div>'
                        f'<div class="kf-value">{h(b)}</div><div class="kf-sub">{h(c)}</div></div>'
                        for a, b, c in self.items)
        return f'<div class="keyfigures">{cards}</div>'

    def _repr_markdown_(self) -> str:
        cards = ", ".join(f"({typst_str(a)}, {typst_str(b)}, {typst_str(c)})"
                          for a, b, c in self.items)
        return "\n\n".join([raw("html", self._repr_html_()),
                            raw("typst", f"#pii-keyfigures({cards},)")])

    def plain(self) -> str:
        return " | ".join(f"{a}: {b} ({c})" for a, b, c in self.items)


@dataclass
class Table(Block):
    """A table of already formatted cells.

    ``align`` has one letter per column (``l`` or ``r``); ``highlight`` marks rows to emphasise.
    """

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    align: str = ""
    highlight: list[int] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)

    def content_widths(self) -> list[int]:
        """Relative column widths from the content: the longest word of the (bold) header, the
        90th percentile of the cells' lengths, within 4–60 characters, plus two characters for
        the cell's padding (so that a short header such as "Điểm" never runs into the next)."""
        out = []
        for i, header in enumerate(self.columns):
            cells = sorted(len(str(r[i])) for r in self.rows if i < len(r)) or [0]
            typical = cells[min(len(cells) - 1, int(0.9 * len(cells)))]
            longest_word = max((len(w) for w in str(header).split()), default=3) + 1
            out.append(max(4, min(60, max(typical, longest_word))) + 2)
        return out

    def _align(self, i: int) -> str:
        return self.align[i] if i < len(self.align) else "l"

    def _repr_html_(self) -> str:
        cap = f"<caption>{h(self.caption)}</caption>" if self.caption else ""
        head = "".join(f'<th class="{self._align(i)}">{h(c)}</th>'
                       for i, c in enumerate(self.columns))
        body = []
        for k, row in enumerate(self.rows):
            cls = ' class="hl"' if k in self.highlight else ""
            cells = "".join(f'<td class="{self._align(i)}">{h(v)}</td>' for i, v in enumerate(row))
            body.append(f"<tr{cls}>{cells}</tr>")
        return (f'<div class="tablewrap"><table class="data">{cap}<thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table></div>')

    def _repr_markdown_(self) -> str:
        widths = self.widths or self.content_widths()

        def dashes(i: int) -> str:
            n = max(3, widths[i] if i < len(widths) else 3)
            return ("-" * (n - 1) + ":") if self._align(i) == "r" else ":" + "-" * (n - 1)

        lines = ["| " + " | ".join(md_escape(c) for c in self.columns) + " |",
                 "|" + "|".join(dashes(i) for i in range(len(self.columns))) + "|"]
        for k, row in enumerate(self.rows):
            cells = [md_escape(v) for v in row]
            if k in self.highlight:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        text = "\n".join(lines)
        if self.caption:
            ident = short_id("tbl", self.caption, self.columns, len(self.rows))
            text += f"\n\n: {md_escape(self.caption)} {{#{ident}}}"
        return text

    def plain(self) -> str:
        return f"[{len(self.rows)} × {len(self.columns)}] {self.caption}"


@dataclass
class Figure(Block):
    """A chart rendered to PNG, with its caption (numbered by the renderers)."""

    png: bytes
    caption: str
    alt: str = ""
    label: str = ""

    @classmethod
    def from_matplotlib(cls, fig, caption: str, alt: str = "", dpi: int = 120,
                        label: str = "") -> "Figure":
        """Render a matplotlib figure (closing it) into a block.

        The figure is laid out by the chart (``tight_layout``), so it is drawn once, without
        ``bbox_inches="tight"`` (which draws it twice); 120 dpi is sharp on screen and in the
        A4 PDF at the text width, and keeps a report's charts cheap to draw and encode.
        """
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        plt.close(fig)
        return cls(png=buf.getvalue(), caption=caption, alt=alt or caption, label=label)

    def _data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def metadata(self) -> dict:
        return {"pii": {"block": "Figure", "caption": self.caption}}

    def _repr_html_(self) -> str:
        return (f'<figure><img src="{self._data_uri()}" alt="{h(self.alt)}"/>'
                f"<figcaption>{h(self.caption)}</figcaption></figure>")

    def _repr_markdown_(self) -> str:
        ident = short_id(self.label or "fig", self.caption, len(self.png))
        if not ident.startswith("fig-"):
            ident = "fig-" + ident
        alt = str(self.alt).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        return f'![{md_escape(self.caption)}]({self._data_uri()}){{#{ident} fig-alt="{alt}"}}'

    def plain(self) -> str:
        return f"[figure] {self.caption}"


class Blocks(list):
    """A sequence of blocks that displays each of them in order."""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for block in self:
            display(block)
