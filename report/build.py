"""Assemble the executed notebooks into one PDF report.

The notebooks are not re-executed: their stored outputs are what nbval checks.
Steps: read and merge the notebooks (unique cell ids, tagged cells dropped),
add the corrections and references chapters, export LaTeX with nbconvert's
"report" template, run xelatex twice (contents), check the log, then move the
PDF into place. A failing step names itself and, for LaTeX errors, the cell.

Usage: python report/build.py [--no-code] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert.exporters import LatexExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from nbformat.v4 import new_markdown_cell

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = HERE / "build"
DEFAULT_OUTPUT = BUILD / "neural-models-report.pdf"
DROP_TAGS = {"remove_cell"}
XELATEX_PASSES = 2


class BuildError(RuntimeError):
    """A build step failed; the message names the step."""


def step(number: int, total: int, text: str) -> None:
    print(f"[report {number}/{total}] {text}", flush=True)


def load_metadata() -> dict:
    with open(HERE / "metadata.json", encoding="utf-8") as fh:
        meta = json.load(fh)
    meta.setdefault("title", "Single-neuron models")
    meta.setdefault("authors", ["The neural-models contributors"])
    meta.setdefault("date", "")
    return meta


def merge_notebooks(names: list[str], meta: dict) -> nbformat.NotebookNode:
    """One notebook: the chapters in order, then corrections and references."""
    merged = nbformat.v4.new_notebook()
    seen: set[str] = set()
    for name in names:
        path = ROOT / "notebooks" / name
        if not path.exists():
            raise BuildError(f"reading notebooks: {path} is missing")
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        if code and not any(c.get("outputs") for c in code):
            raise BuildError(f"reading notebooks: {name} has no stored outputs; execute it first")
        for cell in nb.cells:
            cell.metadata["nm_source"] = name
            base = cell.get("id") or f"{path.stem}-cell"
            unique, k = base, 1
            while unique in seen:
                unique, k = f"{base}-{k}", k + 1
            cell.id = unique
            seen.add(unique)
            merged.cells.append(cell)
    for extra in ("corrections.md", "references.md"):
        cell = new_markdown_cell((HERE / extra).read_text(encoding="utf-8"))
        cell.id = Path(extra).stem
        cell.metadata["nm_source"] = f"report/{extra}"
        merged.cells.append(cell)
    merged.metadata.update({
        "title": meta["title"],
        "subtitle": meta.get("subtitle", ""),
        "authors": [{"name": a} for a in meta["authors"]],
        "date": meta["date"],
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(merged)
    return merged


def export_latex(nb: nbformat.NotebookNode, no_code: bool, workdir: Path) -> Path:
    exporter = LatexExporter(
        extra_template_paths=[str(HERE / "template")],
        template_file="neural_models.tex.j2",
        exclude_input=no_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=DROP_TAGS), enabled=True)
    body, resources = exporter.from_notebook_node(nb, resources={"output_files_dir": "figures"})
    tex = workdir / "report.tex"
    tex.write_text(body, encoding="utf-8")
    for name, data in resources.get("outputs", {}).items():
        target = workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return tex


def cell_at_line(tex: Path, line: int) -> str:
    """The cell marker comment nearest above ``line`` of the .tex file."""
    marker = "(before the first cell)"
    for number, text in enumerate(tex.read_text(encoding="utf-8").splitlines(), start=1):
        if number > line:
            break
        if text.startswith("% nm-cell "):
            marker = text[len("% nm-cell "):]
    return marker


def run_xelatex(tex: Path, passes: int) -> Path:
    if shutil.which("xelatex") is None:
        raise BuildError("xelatex: not found; run `make report` (it installs TeX) or install "
                         "texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc")
    log = tex.with_suffix(".log")
    for n in range(1, passes + 1):
        print(f"    xelatex pass {n}/{passes}", flush=True)
        proc = subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tex.parent, capture_output=True, text=True, errors="replace",
        )
        if proc.returncode != 0:
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else proc.stdout
            first = re.search(r"^! (.*)$", text, re.MULTILINE)
            where = re.search(r"^l\.(\d+)", text, re.MULTILINE)
            cell = cell_at_line(tex, int(where.group(1))) if where else "unknown cell"
            raise BuildError(
                f"xelatex pass {n}: {first.group(1) if first else 'failed'} "
                f"(report.tex line {where.group(1) if where else '?'}, cell {cell}); full log: {log}"
            )
    return tex.with_suffix(".pdf")


def check_log(log: Path) -> None:
    text = log.read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (\S+)", text)))
    if missing:
        raise BuildError(f"typography check: glyphs missing from the fonts: {' '.join(missing)} (see {log})")
    undefined = re.findall(r"LaTeX Warning: (Reference|Citation) `([^']+)' .*undefined", text)
    if undefined:
        raise BuildError(f"typography check: undefined references {undefined} (see {log})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-code", action="store_true", help="leave code cells out of the PDF")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the PDF")
    args = parser.parse_args(argv)
    total = 5
    try:
        meta = load_metadata()
        step(1, total, f"reading and merging {', '.join(meta['notebooks'])}")
        nb = merge_notebooks(meta["notebooks"], meta)
        workdir = BUILD / ("tex-no-code" if args.no_code else "tex")
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        step(2, total, f"exporting LaTeX ({'without' if args.no_code else 'with'} code) to {workdir}")
        try:
            tex = export_latex(nb, args.no_code, workdir)
        except Exception as err:  # pandoc or template failure: name the step and cause
            raise BuildError(f"LaTeX export: {type(err).__name__}: {err}") from err
        step(3, total, "running xelatex")
        pdf = run_xelatex(tex, XELATEX_PASSES)
        step(4, total, "checking the LaTeX log")
        check_log(tex.with_suffix(".log"))
        step(5, total, f"writing {args.output}")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        partial = args.output.with_name(args.output.name + ".partial")
        shutil.copyfile(pdf, partial)
        partial.replace(args.output)
    except BuildError as err:
        print(f"report build failed: {err}", file=sys.stderr)
        return 1
    print(f"report written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
