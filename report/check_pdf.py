"""Checks of the built report (run by .ci/run after `make report`)."""

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
PDF = HERE / "build" / "neural-models-report.pdf"
METADATA = json.loads((HERE / "metadata.json").read_text())
NOTEBOOKS = [HERE.parent / "notebooks" / name for name in METADATA["notebooks"]]
QUESTIONS = ["Question 2.1", "Question 2.2", "Question 2.3", "Question 3.1", "Question 3.2",
             "Question 3.3", "Question 3.4", "Question 3.5"]


@pytest.fixture(scope="module")
def reader():
    assert PDF.exists(), f"{PDF} was not built; run make report"
    return PdfReader(PDF)


@pytest.fixture(scope="module")
def text(reader):
    # pdf text breaks lines anywhere; join with spaces and fold runs of space
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def figure_outputs() -> int:
    count = 0
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if "remove_cell" in cell.get("metadata", {}).get("tags", []):
                continue
            count += sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    return count


def test_has_title_page_and_contents(reader, text):
    first = reader.pages[0].extract_text()
    assert "Single-neuron models" in first
    assert "Contents" in reader.pages[1].extract_text()
    assert len(reader.outline) >= 5  # chapters in the PDF bookmarks


@pytest.mark.parametrize("heading", [*QUESTIONS, "Corrections to the 2020 solution", "References"])
def test_every_question_and_chapter_is_present(text, heading):
    assert heading in text


def test_chapters_in_order(text):
    positions = [text.find(h) for h in ("Leaky integrate-and-fire neuron", "Izhikevich neuron",
                                        "Hodgkin-Huxley neuron", "Corrections to the 2020 solution")]
    body = [text.find(h, text.find("Chapter 1")) for h in ("Question 2.1", "Question 3.4", "Question 3.5")]
    assert all(p >= 0 for p in positions + body)
    assert body == sorted(body)


def test_every_figure_is_in_the_pdf(reader):
    images = sum(len(page.images) for page in reader.pages)
    assert images >= figure_outputs() > 0


@pytest.mark.parametrize("bad", ["Traceback", "Error", "\\begin", "$$", "??"])
def test_no_leaked_markup_or_errors(text, bad):
    assert bad not in text


def test_interactive_cells_are_left_out(text):
    assert "interact(" not in text
