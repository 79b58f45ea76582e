"""Drift guard: every number the notebooks' prose states with a unit must be backed.

A number in a Markdown cell of ``notebooks/0*.ipynb`` that carries a unit (mV, ms, s,
Hz, kHz, nA, pA, nF, $\\mu$A/cm$^2$, mS/cm$^2$, $\\mu$F/cm$^2$, M$\\Omega$, %, degC,
/ms, model units) or states a count ("7 spikes", "401 amplitudes") passes only if

1. the same number, to its printed precision (6.26 is backed by 6.2593), appears in
   that notebook's computed outputs (stream text, ``text/plain``, ``text/markdown``);
2. or in the "ours" or "independent" column of ``report/validation.md`` (the validation
   table);
3. or it is an input parameter: the number appears in that notebook's code cells
   (not for results that are never inputs: percentages and counts of spikes, bursts
   and intervals);
4. or the same sentence cites the literature with a link ``(#ref-...)``;
5. or it is on the allow-list ``tests/prose_numbers_allow.txt`` (notebook, number
   with unit, reason).

Not checked: display math (``$$...$$``, formulas), code spans and fenced code. A power
of ten such as $10^{-7}$ ms is read as an order of magnitude: backed by a value in
the decade below it (a bound) or within a factor 1.5 above it (an estimate).

``python tests/test_prose_numbers.py NOTEBOOK...`` prints the unbacked numbers of the
given notebooks (any path, e.g. a modified copy).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VALIDATION = ROOT / "report" / "validation.md"
ALLOW_LIST = Path(__file__).resolve().parent / "prose_numbers_allow.txt"

# ----------------------------------------------------------------- normalisation

_LATEX = [
    (r"\\mu\s*", "µ"), (r"\\Omega", "Ω"), (r"\^\s*\{?\\circ\}?", "°"), (r"\\%", "%"),
    (r"\\[,;: ]|~", " "), (r"\\(?:mathrm|text|mathit|textrm|operatorname)\s*\{([^{}]*)\}", r"\1"),
    (r"\\(?:times|cdot)", "×"), (r"\\approx|\\sim", "≈"), (r"\\pm", "±"),
    (r"\\[a-zA-Z]+", " "),
]
# "2.4 × 10^{-5}" -> "2.4e-5"; "10^{-7}" -> "1e-7" (a pure power of ten, flagged by the "P")
_MANTISSA_POWER = re.compile(r"(\d+(?:\.\d+)?)\s*×\s*10\s*\^\s*\{?\s*([-+−]?\d+)\s*\}?")
_POWER = re.compile(r"(?<![\w.])10\s*\^\s*\{?\s*([-+−]?\d+)\s*\}?")
_CM2 = re.compile(r"cm\s*\^?\s*\{?\s*2\}?(?!\d)")


def _latex_to_text(text: str) -> str:
    """Inline LaTeX and Markdown math to plain text: units as symbols, powers of ten as numbers."""
    text = text.replace("−", "-").replace("&minus;", "-").replace("\u03bc", "\u00b5")  # Greek mu -> micro
    text = text.replace("\u2126", "Ω").replace("&mu;", "\u00b5").replace("&Omega;", "Ω")
    for pattern, repl in _LATEX:
        text = re.sub(pattern, repl, text)
    text = _MANTISSA_POWER.sub(lambda m: f"{m.group(1)}e{m.group(2).replace('−', '-')}", text)
    text = _POWER.sub(lambda m: f"1P{m.group(1).replace('−', '-')}", text)
    text = text.replace("$", "")
    text = _CM2.sub("cm²", text)
    return text.replace("{", "").replace("}", "").replace("^", "")


def _strip_markdown(text: str) -> str:
    """Remove what is not prose: display math, code, HTML tags; emphasis marks."""
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return text.replace("**", "").replace("__", "")


# ------------------------------------------------------------------ sentences

_CITE = re.compile(r"\[[^\]]*\]\(#ref-[^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ABBREVIATIONS = {"al", "e.g", "i.e", "fig", "figs", "eq", "eqs", "approx", "vs", "cf", "ch", "no", "ref"}


def sentences(markdown: str) -> list[tuple[str, bool]]:
    """Split a Markdown cell into (sentence, cites_literature) pairs.

    Paragraphs, list items and table rows start new sentences; inside them a sentence ends
    at . ! or ? followed by a capital, unless the word before is an abbreviation (et al.).
    A sentence cites the literature when it holds a link to a reference anchor ``#ref-``.
    """
    cites: list[str] = []

    def hide(m: re.Match) -> str:
        cites.append(m.group(0))
        return f"⟦{len(cites) - 1}⟧"

    text = _CITE.sub(hide, _strip_markdown(markdown))
    blocks, current = [], []
    for line in text.splitlines():
        stripped = re.sub(r"^(?:\s*>)+", "", line).strip()  # blockquote markers
        starts_block = (not stripped or stripped.startswith(("|", "* ", "- ", "+ ", "#"))
                        or re.match(r"\d+\.\s", stripped) is not None)
        if starts_block and current:
            blocks.append(" ".join(current))
            current = []
        if stripped.startswith("|"):
            blocks.append(stripped)
        elif stripped:
            current.append(stripped)
    if current:
        blocks.append(" ".join(current))

    out = []
    for block in blocks:
        start = 0
        for m in re.finditer(r"[.!?]\s+(?=[A-Z(\[*⟦])", block):
            word = re.search(r"([\w.]+)$", block[start:m.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            out.append(block[start:m.end()].strip())
            start = m.end()
        out.append(block[start:].strip())
    result = []
    for s in out:
        if not s:
            continue
        cited = "⟦" in s
        s = re.sub(r"⟦(\d+)⟧", lambda m: _LINK.sub(r"\1", cites[int(m.group(1))]), s)
        result.append((_LINK.sub(r"\1", s), cited))
    return result


# ------------------------------------------------------------------- numbers

_NUMBER = r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eP][-+]?\d+)?(?![\w.]*\d)"
_NUMBER_RE = re.compile(_NUMBER)
UNITS = [
    "kHz", "Hz", "mV", "ms", "s", "nA", "pA", "µA/cm²", "µA", "uA/cm²", "uA/cm2", "uA", "nF",
    "µF/cm²", "mS/cm²", "MΩ", "MOhm", "%", "°C", "degC", "/ms", "units",
]
# results that are never input parameters: backed by outputs, the validation table, a citation
RESULT_ONLY = {"%", "spikes", "spike", "spike times", "bursts", "burst", "intervals", "ISIs"}
COUNT_NOUNS = ["spike times", "spikes", "spike", "bursts", "burst", "amplitudes", "intervals", "ISIs",
               "pulses", "neurons", "cells", "steps"]
_UNIT_RE = re.compile(
    r"(?:\s*(?:" + "|".join(re.escape(u) for u in ("%", "°C")) + r")"
    r"|\s+(?:" + "|".join(re.escape(u) for u in sorted(UNITS + COUNT_NOUNS, key=len, reverse=True)
                          if u not in ("%", "°C")) + r"))(?![\w²])"
)
_SEPARATOR = re.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+|\s*[-–—]\s*)")
_LABEL_WORDS = {"figure", "fig", "table", "question", "questions", "chapter", "q", "item", "items",
                "cell", "cells", "section", "panel", "eq", "equation"}


@dataclass(frozen=True)
class ProseNumber:
    """A number stated with a unit: the text as printed, its value and unit."""

    text: str
    value: float
    unit: str
    sentence: str
    cited: bool

    @property
    def power_of_ten(self) -> bool:
        return "P" in self.text

    @property
    def half_step(self) -> float:
        """Half a unit of the last printed digit: the rounding interval of the number."""
        mantissa, _, exponent = self.text.replace("P", "e").partition("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return 0.5 * 10.0 ** (-decimals) * 10.0 ** int(exponent or 0)

    @property
    def shown(self) -> str:
        text = self.text
        if self.power_of_ten:
            text = f"10^{self.text.split('P')[1]}"
        return f"{text} {self.unit}".strip()


def _value(token: str) -> float:
    return float(token.replace("P", "e"))


def numbers_with_units(markdown: str) -> list[ProseNumber]:
    """Every number in the prose of a Markdown cell that carries a unit or counts something.

    A unit after a list or range of numbers ("10, 0 and 20 mV", "2.4-2.7 ms") applies to
    each of them; numbers that label things (Figure 3.1, Question 3.5) are skipped.
    """
    found = []
    for sentence, cited in sentences(markdown):
        text = _latex_to_text(sentence)
        matches = list(_NUMBER_RE.finditer(text))
        chain: list[re.Match] = []
        for k, m in enumerate(matches):
            chain.append(m)
            unit = _UNIT_RE.match(text, m.end())
            nxt = matches[k + 1] if k + 1 < len(matches) else None
            joined = (nxt is not None and unit is None
                      and _SEPARATOR.fullmatch(text, m.end(), nxt.start()) is not None)
            if joined:
                continue
            if unit is not None:
                for c in chain:
                    before = re.search(r"([A-Za-z]+)\.?\s*$", text[:c.start()])
                    if before and before.group(1).lower() in _LABEL_WORDS:
                        continue
                    token = c.group(0)
                    # a minus glued to the previous number is a range dash, not a sign
                    if token[0] in "+-" and c.start() > 0 and text[c.start() - 1].isdigit():
                        token = token[1:]
                    found.append(ProseNumber(token.lstrip("+"), _value(token), unit.group(0).strip(),
                                             _clean(sentence), cited))
            chain = []
    return found


def _clean(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= 220 else sentence[:217] + "..."


def numbers_in(text: str) -> list[float]:
    """Every number in a text (outputs, code, the validation table), signed, any notation."""
    text = _latex_to_text(text.replace("−", "-"))
    return [_value(m.group(0)) for m in re.finditer(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eEP][-+]?\d+)?",
                                                       text.replace("E", "e"))]


# ------------------------------------------------------------------- backing


def backed(number: ProseNumber, candidates: list[float]) -> bool:
    """Whether some candidate equals the number to its printed precision."""
    v = number.value
    if number.power_of_ten:
        return any(v / 10 <= abs(c) < 1.5 * v for c in candidates)
    slack = number.half_step * (1 + 1e-9) + 1e-12 * abs(v)
    return any(abs(c - v) <= slack for c in candidates)


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def validation_values(markdown: str) -> list[float]:
    """The numbers in the "ours" and "independent" columns of the validation tables (not the
    protocol numbers in the quantity and source columns, nor the tolerances)."""
    values = []
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) >= 5 and not set(cells[1]) <= set("-: "):
            values += numbers_in(cells[1]) + numbers_in(cells[2])
    return values


def notebook_sources(nb: dict) -> tuple[list[float], list[float]]:
    """(numbers in the computed outputs, numbers in the code cells) of a notebook."""
    outputs, code = [], []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        code.extend(numbers_in(_text(cell["source"])))
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                outputs.extend(numbers_in(_text(out.get("text", ""))))
            for kind in ("text/plain", "text/markdown"):
                if kind in out.get("data", {}):
                    outputs.extend(numbers_in(_text(out["data"][kind])))
    return outputs, code


def read_allow_list(path: Path = ALLOW_LIST) -> dict[tuple[str, str], str]:
    """``notebook | number unit | reason`` lines (``#`` comments) -> {(notebook, number unit): reason}."""
    allowed = {}
    if not path.exists():
        return allowed
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[2]:
            raise ValueError(f"{path.name}: expected 'notebook | number unit | reason', got {line!r}")
        allowed[(parts[0], " ".join(parts[1].split()))] = parts[2]
    return allowed


@dataclass(frozen=True)
class Finding:
    notebook: str
    cell: int
    number: ProseNumber

    def __str__(self) -> str:
        return f"{self.notebook} cell {self.cell}: {self.number.shown!r} in: {self.number.sentence}"


def unbacked_numbers(nb_path: Path, validation_text: str | None = None,
                     allow: dict[tuple[str, str], str] | None = None) -> list[Finding]:
    """The numbers with units in the Markdown of one notebook that nothing backs."""
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    if validation_text is None:
        validation_text = VALIDATION.read_text(encoding="utf-8") if VALIDATION.exists() else ""
    allow = read_allow_list() if allow is None else allow
    outputs, code = notebook_sources(nb)
    results = outputs + validation_values(validation_text)
    name = Path(nb_path).name
    findings = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for number in numbers_with_units(_text(cell["source"])):
            if number.cited or (name, number.shown) in allow:
                continue
            pool = results if number.unit in RESULT_ONLY else results + code
            finding = Finding(name, index, number)
            if not backed(number, pool) and finding not in findings:
                findings.append(finding)
    return findings


# ---------------------------------------------------------------------- tests

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_prose_number_is_backed(notebook):
    findings = unbacked_numbers(notebook)
    assert not findings, (
        f"{len(findings)} number(s) in the prose of {notebook.name} are not printed by the notebook, "
        "not in report/validation.md, not an input parameter and not cited "
        "(see tests/test_prose_numbers.py; allow-list: tests/prose_numbers_allow.txt):\n"
        + "\n".join(f"  {f}" for f in findings)
    )


def test_allow_list_entries_are_used_and_explained():
    allow = read_allow_list()
    names = {p.name for p in NOTEBOOKS}
    for (notebook, number), reason in allow.items():
        assert notebook in names, f"allow-list names an unknown notebook {notebook!r}"
        assert len(reason.split()) >= 3, f"allow-list entry {notebook} {number!r} needs a reason"


def _notebook(tmp_path, markdown, code="", outputs=()):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": markdown},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": code,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": t} for t in outputs]},
    ]
    path = tmp_path / "09_test.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _shown(markdown):
    return [n.shown for n in numbers_with_units(markdown)]


def test_extractor_reads_units_in_math_lists_ranges_and_counts():
    text = (r"The sustained threshold is 6.26 $\mu$A/cm$^2$, the rest $-65.0$ mV and "
            r"$g_L = 0.3$ mS/cm$^2$, with 7 spikes at 10, 0 and 20 $\mu$A/cm$^2$; "
            r"intervals of 2.4-2.7 ms, R = 10 M$\Omega$, 20% too long, at 6.3 $^\circ$C, "
            r"errors below $10^{-7}$ ms and $2.5 \times 10^{-4}$ mV; 3 μA/cm2 and 4 MΩ.")
    assert _shown(text) == ["6.26 µA/cm²", "-65.0 mV", "0.3 mS/cm²", "7 spikes", "10 µA/cm²",
                            "0 µA/cm²", "20 µA/cm²", "2.4 ms", "2.7 ms", "10 MΩ", "20 %", "6.3 °C",
                            "10^-7 ms", "2.5e-4 mV", "3 µA/cm²", "4 MΩ"]


def test_extractor_skips_labels_formulas_code_and_unitless_numbers():
    text = ("## Question 3.5\n\nFigure 3.1 shows it (Table 3.2). In 1952 the model had 4 variables.\n\n"
            "$$f = \\frac{1}{t_\\mathrm{ref} + 15\\,\\mathrm{ms}}$$\n\n`dt = 0.02 ms` and Q10 = 3.")
    assert _shown(text) == []


def test_sentences_keep_citations_with_their_sentence():
    text = ("Hopf currents near 9.78 $\\mu$A/cm$^2$ were computed by "
            "[Rinzel & Miller (1980)](#ref-rinzel-miller-1980). Ours is 9.7754 $\\mu$A/cm$^2$.\n\n"
            "* As in [Gerstner et al. (2014)](#ref-gerstner-2014), $\\tau_m$ = 10 ms.")
    found = numbers_with_units(text)
    assert [(n.shown, n.cited) for n in found] == [("9.78 µA/cm²", True), ("9.7754 µA/cm²", False),
                                                    ("10 ms", True)]


def test_printed_precision_decides_what_backs_a_number():
    n = numbers_with_units("threshold 6.26 $\\mu$A/cm$^2$")[0]
    assert backed(n, [6.2593]) and backed(n, [6.26]) and backed(n, [6.2649])
    assert not backed(n, [6.2651]) and not backed(n, [6.27]) and not backed(n, [-6.26])
    whole = numbers_with_units("about 55 Hz")[0]
    assert backed(whole, [55.1]) and not backed(whole, [53.1])
    bound_ = numbers_with_units("agree to better than $10^{-6}$ ms")[0]
    assert backed(bound_, [1.96e-7]) and not backed(bound_, [3e-8]) and not backed(bound_, [2e-6])


def test_a_wrong_number_fails_and_a_right_one_passes(tmp_path):
    outputs = ["sustained-firing threshold: 6.259 uA/cm2; rate at onset 50.2 Hz\n"]
    good = _notebook(tmp_path, "Firing starts at 6.26 $\\mu$A/cm$^2$, at about 50 Hz.",
                     code="x = nh.rheobase(hh, high=20.0)", outputs=outputs)
    assert unbacked_numbers(good, validation_text="", allow={}) == []
    bad = _notebook(tmp_path, "Firing starts at 6.26 $\\mu$A/cm$^2$, at about 55 Hz.",
                    code="x = nh.rheobase(hh, high=20.0)", outputs=outputs)
    findings = unbacked_numbers(bad, validation_text="", allow={})
    assert [(f.cell, f.number.shown) for f in findings] == [(0, "55 Hz")]
    assert "09_test.ipynb cell 0: '55 Hz' in: Firing starts at 6.26" in str(findings[0])


def test_other_sources_back_a_number(tmp_path):
    path = _notebook(tmp_path, "A 20 ms pulse gives 7 spikes; 9.78 $\\mu$A/cm$^2$ is the Hopf point.",
                     code="pulse = (20.0, 40.0, 1.0)", outputs=["done\n"])
    shown = {f.number.shown for f in unbacked_numbers(path, validation_text="", allow={})}
    assert shown == {"7 spikes", "9.78 µA/cm²"}  # 20 ms is an input parameter
    table = ("| q | o | i | s | t | a |\n| - | - | - | - | - | - |\n"
             "| 9.78 and 7 | 7 spikes | 9.775 | s | t | a |")
    assert unbacked_numbers(path, validation_text=table, allow={}) == []
    # numbers of the quantity column (protocol inputs) back nothing
    assert len(unbacked_numbers(path, validation_text=table.replace("9.775 |", "1 |"), allow={})) == 1
    # a count of spikes is a result: a 7 in the code does not back it
    coded = _notebook(tmp_path, "It fires 7 spikes.", code="n = 7", outputs=[""])
    assert len(unbacked_numbers(coded, validation_text="", allow={})) == 1
    assert unbacked_numbers(coded, validation_text="", allow={("09_test.ipynb", "7 spikes"): "why"}) == []


def test_allow_list_format(tmp_path):
    path = tmp_path / "allow.txt"
    reason = "the 2020 report's claim, quoted to refute it"
    path.write_text(f"# comment\n01_lif.ipynb | 50  kHz | {reason}\n")
    assert read_allow_list(path) == {("01_lif.ipynb", "50 kHz"): reason}
    path.write_text("01_lif.ipynb | 50 kHz\n")
    with pytest.raises(ValueError, match="expected"):
        read_allow_list(path)


if __name__ == "__main__":
    total = 0
    for arg in sys.argv[1:] or [str(p) for p in NOTEBOOKS]:
        found = unbacked_numbers(Path(arg))
        total += len(found)
        for f in found:
            print(f)
    print(f"{total} unbacked number(s)")
    raise SystemExit(1 if total else 0)
