"""Assemble the executed notebooks into the grader's PDF report.

The notebooks are not re-executed: their stored outputs are what nbval checks.
Steps:

1. read the notebooks and report/*.md, and read every cell by the conventions
   of report/AUTHORING.md (cells.py): questions, answers, summaries, captioned
   figures and tables, anchors and links, checked as they are read;
2. convert all Markdown with one pandoc call (texify.py) and export LaTeX with
   nbconvert and report/template/neural_models.tex.j2;
3. run xelatex until the cross-references settle, check the log and the
   figure and table numbers LaTeX assigned, and write the PDF.

The previous PDF is removed first, so a failed build leaves no PDF behind; a
failing step names itself and, for a LaTeX error, the notebook cell.

Conventions beyond report/AUTHORING.md that the build implements:

* links: ``[text](#key)`` goes to the LaTeX label ``key``. Labels made for
  you: ``ch:N`` (chapter N), ``sec:N:slug`` (each ``##`` heading of chapter N,
  slug = the heading in lower case, runs of other characters as ``-``:
  "The 2020 initial-condition error" in chapter 3 is
  ``sec:3:the-2020-initial-condition-error``), ``q:X.Y`` (``q:X.Ya`` for
  "Question X.Y (a)"), ``fig:N.M``, ``tab:N.M``; your own with
  ``<a id="key"></a>`` anywhere in a Markdown cell. The build fails on a link
  to an undefined label and on a ``#ref-...`` key with no entry in
  report/references.md;
* plain mentions "Figure N.M", "Table N.M", "Question X.Y", "Chapter N" in
  prose become links (not in headings, code, math or existing links);
* the first Markdown table of a cell followed by a ``**Table N.M.**`` caption
  cell may also be a Markdown cell's own table; tables never split (a table
  too wide for the page wraps its cells at full width);
* ``**Answer (a).**`` / ``> **Question X.Y (a).**`` for parts;
* Markdown is read as CommonMark (as Jupyter does): "(a)" does not start a
  list, and a number at a line start does not either unless it is 1;
* text/latex outputs are copied into the LaTeX as they are.

* a ``##`` heading cell tagged ``report-full`` starts a section (up to the
  next ``##`` heading) that only the full report (``--full``) keeps; links and
  mentions of its labels elsewhere become text marked with a dagger, and
  the glance page names the sections left out.

Usage: python report/build.py [--code] [--full] [--output PATH] [--notebooks DIR]
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import io
import itertools
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# jsonschema (imported by nbformat) builds a Lark grammar for the optional
# rfc3987_syntax IRI check at import: 7 s here, for a check notebooks never use.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from cells import (  # noqa: E402
    IMAGE_TYPES,
    Dropped,
    GlanceEntry,
    Labels,
    ReportError,
    classify_chapter,
    classify_extra,
    code_appendix,
    full_only_sections,
    section_slug,
)
from nbconvert.exporters import LatexExporter  # noqa: E402
from nbconvert.filters import escape_latex  # noqa: E402
from texify import Converter  # noqa: E402

BUILD = HERE / "build"
DEFAULT_OUTPUT = BUILD / "neural-models-report.pdf"
CODE_OUTPUT = BUILD / "neural-models-report-with-code.pdf"
MAX_PASSES = 4
#: report/*.md chapters after the notebooks, in order (validation.md only if present).
EXTRA_CHAPTERS = ("corrections.md", "validation.md", "references.md")
METADATA_FIELDS = ("title", "subtitle", "student_name", "student_id", "course", "date")
PLACEHOLDER = re.compile(r"^\s*<.*>\s*$")
OVERFULL_LIMIT_PT = 5.0

BuildError = ReportError


def text_width_inches() -> float:
    """TEXT_WIDTH of neurohelpers/plotting/style.py (loaded alone: no numba import)."""
    path = ROOT / "neurohelpers" / "plotting" / "style.py"
    spec = importlib.util.spec_from_file_location("_nm_style", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return float(module.TEXT_WIDTH)


@dataclass
class Config:
    """What to build from and where to write it."""

    notebooks: list[Path]
    report_dir: Path = HERE
    metadata: dict = field(default_factory=dict)
    output: Path = DEFAULT_OUTPUT
    workdir: Path = BUILD / "tex"
    code: bool = False
    full: bool = False  # keep the sections tagged report-full


_T0 = time.perf_counter()


def step(number: int, total: int, text: str) -> None:
    print(f"[report {number}/{total}, {time.perf_counter() - _T0:4.1f} s] {text}", flush=True)


def load_metadata(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        meta = json.load(fh)
    missing = [key for key in (*METADATA_FIELDS, "notebooks") if key not in meta]
    if missing:
        raise BuildError(f"{path}: missing fields {', '.join(missing)}")
    return meta


def placeholders(meta: dict) -> list[str]:
    """The title-page fields still holding a ``<...>`` placeholder."""
    return [key for key in METADATA_FIELDS if PLACEHOLDER.match(str(meta.get(key, "")))]


def title_metadata(meta: dict, text_width: float) -> dict:
    tex = {key: escape_latex(str(meta.get(key, ""))) for key in METADATA_FIELDS}
    plain = {key: str(meta.get(key, "")).replace("\\", "").replace("{", "").replace("}", "")
             for key in METADATA_FIELDS}
    return {**tex, "pdf_title": plain["title"], "pdf_author": plain["student_name"],
            "pdf_subject": plain["course"], "text_width": f"{text_width:.4f}"}


def image_size(output, text_width: float, where: str, warnings: list[str]) -> dict | None:
    """Print width of an image output: its own size, or the text width if wider."""
    mime = next((m for m in IMAGE_TYPES if m in output.get("data", {})), None)
    if mime is None:
        return None
    if mime == "application/pdf":
        return {"mime": mime, "width": "\\linewidth"}
    from PIL import Image

    data = output["data"][mime]
    raw = base64.b64decode(data if isinstance(data, str) else "".join(data))
    with Image.open(io.BytesIO(raw)) as img:
        px = img.size[0]
        dpi = float(img.info.get("dpi", (72.0, 72.0))[0]) or 72.0
    inches = px / dpi
    if dpi < 199:
        warnings.append(f"{where}: figure at {dpi:.0f} dpi (the report wants 200; "
                        "call nh.plotting.use_style())")
    if inches > text_width * 1.03:
        warnings.append(f"{where}: figure {inches:.2f} in wide, printed at {100 * text_width / inches:.0f}% "
                        f"(its text shrinks); draw it at nh.plotting.TEXT_WIDTH = {text_width} in")
        return {"mime": mime, "width": "\\linewidth"}
    return {"mime": mime, "width": f"{min(inches, text_width):.3f}in"}


def glance_latex(entries: list[GlanceEntry]) -> str:
    items = []
    for e in entries:
        answer = " ".join(e.answers) if e.answers else "\\textit{(no answer cell yet)}"
        items.append(f"\\nmglanceitem{{{e.label}}}{{{e.title}}}{{{e.question}}}{{{answer}}}")
    return "\n".join(items)


def keep_heading_with_question(cells: list) -> None:
    """A section heading right before a question box asks for the box's height too,
    so the heading never stays behind at a page foot when the box moves on."""
    for cell, after in itertools.pairwise(cells):
        latex = cell.metadata["nm"].get("latex", "")
        if after.metadata["nm"].get("role") == "question" and latex.lstrip().startswith("\\section"):
            lines = 6 + len(after.source) // 80 + after.source.count("\n\n")
            cell.metadata["nm"]["latex"] = f"\\Needspace{{{min(lines, 30)}\\baselineskip}}\n" + latex


FULL_MARKER = "<!-- report-full -->"


def drop_full_only_markdown(text: str, chapter: int) -> tuple[str, list[Dropped]]:
    """A report/*.md chapter without its sections marked ``<!-- report-full -->``.

    The marker stands on the line before a ``##`` heading; the section runs to
    the next ``##`` heading or the end of the file.
    """
    lines = text.split("\n")
    kept, sections, skipping = [], [], False
    for index, line in enumerate(lines):
        heading = line.startswith("## ")
        if heading:
            skipping = index > 0 and lines[index - 1].strip() == FULL_MARKER
            if skipping:
                title = line[3:].strip()
                sections.append(Dropped(chapter, title, [f"sec:{chapter}:{section_slug(title)}"]))
        if line.strip() == FULL_MARKER:
            continue
        if not skipping:
            kept.append(line)
    return "\n".join(kept), sections


def cited_references_only(text: str, targets: set[str]) -> str:
    """references.md without the entries nothing in the report links to."""
    out, keep = [], True
    for line in text.split("\n"):
        if line.startswith("- "):
            anchor = re.search(r'<a id="([^"]+)"></a>', line)
            keep = anchor is None or anchor.group(1) in targets
        elif not line.startswith(" "):
            keep = True
        if keep:
            out.append(line)
    return "\n".join(out)


def full_report_note(dropped: list, chapters: list) -> str:
    """The glance page's sentence naming the sections only the full report has."""
    if not dropped:
        return ""
    by_chapter: dict[int, list[str]] = {}
    for section in dropped:
        by_chapter.setdefault(section.chapter, []).append(escape_latex(section.title))
    parts = [f"Chapter {n} ({'; '.join(titles)})" for n, titles in by_chapter.items()]
    return ("This report answers the questions. Further sections go beyond them: "
            + ", ".join(parts) + ". The full report, \\texttt{make report FULL=1}, has them all; "
            "where this report mentions them, they are marked †.")


def assemble(config: Config, text_width: float) -> tuple[nbformat.NotebookNode, Labels, list[str]]:
    """One notebook for nbconvert: the chapters, report/*.md, the appendix if asked."""
    conv = Converter()
    labels = Labels()
    glance: list[GlanceEntry] = []
    warnings: list[str] = []
    merged = nbformat.v4.new_notebook()
    chapters = []
    notebooks, skipped, dropped = [], [], []
    for number, path in enumerate(config.notebooks, start=1):
        if not path.exists():
            raise BuildError(f"reading notebooks: {path} is missing")
        nb = nbformat.read(path, as_version=4)
        skip, sections = full_only_sections(nb, number)
        notebooks.append(nb)
        skipped.append(set() if config.full else skip)
        dropped.extend([] if config.full else sections)
    for section in dropped:  # every chapter may mention a left-out section, before or after it
        labels.dropped.update(dict.fromkeys(section.labels, section.title))
    chapters_in = zip(config.notebooks, notebooks, skipped, strict=True)
    for number, (path, nb, skip) in enumerate(chapters_in, start=1):
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        if code and not any(c.get("outputs") for c in code):
            raise BuildError(f"reading notebooks: {path.name} has no stored outputs; execute it first")
        source = f"notebooks/{path.name}"
        cells, title = classify_chapter(number, path.name, nb, conv, labels, glance, warnings, source,
                                        skip=skip)
        chapters.append((title or path.stem, cells))
        for cell in cells:
            for out in cell.get("outputs", []):
                size = image_size(out, text_width, cell.metadata["nm"]["where"], warnings)
                if size:
                    out.setdefault("metadata", {})["nm_image"] = size
        merged.cells.extend(cells)
    number = len(config.notebooks)
    for name in EXTRA_CHAPTERS:
        path = config.report_dir / name
        if not path.exists():
            if name == "validation.md":
                continue
            raise BuildError(f"reading {path}: missing")
        number += 1
        text = path.read_text(encoding="utf-8")
        if not config.full:
            text, sections = drop_full_only_markdown(text, number)
            dropped.extend(sections)
        if name == "references.md" and not config.full:
            text = cited_references_only(text, {target for target, _ in labels.links})
        merged.cells.append(classify_extra(number, f"report/{name}", text,
                                           conv, labels, warnings, references=name == "references.md"))
    if config.code:
        merged.cells.extend(code_appendix(chapters, conv))
    labels.check()
    conv.run(labels, warnings)
    seen: set[str] = set()
    first_chapter_seen = False
    for index, cell in enumerate(merged.cells):
        nm = cell.metadata["nm"]
        if "latex" in nm:
            nm["latex"] = conv.resolve(nm["latex"])
            if nm["where"] == "report/references.md":  # the list in the small size of notes
                nm["latex"] = "{\\small\n" + nm["latex"] + "\n}"
            if "\\chapter{" in nm["latex"]:
                if first_chapter_seen:  # later chapters run on when the page has room
                    nm["latex"] = nm["latex"].replace("\\chapter{", "\\nmrunonchapter{", 1)
                first_chapter_seen = True
        for kind in ("figure", "table"):
            if nm.get(kind):
                nm[kind]["caption"] = conv.resolve(nm[kind]["caption"])
        for out in cell.get("outputs", []):
            if "nm_latex" in out.get("metadata", {}):
                out["metadata"]["nm_latex"] = conv.resolve(out["metadata"]["nm_latex"])
        base = cell.get("id") or f"cell-{index}"
        unique, k = base, 1
        while unique in seen:
            unique, k = f"{base}-{k}", k + 1
        cell.id = unique
        seen.add(unique)
    keep_heading_with_question(merged.cells)
    meta = title_metadata(config.metadata, text_width)
    meta["glance"] = conv.resolve(glance_latex(glance))
    meta["full_note"] = full_report_note(dropped, chapters)
    merged.metadata["nm"] = meta
    merged.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    merged.metadata["language_info"] = {"name": "python"}
    return merged, labels, warnings


def export_latex(nb: nbformat.NotebookNode, workdir: Path) -> Path:
    exporter = LatexExporter(
        extra_template_paths=[str(HERE / "template")],
        template_file="neural_models.tex.j2",
    )
    body, resources = exporter.from_notebook_node(nb, resources={"output_files_dir": "figures"})
    tex = workdir / "report.tex"
    tex.write_text(body, encoding="utf-8")
    for name, data in resources.get("outputs", {}).items():
        target = workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return tex


# -- locating LaTeX errors ------------------------------------------------------
def cell_at_line(tex_lines: list[str], line: int) -> str:
    """The cell marker comment nearest above ``line`` (1-based) of the .tex file."""
    marker = "(before the first cell)"
    for text in tex_lines[:line]:
        if text.startswith("% nm-cell "):
            marker = text[len("% nm-cell "):]
    return marker


def line_of_snippet(tex_lines: list[str], snippet: str) -> int | None:
    """The line of report.tex where ``snippet`` (as TeX shows it in the log) starts.

    TeX prints tokens with its own spacing (``\\frac {``) and without comments,
    so both sides are compared with comments and all white space removed; a
    shorter start of the snippet is tried if the whole is not found.
    """
    needle = re.sub(r"\s+", "", snippet.replace("\\ETC.", "").replace("\\par", ""))
    flat, owner = [], []
    for number, text in enumerate(tex_lines, start=1):
        for ch in re.sub(r"(?<!\\)%.*$", "", text):
            if not ch.isspace():
                flat.append(ch)
                owner.append(number)
    haystack = "".join(flat)
    for size in (40, 24, 12):
        if len(needle[:size]) < 4:
            break
        at = haystack.find(needle[:size])
        if at >= 0:
            return owner[at]
    return None


def locate_error(log: str, tex: str) -> tuple[str, str, str]:
    """(message, report.tex line, cell) of the first LaTeX error in ``log``."""
    first = re.search(r"^! (.*)$", log, re.MULTILINE)
    message = first.group(1) if first else "xelatex failed"
    lines = tex.splitlines()
    runaway = re.search(r"^Runaway argument\?\s*\n(.+)$", log, re.MULTILINE)
    line = None
    if runaway:
        line = line_of_snippet(lines, runaway.group(1))
        message = f"runaway argument ({message})"
    if line is None:
        where = re.search(r"^l\.(\d+)", log[first.start():] if first else log, re.MULTILINE)
        if where:
            line = int(where.group(1))
    if line is None:
        return message, "?", "unknown cell (see the log)"
    return message, str(line), cell_at_line(lines, line)


def run_xelatex(tex: Path) -> Path:
    """xelatex (no PDF) until the cross-references settle, then xdvipdfmx once."""
    for tool in ("xelatex", "xdvipdfmx"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool}: not found; run `make report` (it installs TeX) or install "
                             "texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc")
    log = tex.with_suffix(".log")
    pdf = tex.with_suffix(".pdf")
    xdv = tex.with_suffix(".xdv")
    aux = tex.with_suffix(".aux")
    labels_before = ""
    for n in range(1, MAX_PASSES + 1):
        print(f"    xelatex pass {n} ({time.perf_counter() - _T0:.1f} s)", flush=True)
        proc = subprocess.run(
            ["xelatex", "-no-pdf", "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tex.parent, capture_output=True, text=True, errors="replace",
        )
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else proc.stdout
        if proc.returncode != 0:
            xdv.unlink(missing_ok=True)  # no partial output left behind
            pdf.unlink(missing_ok=True)
            message, line, cell = locate_error(text, tex.read_text(encoding="utf-8"))
            raise BuildError(f"xelatex pass {n}: {message} (report.tex line {line}, cell {cell}); "
                             f"full log: {log}")
        # hyperref takes the PDF page labels from the previous pass's .aux: one
        # more pass if they moved (the contents grew the front matter)
        page_labels = "\n".join(re.findall(r"^\\HyPL@Entry.*$", aux.read_text(errors="replace"),
                                            re.MULTILINE))
        settled = page_labels == labels_before
        labels_before = page_labels
        if n >= 2 and settled and not re.search(r"Rerun to get|Label\(s\) may have changed", text):
            break
    print(f"    xdvipdfmx ({time.perf_counter() - _T0:.1f} s)", flush=True)
    proc = subprocess.run(["xdvipdfmx", "-q", "-z", "1", xdv.name], cwd=tex.parent, capture_output=True,
                          text=True, errors="replace")
    if proc.returncode != 0 or not pdf.exists():
        pdf.unlink(missing_ok=True)
        raise BuildError(f"xdvipdfmx: {proc.stderr.strip() or 'failed'}")
    return pdf


def check_log(log: Path) -> list[str]:
    """Fail on missing glyphs, undefined or duplicate labels; list overfull boxes."""
    text = log.read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (\S+)", text)))
    if missing:
        raise BuildError(f"typography check: glyphs missing from the fonts: {' '.join(missing)} (see {log})")
    undefined = re.findall(r"LaTeX Warning: (Reference|Citation) `([^']+)' .*undefined", text)
    if undefined:
        raise BuildError(f"typography check: undefined references {sorted(set(undefined))} (see {log})")
    duplicate = re.findall(r"LaTeX Warning: Label `([^']+)' multiply defined", text)
    if duplicate:
        raise BuildError(f"typography check: labels defined twice: {sorted(set(duplicate))} (see {log})")
    return [f"overfull line by {m}pt (report.tex line {line})"
            for m, line in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide\) .*? lines? (\d+)", text)
            if float(m) > OVERFULL_LIMIT_PT]


def check_numbers(aux: Path, labels: Labels) -> None:
    """Each fig:N.M / tab:N.M label must be the number LaTeX gave it."""
    text = aux.read_text(encoding="utf-8", errors="replace")
    for label, number in re.findall(r"\\newlabel\{((?:fig|tab):[\d.]+)\}\{\{([^}]*)\}", text):
        declared = label.split(":", 1)[1]
        if number != declared:
            raise BuildError(f"{labels.defined.get(label, label)}: caption says {declared}, "
                             f"but LaTeX numbered it {number} (another figure or table comes before it)")


def label_page(aux_text: str, label: str) -> int | None:
    m = re.search(r"\\newlabel\{" + re.escape(label) + r"\}\{\{[^}]*\}\{(\d+)\}", aux_text)
    return int(m.group(1)) if m else None


def page_counts(pdf: Path, aux: Path) -> tuple[int, int]:
    """(pages in all, pages of the code appendix)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    total = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    text = aux.read_text(encoding="utf-8", errors="replace")
    start, last = label_page(text, "ch:code"), label_page(text, "nm:last")
    return total, (last - start + 1 if start and last else 0)


def build(config: Config) -> Path:
    """Build the PDF at ``config.output``; raise BuildError naming the failing step."""
    total = 4
    started = time.perf_counter()
    config.output.unlink(missing_ok=True)  # a failed build must not leave a stale PDF
    text_width = text_width_inches()
    step(1, total, f"reading {', '.join(p.name for p in config.notebooks)} and report/*.md")
    nb, labels, warnings = assemble(config, text_width)
    if config.workdir.exists():
        shutil.rmtree(config.workdir)
    config.workdir.mkdir(parents=True)
    step(2, total, f"exporting LaTeX{' with the code appendix' if config.code else ''} to {config.workdir}")
    try:
        tex = export_latex(nb, config.workdir)
    except Exception as err:  # template failure: name the step and cause
        raise BuildError(f"LaTeX export: {type(err).__name__}: {err}") from err
    step(3, total, "running xelatex")
    pdf = run_xelatex(tex)
    step(4, total, "checking the log and the figure and table numbers")
    try:
        warnings += check_log(tex.with_suffix(".log"))
        check_numbers(tex.with_suffix(".aux"), labels)
    except BuildError:
        pdf.unlink(missing_ok=True)
        raise
    config.output.parent.mkdir(parents=True, exist_ok=True)
    partial = config.output.with_name(config.output.name + ".partial")
    shutil.copyfile(pdf, partial)
    partial.replace(config.output)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    pages, appendix = page_counts(config.output, tex.with_suffix(".aux"))
    print(f"report written: {config.output} ({pages} pages"
          + (f", of which {appendix} the code appendix" if appendix else "")
          + f"; {time.perf_counter() - started:.1f} s)")
    todo = placeholders(config.metadata)
    if todo:
        print(f"note: report/metadata.json still holds placeholders for {', '.join(todo)}: "
              "fill them in (your name, student ID, course, date) before handing the report in.")
    return config.output


def output_path(code: bool, full: bool) -> Path:
    """build/neural-models-report[-full][-with-code].pdf"""
    if not full:
        return CODE_OUTPUT if code else DEFAULT_OUTPUT
    return BUILD / ("neural-models-report-full" + ("-with-code" if code else "") + ".pdf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", action="store_true", help="add the code appendix (make report CODE=1)")
    parser.add_argument("--full", action="store_true",
                        help="keep the sections beyond the questions (make report FULL=1)")
    parser.add_argument("--output", type=Path, default=None, help="where to write the PDF")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="folder of the executed notebooks (default: notebooks/)")
    args = parser.parse_args(argv)
    try:
        meta = load_metadata(HERE / "metadata.json")
        config = Config(
            notebooks=[args.notebooks / name for name in meta["notebooks"]],
            metadata=meta,
            output=args.output or output_path(args.code, args.full),
            workdir=BUILD / ("tex" + ("-full" if args.full else "") + ("-code" if args.code else "")),
            code=args.code,
            full=args.full,
        )
        build(config)
    except BuildError as err:
        print(f"report build failed: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
