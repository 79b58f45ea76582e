"""Markdown fragments to LaTeX, in one pandoc call for the whole report.

:class:`Converter` hands out a token (``@@NMFRAG<i>@@``) for each fragment;
:meth:`Converter.run` converts them all (one pandoc process, about 0.5 s, in
place of two per cell) and :meth:`Converter.resolve` puts the LaTeX in place of
the tokens. On the way it

* turns ``<a id="key"></a>`` anchors into ``\\nmanchor{key}`` (a hyperref
  target with a LaTeX label of the same name);
* links plain mentions of "Figure N.M", "Table N.M", "Question X.Y" and
  "Chapter N" to the figure, table, question box or chapter (not inside
  headings, code, math or links);
* turns internal links ``[text](#key)`` into ``\\hyperref[key]{text}``;
* typesets pipe tables as ``tabular`` (booktabs), which never splits across
  pages; only a table of more than ``LONG_TABLE_ROWS`` rows stays a longtable.
"""

from __future__ import annotations

import re
import subprocess

from cells import ANCHOR, Labels, ReportError

__all__ = ["Converter", "autolink", "tabularize"]

# CommonMark, as Jupyter renders Markdown (a list interrupts a paragraph only
# when it starts at 1; "(a)" is not a list), with $math$, pipe tables, raw LaTeX.
PANDOC_FROM = ("commonmark_x-fancy_lists-gfm_auto_identifiers-implicit_header_references"
               "-subscript-superscript-emoji-task_lists")
SPLIT = "NMSPLITMARKER"
TOKEN = re.compile(r"@@NMFRAG(\d+)@@")
PROTECTED = re.compile(r"(`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\[[^\]]*\]\([^)]*\)|<[^>]+>)", re.DOTALL)
MENTION = re.compile(r"\b(Figure|Table|Question|Chapter)\s+(\d+(?:\.\d+)?)(?:\s*\(([a-z])\))?")


def autolink(markdown: str, labels: Labels, warnings: list[str], where: str) -> str:
    """Link "Figure N.M", "Table N.M" and "Question X.Y" mentions to their targets."""

    def link(m: re.Match) -> str:
        kind, number, part = m.group(1), m.group(2), m.group(3)
        if (kind == "Chapter") != ("." not in number):
            return m.group(0)
        if kind == "Chapter":
            label = f"ch:{number}"
            tail = m.group(0)[len(kind) + 1 + len(number):]
            return (f"[{kind} {number}](#{label})" + tail) if label in labels.defined else m.group(0)
        if kind == "Question":
            for label in (f"q:{number}{part or ''}", f"q:{number}"):
                if label in labels.defined:
                    return f"[{m.group(0)}](#{label})"
            return m.group(0)
        label = f"{'fig' if kind == 'Figure' else 'tab'}:{number}"
        if label not in labels.defined and label in labels.dropped:
            return f"{m.group(0)}†"  # only in the full report (cells.FULL_MARK)
        if label not in labels.defined:
            warnings.append(f"{where}: mentions {kind} {number}, but no **{kind} {number}.** caption exists")
            return m.group(0)
        return f"[{kind} {number}](#{label})" + (m.group(0)[len(kind) + 1 + len(number):])

    # a mention broken across two source lines ("Figure" / "3.1") is one mention
    markdown = re.sub(r"\b(Figure|Table|Question|Chapter)[ \t]*\n[ \t]*(?=\d)", r"\1 ", markdown)
    lines = []
    fenced = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or line.lstrip().startswith("#"):
            lines.append(line)
            continue
        pieces = PROTECTED.split(line)
        lines.append("".join(p if i % 2 else MENTION.sub(link, p) for i, p in enumerate(pieces)))
    return "\n".join(lines)


def anchors_to_latex(markdown: str) -> str:
    """``<a id="k"></a>`` to ``\\nmanchor{k}``; an anchor in a heading goes after the heading."""
    out = []
    for line in markdown.split("\n"):
        keys = ANCHOR.findall(line)
        if keys and line.lstrip().startswith("#"):
            out.append(ANCHOR.sub("", line).rstrip())
            out.append("")
            out.append("".join(f"`\\nmanchor{{{k}}}`{{=latex}}" for k in keys))
            out.append("")
        else:
            out.append(ANCHOR.sub(lambda m: f"`\\nmanchor{{{m.group(1)}}}`{{=latex}}", line))
    return "\n".join(out)


X_ALIGN = {"l": "\\raggedright", "r": "\\raggedleft", "c": "\\centering"}


def column_shares(rows: str, columns: int) -> list[float]:
    """Relative widths of the columns of a wrapping table.

    Each column gets its mean text length, but at least its longest word (a
    word cannot wrap), so numbers never overflow their cell.
    """
    lengths: list[list[int]] = [[] for _ in range(columns)]
    words = [3] * columns
    for row in rows.split("\\\\"):
        cells = re.sub(r"\\(toprule|midrule|bottomrule)", "", row).split("&")
        if len(cells) != columns:
            continue
        for i, cell in enumerate(cells):
            visible = re.sub(r"\\(href|url)\{[^}]*\}|\[[^\]]*\]", "", cell.replace("\\_", " "))
            text = re.sub(r"\\[a-zA-Z]+\*?|[{}$^_\\]", "", visible).split()
            lengths[i].append(sum(map(len, text)) + max(len(text) - 1, 0))
            words[i] = max([words[i], *(len(w) for w in text)])
    # about 4 pt a character at footnotesize, 8 pt between columns, 453 pt of text width
    budget = (453.0 - 8.0 * (columns - 1)) / 4.0
    least = [w * 1.1 + 0.5 for w in words]
    want = [max(0.0, (sum(v) / len(v) if v else 3.0) - m) for v, m in zip(lengths, least, strict=True)]
    spare = max(0.0, budget - sum(least))
    widths = [m + (spare * w / sum(want) if sum(want) else 0.0) for m, w in zip(least, want, strict=True)]
    return [columns * w / sum(widths) for w in widths]


def x_spec(letters: str, rows: str) -> str:
    shares = column_shares(rows, len(letters))
    return "@{}" + "".join(f">{{\\hsize={f:.3f}\\hsize{X_ALIGN[c]}\\arraybackslash\\hspace{{0pt}}}}X"
                           for c, f in zip(letters, shares, strict=True)) + "@{}"


def visible_length(latex: str) -> int:
    return len(re.sub(r"\\[a-zA-Z]+\*?|[{}$^_\\]", "", latex))


def stack_cell(cell: str, align: str) -> str:
    """A header cell on two lines, split at the space nearest its middle (not in math)."""
    text = cell.strip()
    if visible_length(text) <= 12:
        return cell
    pieces = re.split(r"(\\\(.*?\\\))", text)  # keep inline math whole
    spaces = []
    offset = 0
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            spaces += [offset + m.start() for m in re.finditer(" ", piece)]
        offset += len(piece)
    if not spaces:
        return cell
    middle = visible_length(text) / 2
    at = min(spaces, key=lambda k: abs(visible_length(text[:k]) - middle))
    return f" \\nmstack{{{align}}}{{{text[:at]}}}{{{text[at + 1:]}}} "


def stack_header(head: str, letters: str) -> str:
    """The header rows with long cells on two lines (for a table that is too wide)."""
    m = re.search(r"\\toprule\s*\n(.*?)\\\\", head, re.DOTALL)
    if not m:
        return head
    cells = m.group(1).split("&")
    if len(cells) != len(letters):
        return head
    row = "&".join(stack_cell(c, a) for c, a in zip(cells, letters, strict=True))
    return head[:m.start(1)] + row + head[m.end(1):]


def tabularize(latex: str, in_float: bool = False) -> str:
    """Pandoc's longtables as booktabs tables that split across pages only when tall.

    A table of ``l``/``r``/``c`` columns becomes
    ``\\nmfit{breakable}{spec}{X spec}{header}{body}``. LaTeX sets it at its
    natural width if that fits the text width, else at full width with wrapping
    cells (tabularx, column widths by their mean text length); it stays in one
    piece (never split) unless it is taller than 40% of the page and not in a
    float, then it becomes a longtable / xltabular that splits across pages
    with the header repeated.
    """

    def convert(m: re.Match) -> str:
        spec, body = m.group(1), m.group(2)
        head, _, rest = body.partition("\\endhead")
        if not rest:
            head, rest = "", body
        rest = re.sub(r"^\\(endhead|endfirsthead|endfoot|endlastfoot)\s*$\n?", "", rest, flags=re.MULTILINE)
        rest = re.sub(r"^\\caption.*\n", "", rest, flags=re.MULTILINE)
        # a cell "-74.9" is a negative number: a minus sign, not a hyphen
        rest = re.sub(r"(^|&)([ \t]*)-(?=\d|\.\d)", r"\1\2\\(-\\)", rest, flags=re.MULTILINE)
        # and inside a cell, after a space, comma, semicolon or bracket ("0.02, 0.2, -65, 6"),
        # outside math (\( ... \) already sets its own minus signs)
        rest = "".join(
            part if part.startswith("\\(") else
            re.sub(r"(?<=[ (,;])-(?=\d|\.\d)", r"\\(-\\)", re.sub(r"(?<=\d) - (?=\d)", r" \\(-\\) ", part))
            for part in re.split(r"(\\\(.*?\\\))", rest)
        )
        simple = re.fullmatch(r"@\{\}([lrc]+)@\{\}", spec)
        if simple is None:
            return f"\\begin{{center}}\\begin{{tabular}}{{{spec}}}{head}{rest}\\end{{tabular}}\\end{{center}}"
        xspec = x_spec(simple.group(1), head + rest)
        stacked = stack_header(head, simple.group(1))
        return (f"\\nmfit{{{0 if in_float else 1}}}{{{spec}}}{{{xspec}}}"
                f"{{%\n{head.strip()}\n}}{{%\n{stacked.strip()}\n}}{{%\n{rest.strip()}\n}}")

    return re.sub(r"\\begin\{longtable\}\[\]\{(.*?)\}\n(.*?)\\end\{longtable\}", convert, latex,
                  flags=re.DOTALL)


def postprocess(latex: str) -> str:
    latex = re.sub(r"\\protect\\hyperlink\{([^}]*)\}\{", r"\\hyperref[\1]{", latex)
    latex = re.sub(r"\\hyperlink\{([^}]*)\}\{", r"\\hyperref[\1]{", latex)
    return latex


class Converter:
    """Collect Markdown fragments, convert them together, substitute the results."""

    def __init__(self) -> None:
        self.fragments: list[tuple[str, bool, bool, str, bool]] = []  # markdown, inline, table, where, link
        self.latex: list[str] = []

    def add(self, markdown: str, inline: bool = False, table: bool = False, where: str = "report",
            link: bool = True) -> str:
        """Token for ``markdown``; ``link=False``: no automatic Figure/Table/Question links."""
        if not markdown.strip():
            return ""
        self.fragments.append((markdown, inline, table, where, link))
        return f"@@NMFRAG{len(self.fragments) - 1}@@"

    def run(self, labels: Labels, warnings: list[str]) -> None:
        sources = [anchors_to_latex(autolink(md, labels, warnings, where) if link else md)
                   for md, _, _, where, link in self.fragments]
        joined = f"\n\n{SPLIT}\n\n".join(sources)
        pieces = pandoc(joined).split(f"\n{SPLIT}\n")
        if len(pieces) != len(sources):  # a fragment swallowed a marker: convert one by one
            pieces = [pandoc(s) for s in sources]
        self.latex = []
        for (_, inline, table, _, _), tex in zip(self.fragments, pieces, strict=True):
            tex = postprocess(tex.strip())
            tex = tabularize(tex, in_float=table)
            if inline:
                tex = re.sub(r"\s*\n\s*\n\s*", " ", tex)
            self.latex.append(tex)

    def resolve(self, text: str) -> str:
        for _ in range(3):  # fragments never hold tokens, but floats hold caption tokens
            if "@@NMFRAG" not in text:
                break
            text = TOKEN.sub(lambda m: self.latex[int(m.group(1))], text)
        return text


def pandoc(markdown: str) -> str:
    try:
        proc = subprocess.run(
            ["pandoc", "-f", PANDOC_FROM, "-t", "latex", "--top-level-division=chapter", "--wrap=preserve"],
            input=markdown, capture_output=True, text=True, check=False,
        )
    except FileNotFoundError as err:
        raise ReportError("pandoc: not found; run `make report` (it installs the TeX toolchain)") from err
    if proc.returncode != 0:
        raise ReportError(f"pandoc failed: {proc.stderr.strip()}")
    return proc.stdout
