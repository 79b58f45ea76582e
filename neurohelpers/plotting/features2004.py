"""The gallery of the twenty features of Izhikevich (2004), Fig. 1, in its 5 x 4 layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..integrate import SimulationResult
from ..protocols.features2004 import FEATURES
from .core import with_spike_peaks
from .style import MIN_FONT_PT, TEXT_WIDTH

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["features2004_gallery"]

#: Drawn spike height (mV): the model's cut-off, as in the published figure.
SPIKE_PEAK = 30.0
#: Short panel titles where the feature name is too long for a quarter of the page.
SHORT_TITLES = {
    "spike frequency adaptation": "spike freq. adaptation",
    "subthreshold oscillations": "subthreshold osc.",
    "depolarizing after-potential": "DAP",
    "inhibition-induced spiking": "inh.-induced spiking",
    "inhibition-induced bursting": "inh.-induced bursting",
}
_V_LIMITS = (-150.0, 34.0)
#: Band (in the panel's mV coordinates) where the input's shape is drawn, and the time bar.
_INPUT_BAND = (-128.0, -102.0)
_BAR_Y = -138.0
_BAR_CHOICES = (5.0, 10.0, 20.0, 25.0, 50.0, 100.0)


def _bar_length(duration: float) -> float:
    """A round scale-bar length (ms) of about a fifth of the panel."""
    return min(_BAR_CHOICES, key=lambda x: abs(x - duration / 5.0))


def _draw_voltage(ax: Axes, res: SimulationResult, colour: str, width: float) -> None:
    t, V = with_spike_peaks(res.t, res.V, res.spike_times, SPIKE_PEAK)
    ax.plot(t, V, color=colour, lw=width)


def _draw_input(ax: Axes, t: np.ndarray, current: np.ndarray) -> None:
    """The input's shape, scaled into the band under the voltage trace."""
    low, high = float(np.min(current)), float(np.max(current))
    scale = (current - low) / (high - low) if high > low else np.zeros_like(current) + 0.5
    y = _INPUT_BAND[0] + scale * (_INPUT_BAND[1] - _INPUT_BAND[0])
    ax.plot(t, y, color="tab:blue", lw=0.8, drawstyle="steps-post")


def _time_bar(ax: Axes, duration: float, font: float) -> None:
    length = _bar_length(duration)
    end = 0.97 * duration
    ax.plot([end - length, end], [_BAR_Y, _BAR_Y], color="black", lw=1.2, solid_capstyle="butt")
    ax.text(end - length / 2.0, _BAR_Y - 3.0, f"{length:g} ms", ha="center", va="top", fontsize=font)


def _voltage_bar(ax: Axes, duration: float, font: float) -> None:
    x = -0.03 * duration
    ax.plot([x, x], [-80.0, -40.0], color="black", lw=1.2, clip_on=False, solid_capstyle="butt")
    ax.text(x - 0.02 * duration, -60.0, "40 mV", rotation=90, ha="right", va="center", fontsize=font)


def features2004_gallery(
    results: Mapping[str, SimulationResult],
    compare: Mapping[str, SimulationResult] | None = None,
    *,
    labels: tuple[str, str] = ("published Euler scheme", "RK4"),
    figsize: tuple[float, float] = (TEXT_WIDTH, 8.3),
    font: float = 7.5,
) -> Figure:
    """The twenty features of Izhikevich (2004), Fig. 1: v and the input of each panel.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        Runs keyed by feature name (``nh.protocols.FEATURES``), e.g. from
        :func:`neurohelpers.protocols.run_feature`; panels are drawn in the
        published order A-T, a missing feature leaves its panel empty.
    compare : mapping of str to SimulationResult, optional
        Second runs of the same features (e.g. RK4), drawn under the first in a
        second colour.
    labels : (str, str)
        Legend entries of ``results`` and ``compare`` (a legend only with ``compare``).
    figsize : (width, height)
        Inches; default the report's text width by 8.3 in.
    font : float
        Font size of titles and labels, points (at least ``MIN_FONT_PT``).

    Returns
    -------
    matplotlib.figure.Figure
        5 x 4 panels, each v (spikes drawn to 30 mV; every panel on the same
        voltage scale, 40 mV bar in panel A) with the shape of the input under it
        (each panel its own input scale) and a time scale bar (ms).
    """
    import matplotlib.pyplot as plt

    if font < MIN_FONT_PT:
        raise ValueError(f"font must be at least {MIN_FONT_PT} pt, got {font}")
    unknown = (set(results) | set(compare or {})) - set(FEATURES)
    if unknown:
        raise ValueError(f"results name unknown features: {', '.join(sorted(unknown))}")
    fig, axes = plt.subplots(5, 4, figsize=figsize, layout="none")
    fig.subplots_adjust(left=0.045, right=0.99, top=0.975, bottom=0.045 if compare else 0.01,
                        hspace=0.22, wspace=0.1)
    for ax, (name, feature) in zip(axes.flat, FEATURES.items(), strict=True):
        ax.set_title(f"({feature.letter}) {SHORT_TITLES.get(name, name)}", fontsize=font, pad=1)
        if compare is not None and name in compare:
            _draw_voltage(ax, compare[name], "tab:orange", 0.8)
        if name in results:
            _draw_voltage(ax, results[name], "black", 0.6)
            t = results[name].t
            _draw_input(ax, t, np.asarray(feature.stimulus(t), dtype=np.float64))
        ax.set_xlim(0.0, feature.duration)
        ax.set_ylim(*_V_LIMITS)
        ax.set_axis_off()
        _time_bar(ax, feature.duration, font)
    _voltage_bar(axes.flat[0], FEATURES["tonic spiking"].duration, font)
    if compare is not None:
        handles = [plt.Line2D([], [], color=c, lw=1.2) for c in ("black", "tab:orange")]
        fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=font, frameon=False,
                   bbox_to_anchor=(0.5, 0.0))
    return fig
