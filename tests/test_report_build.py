"""The report build (report/build.py, cells.py, texify.py) on small synthetic notebooks.

The fast tests check how cells are read (no LaTeX); the slow ones run xelatex:
a full build, and a failing build that must name the cell and leave no PDF.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

REPORT = Path(__file__).resolve().parents[1] / "report"
sys.path.insert(0, str(REPORT))

import build  # noqa: E402
from cells import ReportError, shorten  # noqa: E402

HAVE_TEX = shutil.which("xelatex") is not None and shutil.which("pandoc") is not None
HAVE_PANDOC = shutil.which("pandoc") is not None
META = {"title": "Synthetic report", "subtitle": "test", "student_name": "Ada Lovelace",
        "student_id": "12345", "course": "Neuro 101", "date": "1 January 2026",
        "notebooks": ["01_a.ipynb", "02_b.ipynb"]}


def png_bytes(width_in: float = 3.0, height_in: float = 1.0, dpi: int = 200) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (int(width_in * dpi), int(height_in * dpi)), (40, 90, 160))
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def figure_cell(source: str = "fig = nh.plotting.trace_figure(res, I)"):
    import base64

    cell = new_code_cell(source)
    cell.outputs = [new_output("display_data", data={"image/png": base64.b64encode(png_bytes()).decode(),
                                                    "text/plain": "<Figure>"})]
    return cell


def table_cell():
    cell = new_code_cell("nh.tables.markdown_table(headers, rows)")
    cell.outputs = [new_output("execute_result", execution_count=1, data={
        "text/markdown": "| current ($\\mu$A/cm$^2$) | rate (Hz) |\n|---:|---:|\n| 10 | 68.1 |\n"
                         "| -20 | 86 |\n| 5 | -0.203 - 0.383i |",
        "text/plain": "table"})]
    return cell


def stream_cell(text: str, tags=()):
    cell = new_code_cell("print(x)")
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def chapter_one(caption: str = "**Figure 1.1.** A trace at 1.2 nA.", extra_md: str = ""):
    setup = new_code_cell("import neurohelpers as nh\nnh.plotting.use_style()")
    setup.metadata["tags"] = ["remove_cell"]
    cells = [
        new_markdown_cell("# Leaky neuron"),
        new_markdown_cell("**Summary.** The LIF model, $\\tau_m = 10$ ms, solved exactly."),
        setup,
        new_markdown_cell('## Question 2.1: a weak current <a id="sec-weak"></a>'),
        new_markdown_cell("> **Question 2.1.** Simulate the LIF neuron with a constant current of 1.2 nA "
                          "for 200 ms. What do you see, and why?"),
        figure_cell(),
        new_markdown_cell(caption),
        new_markdown_cell("**Answer.** No spike: $V$ settles at $-53$ mV, below threshold (Figure 1.1; "
                          "[Dayan & Abbott (2001)](#ref-dayan-abbott-2001)).\n\nMore detail here."),
        stream_cell("a confirmation\n", tags=["remove_output"]),
        table_cell(),
        new_markdown_cell("**Table 1.1.** Rates per current."),
        stream_cell("rate at 3 nA: 111.9 Hz\n"),
    ]
    if extra_md:
        cells.append(new_markdown_cell(extra_md))
    nb = new_notebook(cells=cells)
    for k, cell in enumerate(nb.cells):
        cell.id = f"a-{k:03d}"
    return nb


def chapter_two() -> nbformat.NotebookNode:
    nb = new_notebook(cells=[
        new_markdown_cell("# Izhikevich neuron"),
        new_markdown_cell("**Summary.** Two variables."),
        new_markdown_cell("## Question 3.4: refractoriness"),
        new_markdown_cell("> **Question 3.4 (a).** Apply a current of 10 from 10 to 90 ms. "
                          "What refractory behaviour do you see?"),
        figure_cell(),
        new_markdown_cell("**Figure 2.1.** RS neuron; see also Question 2.1."),
        new_markdown_cell("**Answer (a).** Adaptation: intervals grow from 6 to 9 ms (Figure\n2.1)."),
        widget := new_code_cell("interact(f)"),
    ])
    widget.metadata["tags"] = ["remove_cell", "nbval-ignore-output"]
    for k, cell in enumerate(nb.cells):
        cell.id = f"b-{k:03d}"
    return nb


def make_project(tmp_path: Path, one=None, two=None, references=None) -> build.Config:
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nbformat.write(one or chapter_one(), nbdir / "01_a.ipynb")
    nbformat.write(two or chapter_two(), nbdir / "02_b.ipynb")
    rdir = tmp_path / "report"
    rdir.mkdir()
    (rdir / "corrections.md").write_text(
        "# Corrections\n\n1. The weak current: [see Question 2.1](#sec-weak).\n"
        "2. Recovery: Chapter 2, [the section](#sec:2:question-3-4-refractoriness).\n\n"
        "## Checked values\n\n| quantity | value |\n|---|---:|\n| rest | -65 |\n")
    (rdir / "references.md").write_text(references or (
        "# References\n\n- <a id=\"ref-dayan-abbott-2001\"></a>P. Dayan and L. F. Abbott (2001). "
        "*Theoretical Neuroscience.* MIT Press.\n"))
    return build.Config(notebooks=[nbdir / "01_a.ipynb", nbdir / "02_b.ipynb"], report_dir=rdir,
                        metadata=dict(META), output=tmp_path / "out" / "report.pdf", workdir=tmp_path / "tex")


# -- reading cells (no LaTeX) ---------------------------------------------------
@pytest.mark.skipif(not HAVE_PANDOC, reason="needs pandoc")
def test_questions_answers_figures_and_tables_are_read(tmp_path):
    config = make_project(tmp_path)
    nb, labels, warnings = build.assemble(config, 6.3)
    roles = [c.metadata["nm"]["role"] for c in nb.cells]
    assert roles.count("question") == 2 and roles.count("answer") == 2 and roles.count("summary") == 2
    assert {"q:2.1", "q:3.4a", "fig:1.1", "fig:2.1", "tab:1.1", "sec-weak"} <= set(labels.defined)
    assert {"ch:1", "ch:2", "sec:1:question-2-1-a-weak-current", "sec:2:question-3-4-refractoriness"} \
        <= set(labels.defined)  # automatic anchors of chapters and sections
    glance = nb.metadata["nm"]["glance"]
    assert "\\nmglanceitem{q:2.1}{Question 2.1}" in glance and "More detail" not in glance
    assert "\\nmglanceitem{q:3.4a}{Question 3.4 (a)}" in glance
    assert "\\hyperref[fig:2.1]{Figure 2.1}" in glance  # a mention broken across lines
    texts = "\n".join(c.metadata["nm"].get("latex", "") for c in nb.cells)
    assert "\\hyperref[ref-dayan-abbott-2001]{Dayan \\& Abbott (2001)}" in texts
    assert "\\hyperref[fig:1.1]{Figure 1.1}" in texts  # plain mention linked
    assert "\\hyperref[ch:2]{Chapter 2}" in texts and "\\hyperref[sec:2:question-3-4-refractoriness]" in texts
    assert "\\hyperref[q:2.1]{Question 2.1}" in nb.cells[-1].metadata["nm"]["latex"] or \
        "\\hyperref[sec-weak]" in texts
    figure = next(c for c in nb.cells if c.metadata["nm"].get("figure"))
    assert figure.metadata["nm"]["figure"]["caption"] == "A trace at 1.2 nA."
    table = next(c for c in nb.cells if c.metadata["nm"].get("table"))
    latex = table.outputs[0]["metadata"]["nm_latex"]
    assert "\\begin{table}" in latex and "\\nmfit{0}{@{}rr@{}}" in latex and "longtable" not in latex
    assert "\\nmstack{r}{current}{(\\(\\mu\\)A/cm\\(^2\\))}" in latex  # long header cell on two lines
    assert "\\(-\\)20 & 86" in latex  # a negative number gets a minus sign
    assert "\\(-\\)0.203 \\(-\\) 0.383i" in latex  # and a complex number's minus too
    assert "\\nmanchor{sec-weak}" in texts and "textbackslash" not in texts  # anchors are raw LaTeX
    corrections = next(c for c in nb.cells if c.metadata["nm"]["where"] == "report/corrections.md")
    assert "\\nmfit{1}{@{}lr@{}}" in corrections.metadata["nm"]["latex"]  # a table right after a heading
    assert "\\label{tab:1.1}" in latex
    # remove_output hides the confirmation, remove_cell drops the setup and widget cells
    sources = [c.source for c in nb.cells]
    assert "interact(f)" not in sources and not any("use_style" in s for s in sources)
    assert all(not c.get("outputs") for c in nb.cells if c.source == "print(x)" and
               "remove_output" in c.metadata.get("tags", []))
    assert not [w for w in warnings if "caption" in w]


def chapter_two_with_extension() -> nbformat.NotebookNode:
    """Chapter two with a section beyond the questions, tagged report-full."""
    nb = chapter_two()
    heading = new_markdown_cell("## Bifurcations of the rest")
    heading.metadata["tags"] = ["report-full"]
    nb.cells[-1:-1] = [
        heading,
        new_markdown_cell("The rest loses stability at $I = 3.80$ (Figure 2.2)."),
        figure_cell(),
        new_markdown_cell("**Figure 2.2.** Phase plane at the Hopf point."),
        new_markdown_cell("## Numerical scheme"),
        new_markdown_cell("Runge-Kutta; see [the bifurcations](#sec:2:bifurcations-of-the-rest) "
                          "and Figure 2.2."),
    ]
    for k, cell in enumerate(nb.cells):
        cell.id = f"b-{k:03d}"
    return nb


@pytest.mark.skipif(not HAVE_PANDOC, reason="needs pandoc")
def test_sections_tagged_report_full_are_only_in_the_full_report(tmp_path):
    config = make_project(tmp_path, two=chapter_two_with_extension())
    nb, labels, _ = build.assemble(config, 6.3)
    texts = "\n".join(c.metadata["nm"].get("latex", "") for c in nb.cells)
    assert "Phase plane" not in texts and "3.80" not in texts  # the section and its figure are gone
    assert "fig:2.2" not in labels.defined and "sec:2:bifurcations-of-the-rest" in labels.dropped
    assert "Runge-Kutta" in texts  # the next, untagged section stays
    assert "\\emph{the bifurcations}†" in texts and "Figure 2.2†" in texts
    assert "\\hyperref[sec:2:bifurcations-of-the-rest]" not in texts
    assert "Chapter 2 (Bifurcations of the rest)" in nb.metadata["nm"]["full_note"]
    full_nb, full_labels, _ = build.assemble(dataclasses.replace(config, full=True), 6.3)
    full_texts = "\n".join(c.metadata["nm"].get("latex", "") for c in full_nb.cells)
    assert "fig:2.2" in full_labels.defined and "3.80" in full_texts and not full_labels.dropped
    assert "\\hyperref[sec:2:bifurcations-of-the-rest]" in full_texts
    assert full_nb.metadata["nm"]["full_note"] == ""


@pytest.mark.skipif(not HAVE_PANDOC, reason="needs pandoc")
def test_a_wrong_figure_number_names_the_notebook_and_cell(tmp_path):
    config = make_project(tmp_path, one=chapter_one(caption="**Figure 1.2.** Misnumbered."))
    with pytest.raises(ReportError, match=r"notebooks/01_a\.ipynb cell 6 .*Figure 1\.2.*Figure 1\.1"):
        build.assemble(config, 6.3)


@pytest.mark.skipif(not HAVE_PANDOC, reason="needs pandoc")
def test_a_caption_after_a_cell_without_a_figure_fails(tmp_path):
    nb = chapter_one()
    nb.cells[5].outputs = []
    config = make_project(tmp_path, one=nb)
    with pytest.raises(ReportError, match=r"cell 6 .*exactly one figure.*shows 0"):
        build.assemble(config, 6.3)


@pytest.mark.skipif(not HAVE_PANDOC, reason="needs pandoc")
def test_a_citation_without_a_references_entry_fails(tmp_path):
    config = make_project(tmp_path, references="# References\n\n- <a id=\"ref-other\"></a>Other.\n")
    with pytest.raises(ReportError, match=r"01_a\.ipynb cell 7 .*'#ref-dayan-abbott-2001'.*references\.md"):
        build.assemble(config, 6.3)


@pytest.mark.skipif(not HAVE_PANDOC, reason="needs pandoc")
def test_a_link_to_an_undefined_anchor_fails(tmp_path):
    config = make_project(tmp_path, one=chapter_one(extra_md="See [the model](#sec-nowhere)."))
    with pytest.raises(ReportError, match=r"'#sec-nowhere' points to no anchor"):
        build.assemble(config, 6.3)


def test_shorten_stops_at_a_sentence_and_never_inside_math():
    assert shorten("Simulate the neuron for 200 ms. Then explain.") == "Simulate the neuron for 200 ms."
    long = "Apply " + " ".join(["word"] * 25) + " $a + b + c + d$ " + " ".join(["w"] * 20)
    short = shorten(long, words=27)
    assert short.endswith("…") and short.count("$") % 2 == 0


def test_placeholders_are_reported():
    assert build.placeholders({**META, "student_name": "<your name>", "date": "<date>"}) == \
        ["student_name", "date"]
    assert build.placeholders(META) == []


def test_runaway_argument_is_located_from_the_tex_text_without_a_line_number():
    tex = "\n".join(["\\begin{document}", "% nm-cell a-001 from notebooks/01_a.ipynb cell 1",
                     "Fine text.", "% nm-cell a-002 from notebooks/01_a.ipynb cell 2",
                     "Broken \\(\\frac{\\) here", "and more", "\\end{document}"])
    log = ("Runaway argument?\n{\\) here and more \\end {document} \\par \\ETC.\n"
           "! File ended while scanning use of \\frac.\n<inserted text> \n\\par \n<*> report.tex\n")
    message, line, cell = build.locate_error(log, tex)
    assert line == "5" and cell.startswith("a-002 from notebooks/01_a.ipynb cell 2")
    assert "runaway" in message and "File ended" in message


def test_an_error_with_a_line_number_is_located_by_it():
    tex = "\n".join(["% nm-cell x-1 from a cell 1", "ok", "% nm-cell x-2 from a cell 2", "\\undefinedthing"])
    message, line, cell = build.locate_error("! Undefined control sequence.\nl.4 \\undefinedthing\n", tex)
    assert (message, line, cell) == ("Undefined control sequence.", "4", "x-2 from a cell 2")


# -- full builds (xelatex) ------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not HAVE_TEX, reason="needs xelatex and pandoc")
def test_a_full_build_with_code_appendix(tmp_path):
    config = make_project(tmp_path)
    config.code = True
    pdf = build.build(config)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Title:           Synthetic report" in info and "Author:          Ada Lovelace" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Answers at a glance" in text and "Figure 1.1: A trace at 1.2 nA." in text
    assert "Table 1.1: Rates per current." in text and "fig = nh.plotting.trace_figure(res, I)" in text
    assert "a confirmation" not in text and "interact(f)" not in text
    aux = (config.workdir / "report.aux").read_text()
    assert "\\newlabel{fig:2.1}{{2.1}" in aux and "\\newlabel{tab:1.1}{{1.1}" in aux


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_TEX, reason="needs xelatex and pandoc")
def test_a_failed_build_names_the_cell_and_leaves_no_pdf(tmp_path):
    nb = chapter_one()
    broken = new_code_cell("display(Latex(text))")  # raw LaTeX reaches xelatex unchanged
    broken.outputs = [new_output("display_data", data={"text/latex": "Broken: $\\frac{$ and on.",
                                                       "text/plain": "<Latex>"})]
    broken.id = "a-012"
    nb.cells.append(broken)
    config = make_project(tmp_path, one=nb)
    config.output.parent.mkdir(parents=True)
    config.output.write_bytes(b"%PDF- an old report")  # a stale PDF from an earlier build
    with pytest.raises(ReportError, match=r"xelatex pass 1: .*cell a-012 from notebooks/01_a\.ipynb cell 12"):
        build.build(config)
    assert not config.output.exists()
    assert not (config.workdir / "report.pdf").exists()


# -- shared figure style --------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
MACHADO_2009 = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab(linear_rgb):
    import numpy as np

    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) \
        @ np.clip(linear_rgb, 0.0, 1.0) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("view", ["normal", *MACHADO_2009])
def test_gate_colours_stay_distinct_under_simulated_colour_blindness(view):
    import itertools

    import numpy as np
    from matplotlib.colors import to_rgb

    from neurohelpers.plotting.core import GATE_COLOURS

    def lab(colour):
        c = np.asarray(to_rgb(colour))
        linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return _lab(linear if view == "normal" else np.asarray(MACHADO_2009[view]) @ linear)

    gates = {k: lab(GATE_COLOURS[k]) for k in "mhn"}
    closest = min(np.linalg.norm(gates[a] - gates[b]) for a, b in itertools.combinations(gates, 2))
    assert closest > 40.0  # CIE76 delta E: 2.3 is just noticeable; red/green under deuteranopia gave 7


def test_smallest_font_accounts_for_the_print_scale():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurohelpers.plotting.style import TEXT_WIDTH, smallest_font_pt

    fig, ax = plt.subplots(figsize=(2 * TEXT_WIDTH, 3))
    ax.set_xlabel("x", fontsize=10)
    ax.tick_params(labelsize=12)
    assert smallest_font_pt(fig) == pytest.approx(5.0)  # 10 pt drawn, printed at half size
    plt.close(fig)


def test_markdown_chapters_drop_marked_sections_and_uncited_references():
    text = ("# Corrections\n\nKept.\n\n## Code\n\nItem.\n\n<!-- report-full -->\n"
            "## Corrections to the first version\n\nChangelog.\n\n## Units\n\nKept too.\n")
    kept, sections = build.drop_full_only_markdown(text, 4)
    assert "Changelog" not in kept and "Kept too." in kept and "Item." in kept
    assert "report-full" not in kept
    assert [(s.chapter, s.title, s.labels) for s in sections] == [
        (4, "Corrections to the first version", ["sec:4:corrections-to-the-first-version"])]
    refs = ('# References\n\n- <a id="ref-a"></a>A (2001). Book.\n  More on A.\n'
            '- <a id="ref-b"></a>B (2002). Paper.\n  More on B.\n\nAfter the list.\n')
    cited = build.cited_references_only(refs, {"ref-b", "fig:1.1"})
    assert "A (2001)" not in cited and "More on A" not in cited
    assert "B (2002)" in cited and "More on B" in cited and "After the list." in cited
