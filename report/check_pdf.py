"""Checks of the built report, run by .ci/run after `make report` (and CODE=1, FULL=1).

Run: .venv/bin/python -m pytest -q report/check_pdf.py   (or python report/check_pdf.py)

* the LaTeX log: no overfull line wider than 5 pt, no duplicate label;
* the PDF text: no wrap arrows, no leaked markup, every question Q2.1-Q3.5
  restated in a box and listed in "Answers at a glance" with a link to the
  page of its box;
* every figure has a caption ("Figure N.M: ..."), one caption per image;
* PDF metadata: Title and Author set; the default report has at most
  ``MAX_PAGES`` pages;
* every page rendered (pdftoppm): none more than two thirds blank, except the
  title page and chapter ends (the page before a chapter starts, the last page).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
PDF = BUILD / "neural-models-report.pdf"
CODE_PDF = BUILD / "neural-models-report-with-code.pdf"
FULL_PDF = BUILD / "neural-models-report-full.pdf"
LOGS = {PDF: BUILD / "tex" / "report.log", CODE_PDF: BUILD / "tex-code" / "report.log",
        FULL_PDF: BUILD / "tex-full" / "report.log"}
QUESTIONS = ["2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "3.5"]
#: Issue 13: the default report (three chapters, corrections, validation, references;
#: front matter included) has at most 25 pages. Sections beyond the questions are tagged
#: report-full in the notebooks and only the full report (make report FULL=1) keeps them.
MAX_PAGES = 25
OVERFULL_LIMIT_PT = 5.0
WRAP_MARKS = "↪↩⤶⤷↵"
#: Text block of the template (A4, 297 mm high): top margin, bottom margin, mm.
TOP_MM, BOTTOM_MM, PAGE_MM = 21.0, 24.0, 297.0
RENDER_DPI = 40
#: A white gap counts as blank when taller than this (two lines of 11 pt text).
GAP_PT = 28.0
MAX_BLANK = 2.0 / 3.0


def pdfs() -> list[Path]:
    return [p for p in (PDF, CODE_PDF, FULL_PDF) if p.exists()]


@pytest.fixture(scope="module")
def reader():
    assert PDF.exists(), f"{PDF} was not built; run make report"
    return PdfReader(PDF)


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return " ".join(pages)


def glance_range(pages: list[str]) -> range:
    start = next(i for i, p in enumerate(pages) if "Answers at a glance" in p and "Contents" not in p)
    end = next(i for i, p in enumerate(pages) if i > start and re.search(r"\b1 \S", p[:80]))
    return range(start, end)


def link_targets(reader: PdfReader, index: int) -> set[int]:
    """Page indices the link annotations of page ``index`` point to."""
    targets = set()
    named = reader.named_destinations
    for annot in reader.pages[index].get("/Annots") or []:
        annot = annot.get_object()
        dest = annot.get("/Dest")
        action = annot.get("/A")
        if dest is None and action is not None:
            dest = action.get_object().get("/D")
        if dest is None:
            continue
        if isinstance(dest, str) or hasattr(dest, "original_bytes"):
            dest = named.get(str(dest))
            if dest is None:
                continue
            targets.add(reader.get_destination_page_number(dest))
        else:
            targets.add(reader.get_page_number(dest[0].get_object()) if hasattr(dest[0], "get_object")
                        else int(dest[0]))
    return targets


# -- log --------------------------------------------------------------------------
@pytest.mark.parametrize("pdf", pdfs(), ids=lambda p: p.name)
def test_no_overfull_lines_or_duplicate_labels(pdf):
    log = LOGS[pdf].read_text(encoding="utf-8", errors="replace")
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide\)", log)]
    assert max(overfull, default=0.0) <= OVERFULL_LIMIT_PT, f"overfull lines (pt): {overfull}"
    assert "multiply defined" not in log


@pytest.mark.parametrize("pdf", pdfs(), ids=lambda p: p.name)
def test_no_wrap_arrows(pdf):
    body = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert not [c for c in WRAP_MARKS if c in body]


# -- content ------------------------------------------------------------------------
def test_title_page_and_metadata(reader, pages):
    meta = reader.metadata
    assert meta.title and meta.title.startswith("Single-neuron models")
    assert meta.author and meta.author.strip()
    assert "Student ID" in pages[0] and "Course" in pages[0]
    assert reader.page_labels[0] != "1"  # the title page is front matter
    assert "Contents" in pages[0]  # the contents follow the title block


def test_page_count_within_target(reader):
    assert len(reader.pages) <= MAX_PAGES


@pytest.mark.parametrize("number", QUESTIONS)
def test_question_restated_and_in_the_answers_at_a_glance(reader, pages, number):
    title = re.compile(rf"Question {re.escape(number)}\b")
    glance = glance_range(pages)
    glance_text = " ".join(pages[i] for i in glance)
    assert title.search(glance_text), f"Question {number} is not on the Answers at a glance page"
    m = re.search(rf"Question {re.escape(number)}\b.*?p\. ?(\d+)", glance_text)
    assert m, f"no page number for Question {number} on the glance page"
    labels = reader.page_labels
    target = labels.index(m.group(1))
    assert title.search(pages[target]), f"Question {number} not on page {m.group(1)}"
    assert target in set().union(*(link_targets(reader, i) for i in glance)), \
        f"no link from the glance page to page {m.group(1)}"


def test_every_figure_has_a_caption(reader, text):
    """One captioned figure label per image, and each caption printed ("Figure N.M: ...")."""
    images = sum(len(page.images) for page in reader.pages)
    aux = (LOGS[PDF].with_suffix(".aux")).read_text(encoding="utf-8", errors="replace")
    labels = set(re.findall(r"\\newlabel\{fig:(\d+\.\d+)\}", aux))
    printed = set(re.findall(r"Figure (\d+\.\d+):", text))
    assert images > 0
    assert images == len(labels), f"{images} images but {len(labels)} captioned figures"
    assert labels <= printed, f"captions missing from the text: {sorted(labels - printed)}"


def test_chapters_in_order(reader):
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    heads = ["Answers at a glance", "Leaky integrate-and-fire", "Izhikevich", "Hodgkin-Huxley", "Corrections",
             "References"]
    order = [next((i for i, t in enumerate(titles) if h in t), -1) for h in heads]
    assert -1 not in order and order == sorted(order), titles


@pytest.mark.parametrize("bad", ["Traceback", "\\begin", "$$", "??", "@@NMFRAG", "interact("])
def test_no_leaked_markup_or_errors(text, bad):
    assert bad not in text


# -- layout -------------------------------------------------------------------------
def section_titles(outline) -> set[str]:
    titles = set()
    for item in outline:
        if isinstance(item, list):
            titles |= section_titles(item)
        else:
            titles.add(re.sub(r"\s+", " ", item.title).strip())
    return titles


def test_no_heading_at_a_page_foot(reader):
    titles = section_titles(reader.outline)
    orphans = []
    for index in range(len(reader.pages)):
        text = subprocess.run(["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(PDF), "-"],
                              capture_output=True, text=True, check=True).stdout
        lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]
        if len(lines) >= 2 and lines[-2] in titles:  # the last line is the page number
            orphans.append((reader.page_labels[index], lines[-2]))
    assert not orphans, f"headings at a page foot: {orphans}"


def chapter_starts(reader: PdfReader) -> set[int]:
    return {reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)}


def test_no_page_more_than_two_thirds_blank(reader):
    fractions = render_fractions(PDF, len(reader.pages))
    starts = chapter_starts(reader)
    exempt = {0, len(reader.pages) - 1} | {s - 1 for s in starts}
    labels = reader.page_labels
    bad = [(labels[i], round(f, 2)) for i, f in enumerate(fractions) if i not in exempt and f > MAX_BLANK]
    assert not bad, f"pages more than two thirds blank (page label, blank fraction): {bad}"


def render_fractions(pdf: Path, n_pages: int) -> list[float]:
    """Blank fraction of each page, rendering one page at a time (PGM to stdout)."""
    from PIL import Image

    fractions = []
    for page in range(1, n_pages + 1):
        out = subprocess.run(["pdftoppm", "-gray", "-r", str(RENDER_DPI), "-f", str(page), "-l", str(page),
                              str(pdf)], capture_output=True, check=True).stdout
        pix = np.asarray(Image.open(io.BytesIO(out)))
        fractions.append(blank_fraction(pix))
    return fractions


def blank_fraction(pix: np.ndarray) -> float:
    rows = pix.shape[0]
    top = int(rows * TOP_MM / PAGE_MM)
    bottom = int(rows * (1 - BOTTOM_MM / PAGE_MM))
    white = (pix[top:bottom] > 245).all(axis=1)
    gap = round(GAP_PT / 72.0 * RENDER_DPI)
    blank, run = 0, 0
    for w in np.append(white, False):
        if w:
            run += 1
        else:
            blank += run if run >= gap else 0
            run = 0
    return blank / white.size


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
