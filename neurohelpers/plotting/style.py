"""One report style for every figure: sizes, fonts, resolution, colours."""

from __future__ import annotations

__all__ = ["use_style"]


def use_style() -> None:
    """Set matplotlib's rcParams to the shared report style (figures print at 200 dpi)."""
    import matplotlib as mpl

    mpl.rcParams.update({"figure.dpi": 200, "savefig.dpi": 200, "font.size": 9})
