"""Read the notebooks' cells as report parts, following report/AUTHORING.md.

Each kept cell gets ``cell.metadata["nm"]``, a dict the LaTeX template reads:

``role``
    ``"markdown"``, ``"question"`` (a cell holding a ``> **Question X.Y.**``
    blockquote), ``"answer"``, ``"summary"``, ``"caption"`` (a ``**Figure N.M.**``
    or ``**Table N.M.**`` cell, typeset with the figure or table it names, so it
    prints nothing itself), ``"code"`` or ``"appendix"`` (a code listing).
``latex``
    The LaTeX of a Markdown cell, with ``@@NMFRAG<i>@@`` tokens that
    :class:`texify.Converter` replaces by the converted Markdown fragments.
``figure`` / ``table``
    For a code cell with a caption cell after it: label and caption (tokens).
``where``
    ``notebooks/01_lif.ipynb cell 5 (id ...)`` for error messages.

Nothing here runs LaTeX or pandoc, so the rules are quick to test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nbformat

__all__ = [
    "Dropped",
    "GlanceEntry",
    "Labels",
    "ReportError",
    "classify_chapter",
    "classify_extra",
    "code_appendix",
    "full_only_sections",
    "image_outputs",
    "section_slug",
    "shorten",
]

FIGURE_LEAD = re.compile(r"^\s*\*\*Figure\s+(\d+)\.(\d+)\.?\*\*\.?\s*")
TABLE_LEAD = re.compile(r"^\s*\*\*Table\s+(\d+)\.(\d+)\.?\*\*\.?\s*")
SUMMARY_LEAD = re.compile(r"^\s*\*\*Summary\.?\*\*\.?\s*")
ANSWER_LEAD = re.compile(r"^\s*\*\*Answer(?:\s*\(([a-z])\))?\.?\*\*\.?\s*")
QUESTION_LEAD = re.compile(r"^>\s*\*\*Question\s+(\d+\.\d+)\s*(?:\(([a-z])\))?\.?\*\*\.?\s*")
ANCHOR = re.compile(r"<a\s+(?:id|name)\s*=\s*[\"']([^\"']+)[\"']\s*>\s*</a>")
LINK_TARGET = re.compile(r"\]\(#([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
IMAGE_TYPES = ("application/pdf", "image/png", "image/jpeg")
GLANCE_WORDS = 30


class ReportError(RuntimeError):
    """The notebooks break a report convention; the message names the cell."""


@dataclass
class GlanceEntry:
    """One line of the "Answers at a glance" page."""

    label: str  # LaTeX label of the question box, e.g. "q:3.4a"
    title: str  # "Question 3.4 (a)"
    question: str  # token of the shortened restatement
    answers: list[str] = field(default_factory=list)  # tokens of the answers' first paragraphs
    where: str = ""


@dataclass
class Labels:
    """Every label the report defines, and every link target it uses."""

    defined: dict[str, str] = field(default_factory=dict)  # label -> where
    links: list[tuple[str, str]] = field(default_factory=list)  # (target, where)
    references: set[str] = field(default_factory=set)  # anchors of report/references.md
    dropped: dict[str, str] = field(default_factory=dict)  # label -> section, full report only

    def define(self, label: str, where: str) -> None:
        if label in self.defined:
            raise ReportError(
                f"{where}: label '{label}' is already defined in {self.defined[label]} "
                "(each anchor, question, figure and table number must be unique)"
            )
        self.defined[label] = where

    def check(self) -> None:
        """Fail on a citation without a references entry or a link to nothing."""
        for target, where in self.links:
            if target.startswith("ref-"):
                if target not in self.references:
                    raise ReportError(
                        f"{where}: citation '#{target}' has no entry "
                        f'<a id="{target}"></a> in report/references.md'
                    )
            elif target not in self.defined:
                raise ReportError(
                    f"{where}: link '#{target}' points to no anchor; define it with "
                    f'<a id="{target}"></a> (or link #q:X.Y, #fig:N.M, #tab:N.M)'
                )


def where_of(cell) -> str:
    return cell.metadata.get("nm", {}).get("where", "report")


def image_outputs(cell) -> list:
    """The outputs of a code cell that carry an image."""
    return [
        out for out in cell.get("outputs", [])
        if out.get("output_type") in ("display_data", "execute_result")
        and any(kind in out.get("data", {}) for kind in IMAGE_TYPES)
    ]


def markdown_output(cell) -> str | None:
    """The Markdown text a code cell displays (e.g. a results table), if any."""
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("display_data", "execute_result"):
            text = out.get("data", {}).get("text/markdown")
            if text:
                return text if isinstance(text, str) else "".join(text)
    return None


def split_table(markdown: str) -> tuple[str, str, str]:
    """Split Markdown into (before, first pipe table, after); table "" if none."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("|")), None)
    if start is None:
        return markdown, "", ""
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("|"):
        end += 1
    return "\n".join(lines[:start]), "\n".join(lines[start:end]), "\n".join(lines[end:])


def one_paragraph(markdown: str) -> str:
    """Paragraphs joined into one (a caption argument may hold no blank line)."""
    return re.sub(r"\n\s*\n", "\n", markdown.strip())


def first_paragraph(markdown: str) -> str:
    return re.split(r"\n\s*\n", markdown.strip(), maxsplit=1)[0]


def shorten(markdown: str, words: int = GLANCE_WORDS) -> str:
    """The first sentence (or the first ``words`` words) of a Markdown paragraph.

    Never cuts inside ``$...$`` math; adds an ellipsis when it cuts a sentence.
    """
    tokens = " ".join(markdown.split()).split(" ")
    kept: list[str] = []
    dollars = 0
    for token in tokens:
        kept.append(token)
        dollars += token.count("$") - token.count("\\$")
        if dollars % 2:
            continue
        if re.search(r"[.?!][)*_]*$", token) and len(kept) >= 6:
            return " ".join(kept)
        if len(kept) >= words:
            return " ".join(kept).rstrip(",;:") + " …"
    return " ".join(kept)


def strip_heading_lines(markdown: str) -> list[str]:
    return [m.group(2) for m in HEADING.finditer(markdown)]


class Chapter:
    """Classify the cells of one chapter (a notebook or a report/*.md file)."""

    def __init__(self, number: int, name: str, cells: list, conv, labels: Labels,
                 glance: list[GlanceEntry], warnings: list[str]) -> None:
        self.number = number
        self.name = name
        self.cells = cells
        self.conv = conv
        self.labels = labels
        self.glance = glance
        self.warnings = warnings
        self.figures = 0
        self.tables = 0
        self.question: GlanceEntry | None = None
        self.title = ""
        self.section = ""

    # -- Markdown ---------------------------------------------------------
    def frag(self, markdown: str, where: str, inline: bool = False) -> str:
        """Register a Markdown fragment (anchors and links recorded) and return its token."""
        markdown = unlink_dropped(markdown, self.labels.dropped)
        for anchor in ANCHOR.findall(markdown):
            self.labels.define(anchor, where)
        self.labels.links.extend((t, where) for t in LINK_TARGET.findall(markdown))
        return self.conv.add(markdown, inline=inline, where=where)

    def auto_anchors(self, src: str) -> str:
        """Add ``ch:N`` to the chapter heading and ``sec:N:slug`` to each ``##`` heading."""

        def add(m: re.Match) -> str:
            level, text = len(m.group(1)), ANCHOR.sub("", m.group(2)).strip()
            if level == 1:
                key = f"ch:{self.number}"
            elif level == 2:
                slug = section_slug(text)
                key, k = f"sec:{self.number}:{slug}", 2
                while key in self.labels.defined:
                    key, k = f"sec:{self.number}:{slug}-{k}", k + 1
            else:
                return m.group(0)
            if key in self.labels.defined:
                return m.group(0)
            return f'{m.group(0)} <a id="{key}"></a>'

        return HEADING.sub(add, src)

    def markdown(self, cell) -> None:
        nm = cell.metadata["nm"]
        src = self.auto_anchors(cell.source)
        where = nm["where"]
        for level, text in ((len(m.group(1)), ANCHOR.sub("", m.group(2)).strip())
                            for m in HEADING.finditer(src)):
            if level == 1 and not self.title:
                self.title = text
            elif level == 2:
                self.section = text
        if (m := SUMMARY_LEAD.match(src)) is not None:
            nm["role"] = "summary"
            nm["latex"] = "\\begin{nmsummary}\n" + self.frag(src[m.end():], where) + "\n\\end{nmsummary}"
            return None
        if (m := ANSWER_LEAD.match(src)) is not None:
            return self.answer(cell, m, src[m.end():])
        if nm.get("table"):  # a Markdown table captioned by the next cell
            before, table, after = split_table(src)
            nm["latex"] = "\n".join([self.frag(before, where), self.table_float(nm["table"], table, where),
                                     self.frag(after, where)])
            return None
        nm["latex"] = self.with_questions(src, where)
        nm["role"] = "question" if "\\begin{nmquestion}" in nm["latex"] else "markdown"
        return None

    def with_questions(self, src: str, where: str) -> str:
        """LaTeX of a Markdown cell whose ``> **Question X.Y.**`` blockquotes become boxes."""
        lines = src.splitlines()
        out: list[str] = []
        plain: list[str] = []
        i = 0
        while i < len(lines):
            m = QUESTION_LEAD.match(lines[i])
            if m is None:
                plain.append(lines[i])
                i += 1
                continue
            j = i + 1
            while j < len(lines) and lines[j].strip():
                j += 1
            body = [re.sub(r"^>\s?", "", line) for line in lines[i:j]]
            body[0] = lines[i][m.end():]
            if plain:
                out.append(self.frag("\n".join(plain), where))
                plain = []
            out.append(self.question_box(m.group(1), m.group(2), "\n".join(body), where))
            i = j
        if plain:
            out.append(self.frag("\n".join(plain), where))
        return "\n".join(out)

    def question_box(self, number: str, part: str | None, body: str, where: str) -> str:
        label = f"q:{number}{part or ''}"
        title = f"Question {number}" + (f" ({part})" if part else "")
        self.labels.define(label, where)
        entry = GlanceEntry(label, title, self.frag(shorten(first_paragraph(body)), where, inline=True),
                            where=where)
        self.glance.append(entry)
        self.question = entry
        return (f"\\begin{{nmquestion}}{{{title}}}{{{label}}}\n{self.frag(body, where)}\n"
                "\\end{nmquestion}")

    def answer(self, cell, m: re.Match, body: str) -> None:
        nm = cell.metadata["nm"]
        nm["role"] = "answer"
        where = nm["where"]
        part = m.group(1)
        if self.question is None:
            raise ReportError(f"{where}: an **Answer.** cell with no > **Question X.Y.** before it "
                              "in this chapter")
        short = first_paragraph(body)
        if len(short.split()) > 60:
            self.warnings.append(f"{where}: the answer's first paragraph has {len(short.split())} words; "
                                 "the 'Answers at a glance' page wants at most about 40")
        prefix = f"\\textbf{{({part})}}~" if part else ""
        self.question.answers.append(prefix + self.frag(short, where, inline=True))
        lead = f"Answer ({part})." if part else "Answer."
        nm["latex"] = f"\\begin{{nmanswer}}{{{lead}}}\n{self.frag(body, where)}\n\\end{{nmanswer}}"

    def caption(self, cell, kind: str, m: re.Match, text: str) -> None:
        nm = cell.metadata["nm"]
        where = nm["where"]
        nm["role"] = "caption"
        nm["latex"] = ""
        declared = f"{m.group(1)}.{m.group(2)}"
        if kind == "figure":
            self.figures += 1
            count = self.figures
        else:
            self.tables += 1
            count = self.tables
        expected = f"{self.number}.{count}"
        name = kind.capitalize()
        if declared != expected:
            raise ReportError(
                f"{where}: the caption says {name} {declared}, but it is {kind} {count} of chapter "
                f"{self.number} ({self.name}), so LaTeX numbers it {name} {expected}; "
                "renumber the captions in chapter order"
            )
        target = self.previous(cell)
        label = f"{'fig' if kind == 'figure' else 'tab'}:{declared}"
        info = {"label": label, "number": declared,
                "caption": self.frag(one_paragraph(text), where, inline=True)}
        if kind == "figure":
            images = image_outputs(target) if target is not None and target.cell_type == "code" else []
            if len(images) != 1 or target.metadata["nm"].get("figure"):
                raise ReportError(
                    f"{where}: the **Figure {declared}.** caption must follow a code cell that shows "
                    f"exactly one figure; the cell before it shows {len(images)}"
                    + (f" ({where_of(target)})" if target is not None else "")
                )
        else:
            ok = target is not None and (
                (target.cell_type == "code" and markdown_output(target) and
                 split_table(markdown_output(target))[1]) or
                (target.cell_type == "markdown" and split_table(target.source)[1])
            )
            if not ok:
                raise ReportError(f"{where}: the **Table {declared}.** caption must follow a cell whose "
                                  "output (or Markdown) is a pipe table")
        self.labels.define(label, where)
        target.metadata["nm"][kind] = info

    def previous(self, cell):
        index = next(i for i, c in enumerate(self.cells) if c is cell)
        return self.cells[index - 1] if index > 0 else None

    def table_float(self, info: dict, table_md: str, where: str) -> str:
        return (f"\\begin{{table}}[htbp]\n\\centering\n"
                f"\\caption{{{info['caption']}}}\\label{{{info['label']}}}\n"
                f"{self.conv.add(table_md, table=True, where=where)}\n\\end{{table}}")

    # -- code -------------------------------------------------------------
    def code(self, cell) -> None:
        nm = cell.metadata["nm"]
        nm["role"] = "code"
        nm["section"] = self.section
        captioned = False
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown") if "data" in out else None
            if not text:
                continue
            text = text if isinstance(text, str) else "".join(text)
            out.setdefault("metadata", {})
            before, table, after = split_table(text)
            if nm.get("table") and table and not captioned:
                latex = "\n".join([self.frag(before, nm["where"]),
                                    self.table_float(nm["table"], table, nm["where"]),
                                    self.frag(after, nm["where"])])
                captioned = True
            else:
                latex = self.frag(text, nm["where"])
            out["metadata"]["nm_latex"] = latex
        if image_outputs(cell) and not nm.get("figure"):
            self.warnings.append(f"{nm['where']}: a figure without a **Figure N.M.** caption cell after it")

    def run(self) -> None:
        # pass 1: captions attach to the cell before them (numbers checked in order)
        for cell in self.cells:
            if cell.cell_type == "markdown":
                if (m := FIGURE_LEAD.match(cell.source)) is not None:
                    self.caption(cell, "figure", m, cell.source[m.end():])
                elif (m := TABLE_LEAD.match(cell.source)) is not None:
                    self.caption(cell, "table", m, cell.source[m.end():])
        # pass 2: everything else, in order
        for cell in self.cells:
            if cell.metadata["nm"].get("role") == "caption":
                continue
            if cell.cell_type == "markdown":
                self.markdown(cell)
            elif cell.cell_type == "code":
                self.code(cell)
            else:
                cell.metadata["nm"].update(role="markdown", latex="")
        for entry in self.glance:
            if not entry.answers and entry.where.startswith(f"notebooks/{self.name}"):
                self.warnings.append(f"{entry.where}: {entry.title} has no **Answer.** cell")


FULL_TAG = "report-full"
FULL_MARK = "†"  # marks a mention of a section only the full report has


def section_slug(text: str) -> str:
    """The slug of a ``##`` heading in its ``sec:N:slug`` label."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"\$[^$]*\$", "", text).lower()).strip("-")


def level2_heading(cell) -> str | None:
    """The text of the first ``##`` heading of a Markdown cell, if it has one."""
    if cell.cell_type != "markdown":
        return None
    for m in HEADING.finditer(cell.source):
        if len(m.group(1)) == 2:
            return ANCHOR.sub("", m.group(2)).strip()
    return None


@dataclass
class Dropped:
    """A section tagged ``report-full``, left out of the default report."""

    chapter: int
    title: str
    labels: list[str]


def full_only_sections(nb, chapter: int) -> tuple[set[int], list[Dropped]]:
    """Cells of the sections whose ``##`` heading cell is tagged ``report-full``.

    Such a section runs to the next ``##`` (or ``#``) heading; it is kept in the
    full report (``make report FULL=1``) and left out of the default one.
    Returns the cell indices and, for each section, the labels it would define
    (``sec:N:slug``, ``fig:N.M``, ``tab:N.M`` and ``<a id>`` anchors).
    """
    indices: set[int] = set()
    sections: list[Dropped] = []
    current: Dropped | None = None
    for index, cell in enumerate(nb.cells):
        heading = level2_heading(cell)
        starts_chapter = cell.cell_type == "markdown" and re.match(r"^#[ \t]", cell.source.lstrip())
        if heading is not None or starts_chapter:
            current = None
            if heading is not None and FULL_TAG in cell.metadata.get("tags", []):
                current = Dropped(chapter, heading, [f"sec:{chapter}:{section_slug(heading)}"])
                sections.append(current)
        if current is None:
            continue
        indices.add(index)
        if cell.cell_type == "markdown":
            for lead, kind in ((FIGURE_LEAD, "fig"), (TABLE_LEAD, "tab")):
                if (m := lead.match(cell.source)) is not None:
                    current.labels.append(f"{kind}:{m.group(1)}.{m.group(2)}")
            current.labels.extend(ANCHOR.findall(cell.source))
    return indices, sections


def unlink_dropped(markdown: str, dropped: dict[str, str]) -> str:
    """Links to labels left out of this report become italic text marked with a dagger."""
    if not dropped:
        return markdown

    def plain(m: re.Match) -> str:
        text, key = m.group(1), m.group(2)
        return f"*{text}*{FULL_MARK}" if key in dropped else m.group(0)

    return re.sub(r"(?<!!)\[([^\]]*)\]\(#([^)\s]+)\)", plain, markdown)


def keep_cells(nb, source: str, drop_tags=("remove_cell",), output_tags=("remove_output",),
               skip: set[int] | frozenset = frozenset()) -> list:
    """The cells of a notebook the report shows, each with ``metadata.nm.where``.

    ``skip``: indices of cells left out as well (the full-report-only sections).
    """
    kept = []
    for index, cell in enumerate(nb.cells):
        tags = set(cell.metadata.get("tags", []))
        if index in skip or tags & set(drop_tags) or not cell.source.strip():
            continue
        if cell.cell_type == "code" and tags & set(output_tags):
            cell.outputs = []
        cell_id = cell.get("id", "")
        cell.metadata["nm"] = {"where": f"{source} cell {index}" + (f" (id {cell_id})" if cell_id else "")}
        kept.append(cell)
    return kept


def classify_chapter(number: int, name: str, nb, conv, labels: Labels, glance: list[GlanceEntry],
                     warnings: list[str], source: str, skip: set[int] | frozenset = frozenset()
                     ) -> tuple[list, str]:
    """Classify a notebook's cells; return (kept cells, chapter title).

    ``skip``: cell indices left out (see :func:`full_only_sections`).
    """
    cells = keep_cells(nb, source, skip=skip)
    chapter = Chapter(number, name, cells, conv, labels, glance, warnings)
    chapter.run()
    return cells, chapter.title


def classify_extra(number: int, path_label: str, text: str, conv, labels: Labels,
                   warnings: list[str], references: bool = False):
    """A Markdown file of report/ as one chapter (one cell)."""
    if references:
        labels.references.update(ANCHOR.findall(text))
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["nm"] = {"where": path_label}
    Chapter(number, path_label, [cell], conv, labels, [], warnings).run()
    return cell


def code_appendix(chapters: list[tuple[str, list]], conv) -> list:
    """Copies of the chapters' code cells as listings for the appendix.

    ``chapters`` is a list of (chapter title, cells); returns new cells, the
    first a heading cell.
    """
    cells = []
    head = nbformat.v4.new_markdown_cell("appendix")
    head.metadata["nm"] = {"role": "markdown", "where": "code appendix",
                           "latex": "\\nmappendix"}
    cells.append(head)
    for number, (title, chapter_cells) in enumerate(chapters, start=1):
        heading = nbformat.v4.new_markdown_cell(title)
        name = conv.add(title, inline=True, link=False)
        heading.metadata["nm"] = {"role": "markdown", "where": "code appendix",
                                  "latex": f"\\section{{Chapter {number}: {name}}}"}
        cells.append(heading)
        last = None
        for cell in chapter_cells:
            if cell.cell_type != "code":
                continue
            nm = cell.metadata["nm"]
            made = ", ".join(f"\\hyperref[{nm[k]['label']}]{{{k.capitalize()} {nm[k]['number']}}}"
                             for k in ("figure", "table") if nm.get(k))
            section = nm.get("section", "")
            head = conv.add(section, inline=True, link=False) if section and section != last else ""
            last = section
            copy = nbformat.v4.new_code_cell(cell.source)
            copy.metadata["nm"] = {"role": "appendix", "where": nm["where"],
                                   "latex": f"\\nmcodehead{{{head}}}{{{made}}}"}
            cells.append(copy)
    return cells
