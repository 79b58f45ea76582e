"""One report style for every figure: sizes, fonts, resolution, colours.

Figures are drawn at the width they print at (``TEXT_WIDTH`` inches, the text
width of the report) so that 9 pt in matplotlib is 9 pt on paper; no figure
text is smaller than ``MIN_FONT_PT``.
"""

from __future__ import annotations

__all__ = ["FULL_HEIGHT", "MIN_FONT_PT", "TEXT_WIDTH", "use_style"]

#: Width of the report's text block, inches: every figure is this wide.
TEXT_WIDTH = 6.3
#: Height of a standard one-row figure, inches.
FULL_HEIGHT = 2.8
#: Smallest font size allowed in a figure, points.
MIN_FONT_PT = 7.0


def use_style() -> None:
    """Set matplotlib's rcParams to the shared report style (figures at 200 dpi)."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (TEXT_WIDTH, FULL_HEIGHT),
            "figure.dpi": 200,
            "savefig.dpi": 200,
            "figure.constrained_layout.use": True,
            "font.size": 9,
            "axes.titlesize": 9,
            "axes.labelsize": 9,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
            "legend.framealpha": 0.85,
            "lines.linewidth": 1.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
