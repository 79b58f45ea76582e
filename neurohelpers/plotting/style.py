"""One report style for every figure: sizes, fonts, resolution, colours.

Figures are drawn at the width they print at: ``TEXT_WIDTH`` inches is exactly
the text width of the report (report/template sets its text block from this
constant), so 8 pt in matplotlib is 8 pt on paper; no figure text is smaller
than ``MIN_FONT_PT``. PNG outputs are stored at ``DPI`` (200) dots per inch.
The default colour cycle is the Okabe-Ito palette, which stays distinguishable
under the common colour-vision deficiencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["DPI", "FULL_HEIGHT", "MIN_FONT_PT", "OKABE_ITO", "TEXT_WIDTH", "smallest_font_pt", "use_style"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Width of the report's text block, inches (16.0 cm on A4): every figure is this wide.
TEXT_WIDTH = 6.3
#: Height of a standard one-row figure, inches.
FULL_HEIGHT = 2.8
#: Smallest font size allowed in a figure at print size, points.
MIN_FONT_PT = 7.0
#: Resolution of stored PNG figures, dots per inch.
DPI = 200
#: Okabe & Ito (2008) colour-blind-safe palette, in the order of the colour cycle.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#000000", "#F0E442")


def use_style() -> None:
    """Set matplotlib's rcParams to the shared report style (figures at 200 dpi)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "figure.figsize": (TEXT_WIDTH, FULL_HEIGHT),
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
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
            "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
        }
    )


def smallest_font_pt(fig: Figure) -> float:
    """The smallest visible text in ``fig`` as printed in the report, points.

    A figure wider than ``TEXT_WIDTH`` is scaled down to it in the report, and
    its text with it; this returns the font size after that scaling.
    """
    scale = min(1.0, TEXT_WIDTH / float(fig.get_size_inches()[0]))
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and
                                                    hasattr(a, "get_text"))
             if t.get_visible() and t.get_text().strip()]
    return scale * min(sizes) if sizes else float("inf")
