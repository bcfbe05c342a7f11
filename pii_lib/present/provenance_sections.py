"""Report sections on where the numbers come from: coverage, sources grouped by origin,
disagreements between data layers, method notes, what is missing and how to supply it (in
words), and the reproducibility stamp."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from .. import __version__
from ..data.tables import file_checksum
from ..model.framework import LEVELS
from .blocks import Blocks, Bullets, Heading, Para, Table
from .narrative import missing_line
from .wording import Wording, local_time

if TYPE_CHECKING:
    from .province import ReportContext

_FILE_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


def source_label(w: Wording, source: str) -> str:
    """A short label of a source: a web address's site, a plan's reference as written."""
    first = source.split(" ; ")[0].strip()
    if first.startswith(("http://", "https://")):
        return urlparse(first).netloc.removeprefix("www.")
    return first


def source_groups(w: Wording, sources: list[str]) -> list[tuple[str, int]]:
    """Sources of a province's figures grouped: one line per web page, plan or imported file,
    with how many figures come from it (imported ``file:line`` sources are grouped by file)."""
    counts: Counter = Counter()
    for source in sources:
        for part in str(source).split(" ; "):
            part = part.strip()
            if not part:
                continue
            match = _FILE_LINE.match(part)
            if part.startswith("computed:"):
                counts[w("sources.computed")] += 1
            elif part.startswith("DEMO:"):
                counts[w("sources.demo")] += 1
            elif match and not part.startswith(("http://", "https://")):
                counts[w("sources.imported_file", file=match.group("file"))] += 1
            else:
                counts[part] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def sources(c: ReportContext) -> Blocks:
    """Data coverage, the sources of every figure used (grouped), disagreements between data
    layers, method notes, and everything that could not be computed."""
    w, a, ds = c.w, c.analysis, c.dataset
    own = ds.scores[ds.scores["province_id"] == a.province]
    out = Blocks([Heading(w("section.sources"))])
    cover = [[w(f"level.{level}"), w("sources.have_of", have=int(
        own[own["level"] == level]["score"].notna().sum()),
        n=c.framework.expected_count(level) if level != "pii" else 1)]
        for level in reversed(LEVELS)]
    out.append(Table([w("col.level"), w("col.scored")], cover, align="lr",
                     caption=w("sources.coverage_caption")))
    groups = source_groups(w, list(own["source"].dropna()))
    if groups:
        out.append(Heading(w("sources.title"), 3))
        out.append(Table([w("col.source"), w("col.figures")],
                         [[label, str(n)] for label, n in groups], align="lr"))
    if a.conflicts:
        out.append(Heading(w("sources.conflicts"), 3))
        out.append(Para(w("sources.conflicts_text"), "note"))
        out.append(Table([w("col.item"), w("col.kept"), w("col.kept_source"), w("col.other"),
                          w("col.other_source")],
                         [[w("sources.conflict_item", label=c.label(k.code),
                             column=w(f"col.{k.column}")), c.num(k.kept),
                           source_label(w, k.kept_source), c.num(k.other),
                           source_label(w, k.other_source)] for k in a.conflicts],
                         align="lrlrl"))
    out.append(Heading(w("sources.method"), 3))
    out.append(Bullets([w(f"method.{key}") for key in ("minmax", "ranks", "linear")]))
    if a.missing:
        out.append(Heading(w("missing.title_all"), 3))
        out.append(Table([w("col.section"), w("col.missing")],
                         [[w(f"section.{m.section}"), missing_line(w, m)] for m in a.missing],
                         align="ll"))
    return out


def supply(c: ReportContext) -> Blocks:
    """How to supply what is missing, in words (an appendix; no command syntax)."""
    w = c.w
    hows = list(dict.fromkeys(m.how for m in c.analysis.missing))
    if not hows:
        return Blocks()
    out = Blocks([Heading(w("section.supply")), Para(w("supply.intro"))])
    out.append(Bullets([w(f"supply.{how}") for how in hows]))
    return out


def _plan_label(c: ReportContext) -> str:
    plan = c.params.plan
    return c.w("stamp.plan", number=plan.number or c.w("plan.unnumbered"))


def report_time() -> dt.datetime:
    """When the report is made: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now.

    The same time is printed in the report and set as the PDF's creation date, so two renders
    of the same inputs with the same ``SOURCE_DATE_EPOCH`` are identical byte for byte.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).astimezone()
    return dt.datetime.now().astimezone()


def stamp(c: ReportContext, now: dt.datetime | None = None) -> Blocks:
    """Package version, data checksums, params checksum, generation time (local)."""
    w, ds = c.w, c.dataset
    rows = [[w("stamp.version"), __version__], [w("stamp.python"), platform.python_version()]]
    for layer in ds.layers:
        for path, digest in layer.files.items():
            label = w(f"stamp.layer.{layer.kind}", file=Path(path).name)
            rows.append([label, w("stamp.checksum", digest=digest)])
    if c.framework.completed_from:
        rows.append([w("stamp.framework", edition=ds.edition),
                     ", ".join(Path(p).name for p in c.framework.completed_from)])
    if c.params is not None and c.params.source_file:
        rows.append([_plan_label(c),
                     w("stamp.checksum", digest=file_checksum(Path(c.params.source_file)))])
    rows.append([w("stamp.generated"), local_time(now or report_time(), w.lang)])
    return Blocks([Heading(w("section.stamp")),
                   Table([w("col.item"), w("col.value")], rows, align="ll")])

