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
LONG_TABLE_ROWS = 40
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
        if label not in labels.defined:
            warnings.append(f"{where}: mentions {kind} {number}, but no **{kind} {number}.** caption exists")
            return m.group(0)
        return f"[{kind} {number}](#{label})" + (m.group(0)[len(kind) + 1 + len(number):])

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


X_COLUMN = {"l": ">{\\raggedright\\arraybackslash\\hspace{0pt}}X",
            "r": ">{\\raggedleft\\arraybackslash\\hspace{0pt}}X",
            "c": ">{\\centering\\arraybackslash\\hspace{0pt}}X"}


def tabularize(latex: str, in_float: bool = False) -> str:
    """Pandoc's longtables as booktabs tables that never split across pages.

    A table of ``l``/``r``/``c`` columns becomes ``\\nmfit{spec}{X spec}{body}``:
    a plain ``tabular`` when it fits the text width, else a full-width
    ``tabularx`` whose cells (headers included) wrap. Only a table of more
    than ``LONG_TABLE_ROWS`` rows outside a float stays a longtable.
    """

    def convert(m: re.Match) -> str:
        spec, body = m.group(1), m.group(2)
        rows = body.count("\\\\")
        if rows > LONG_TABLE_ROWS and not in_float:
            return m.group(0)
        body = re.sub(r"^\\(endhead|endfirsthead|endfoot|endlastfoot)\s*$\n?", "", body, flags=re.MULTILINE)
        body = re.sub(r"^\\caption.*\n", "", body, flags=re.MULTILINE)
        simple = re.fullmatch(r"@\{\}([lrc]+)@\{\}", spec)
        if simple:
            xspec = "@{}" + "".join(X_COLUMN[c] for c in simple.group(1)) + "@{}"
            table = f"\\nmfit{{{spec}}}{{{xspec}}}{{%\n{body.strip()}\n}}"
        else:
            table = f"\\begin{{tabular}}{{{spec}}}{body}\\end{{tabular}}"
        if in_float:
            return "{\\small\n" + table + "\n}"
        return "\\begin{nmtable}\n" + table + "\n\\end{nmtable}"

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
