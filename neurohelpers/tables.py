"""Results tables that notebooks display and the report typesets.

A :class:`MarkdownTable` shows as a Markdown table in Jupyter (nbconvert turns it
into a LaTeX table in the PDF) and as the same Markdown text everywhere else,
so notebook outputs stay deterministic for nbval.

>>> table = markdown_table(["current ($\\mu$A/cm$^2$)", "rate (Hz)"], [[10, 68.1], [20, 86.0]])
>>> print(table)
| current ($\\mu$A/cm$^2$) | rate (Hz) |
|---:|---:|
| 10 | 68.1 |
| 20 | 86 |
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

__all__ = ["MarkdownTable", "format_complex", "format_number", "markdown_table"]


def format_number(x, digits: int = 4) -> str:
    """Format a number for a table: ``digits`` significant figures, no trailing zeros.

    Integers print in full; ``None`` and NaN print as an en dash; complex numbers
    go through :func:`format_complex`. Strings pass through unchanged.
    """
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        return format_complex(complex(x), digits)
    value = float(x)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "$\\infty$" if value > 0 else "$-\\infty$"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"${mantissa} \\times 10^{{{int(exponent)}}}$"
    return "0" if text == "-0" else text


def format_complex(z: complex, digits: int = 4) -> str:
    """Format a complex number as ``a + bi`` (``a - bi``), or ``a`` when it is real."""
    z = complex(z)
    real = format_number(z.real, digits)
    if z.imag == 0:
        return real
    sign = "-" if z.imag < 0 else "+"
    return f"{real} {sign} {format_number(abs(z.imag), digits)}i"


class MarkdownTable:
    """A Markdown table that Jupyter renders and nbconvert typesets.

    Parameters
    ----------
    text : str
        The Markdown source of the table.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def markdown_table(
    headers: Sequence[str],
    rows: Sequence[Sequence],
    *,
    digits: int = 4,
    align: str | None = None,
) -> MarkdownTable:
    """Build a Markdown table from rows of values.

    Parameters
    ----------
    headers : sequence of str
        Column titles, with units in brackets written as math where needed
        (e.g. ``"current ($\\mu$A/cm$^2$)"``).
    rows : sequence of sequences
        One sequence of cell values per row; numbers are formatted with
        :func:`format_number`, strings are kept as they are.
    digits : int
        Significant figures for floats (default 4).
    align : str, optional
        One character per column, ``"l"``, ``"c"`` or ``"r"``; default: left for
        columns whose first cell is a string, right otherwise.

    Returns
    -------
    MarkdownTable
    """
    headers = [str(h) for h in headers]
    width = len(headers)
    if width == 0:
        raise ValueError("headers must name at least one column")
    cells = []
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != width:
            raise ValueError(f"row {i} has {len(row)} cells, the headers name {width} columns")
        cells.append([format_number(value, digits) for value in row])
    if align is None:
        first = list(rows[0]) if len(rows) else [""] * width
        align = "".join("l" if isinstance(v, str) else "r" for v in first)
    if len(align) != width or set(align) - set("lcr"):
        raise ValueError(f"align must be {width} characters from 'l', 'c', 'r'; got {align!r}")
    rule = {"l": ":---", "c": ":---:", "r": "---:"}
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(rule[a] for a in align) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return MarkdownTable("\n".join(lines))
