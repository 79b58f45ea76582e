"""Results tables: formatting of numbers, complex values and the Markdown layout."""

import math

import pytest

import neurohelpers as nh


def test_numbers_keep_significant_figures_and_drop_noise():
    assert nh.tables.format_number(68.12345, 3) == "68.1"
    assert nh.tables.format_number(7) == "7"
    assert nh.tables.format_number(float("nan")) == "–"
    assert nh.tables.format_number(1.5e-7, 2) == "$1.5 \\times 10^{-7}$"
    assert nh.tables.format_number(-0.0) == "0"
    assert nh.tables.format_number(math.inf) == "$\\infty$"


def test_complex_numbers_read_a_plus_bi():
    assert nh.tables.format_complex(complex(-0.5, 0.25), 3) == "-0.5 + 0.25i"
    assert nh.tables.format_complex(complex(0.027, -0.3), 2) == "0.027 - 0.3i"
    assert nh.tables.format_complex(complex(2.0, 0.0)) == "2"


def test_table_layout_and_alignment():
    table = nh.tables.markdown_table(["cell", "rate (Hz)"], [["RS", 6.6], ["FS", 20.71]], digits=3)
    assert str(table).splitlines() == ["| cell | rate (Hz) |", "|:---|---:|", "| RS | 6.6 |", "| FS | 20.7 |"]
    assert table._repr_markdown_() == str(table)


def test_ragged_rows_and_bad_alignment_are_refused():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        nh.tables.markdown_table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match="align"):
        nh.tables.markdown_table(["a", "b"], [[1, 2]], align="lx")
