"""Figures of the Izhikevich chapter: one function per figure kind, each returns the Figure.

Every figure is ``TEXT_WIDTH`` inches wide (the report's text width), with
units as math text and no text below ``MIN_FONT_PT``. pyplot is imported
inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..integrate import SimulationResult
from ..izhikevich import PRESETS, Izhikevich
from ..stimulus import pulse_current, time_axis
from .core import trace_figure, with_spike_peaks
from .style import TEXT_WIDTH

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "EXPLORE_SLIDERS",
    "bifurcation_phase_plane_figure",
    "explore_izhikevich",
    "fi_onset_figure",
    "gallery_figure",
    "izhikevich_trace_figure",
    "paired_pulse_figure",
    "scheme_isi_figure",
    "spike_count_text",
]

V_LABEL = "$v$ (mV)"
U_LABEL = "$u$ (model units)"
I_LABEL = "$I$ (model units)"
#: Two-line current label for the short input panel of trace figures.
I_LABEL_SHORT = "$I$\n(model units)"
TIME_LABEL = "Time (ms)"


def spike_count_text(n: int) -> str:
    """``"1 spike"``, ``"0 spikes"``, ``"7 spikes"``."""
    return f"{int(n)} spike" + ("" if int(n) == 1 else "s")


def izhikevich_trace_figure(
    res: SimulationResult,
    current: ArrayLike,
    cell: Izhikevich,
    *,
    title: str | None = None,
    height: float = 4.0,
) -> Figure:
    """v (spikes drawn to ``v_peak``), input and u of one Izhikevich run, over time.

    Parameters
    ----------
    res : SimulationResult
        A 1-D run of ``cell``.
    current : array_like, shape (n,)
        Its input, model units.
    cell : Izhikevich
        The neuron (for ``v_peak``).
    title : str, optional
        Figure title.
    height : float
        Figure height, inches (the width is ``TEXT_WIDTH``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = trace_figure(res, current, spike_peak=cell.v_peak, gates=("u",), state_label=U_LABEL,
                       voltage_label=V_LABEL, current_label=I_LABEL_SHORT, title=title,
                       figsize=(TEXT_WIDTH, height))
    for ax in fig.axes:  # one curve per panel: the axis labels say what it is
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    return fig


def paired_pulse_figure(result: dict, *, height: float = 2.6) -> Figure:
    """Second-pulse threshold, relative to the single-pulse one, against the delay after a spike.

    Parameters
    ----------
    result : dict
        The output of :func:`neurohelpers.protocols.paired_pulse_thresholds`.
    height : float
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter

    fig, ax = plt.subplots(figsize=(TEXT_WIDTH, height))
    ax.plot(result["delays"], result["ratio"], "o-", ms=3.5, color="tab:blue",
            label="second pulse after a spike")
    ax.axhline(1.0, color="0.4", ls="--", lw=0.8, label="single pulse from rest")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.set(xlabel="Delay of the second pulse after the first spike (ms)",
           ylabel="Threshold / single-pulse threshold")
    ax.set_ylim(0.8, max(1.2, np.nanmax(result["ratio"]) * 1.1))
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right")
    return fig


def gallery_figure(gallery: dict, *, height: float = 7.0) -> Figure:
    """Membrane potential of each cell class of the gallery, with its input below.

    Parameters
    ----------
    gallery : dict
        Label to :class:`neurohelpers.protocols.GalleryRun`, eight entries.
    height : float
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
        4 x 2 panels; the input (orange) is drawn at the foot of each panel,
        scaled by 2 and offset to -100 mV.
    """
    import matplotlib.pyplot as plt

    rows = (len(gallery) + 1) // 2
    fig, axes = plt.subplots(rows, 2, figsize=(TEXT_WIDTH, height), sharex=True, sharey=True)
    for ax, (label, run) in zip(axes.ravel(), gallery.items(), strict=False):
        res = run.result
        a, b, c, d = PRESETS[run.preset]
        ax.plot(*with_spike_peaks(res.t, res.V, res.spike_times, 30.0), lw=0.7, color="tab:blue")
        ax.plot(res.t, -100.0 + 2.0 * run.drive, color="tab:orange", lw=0.9)
        ax.set_title(f"{label} ({a:g}, {b:g}, {c:g}, {d:g}): {run.note}", fontsize=7.5)
        ax.set_ylim(-125, 40)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel(V_LABEL)
    for ax in axes[-1]:
        ax.set_xlabel(TIME_LABEL)
    return fig


def _trajectory(ax: Axes, cell: Izhikevich, res: SimulationResult, colour: str, label: str) -> None:
    """Draw a run in the (v, u) plane, each reset as a dashed jump (v_peak, u) -> (c, u + d)."""
    V, U = np.asarray(res.V), np.asarray(res.state["u"])
    steps = np.searchsorted(res.t, res.spike_times, side="right") - 1
    start = 0
    for n, k in enumerate(steps):
        if k + 1 >= V.size:
            break
        ax.plot(np.append(V[start : k + 1], cell.v_peak), np.append(U[start : k + 1], U[k]),
                color=colour, lw=0.8, label=label if n == 0 else None)
        ax.plot([cell.v_peak, cell.c], [U[k], U[k + 1]], ls="--", color="0.5", lw=0.6,
                label="reset" if n == 0 else None)
        start = k + 1
    ax.plot(V[start:], U[start:], color=colour, lw=0.8, label=None if steps.size else label)


def _equilibria(ax: Axes, cell: Izhikevich, current: float, colour: str) -> None:
    for fp in cell.fixed_points(current):
        ax.plot(fp["v"], fp["u"], "o", ms=5, color=colour, mfc=colour if fp["stable"] else "white",
                zorder=5)


def bifurcation_phase_plane_figure(
    cell: Izhikevich,
    spiking: SimulationResult,
    spiking_current: float,
    escape: SimulationResult,
    escape_current: float,
    bifurcations: dict[str, float],
    *,
    height: float = 4.0,
) -> Figure:
    """Phase plane of an Izhikevich neuron: spiking trajectory, and the rest near its bifurcations.

    Left: v-nullclines at I = 0 and ``spiking_current``, the u-nullcline, the
    equilibria (filled stable, open unstable) and the trajectory ``spiking``.
    Right (zoom on the rest): v-nullclines at the Hopf and saddle-node
    currents, the Hopf point (star), the saddle-node point (diamond), the
    equilibria at ``escape_current`` and the run ``escape`` spiralling
    away from its unstable focus, drawn up to its first spike.

    Parameters
    ----------
    cell : Izhikevich
    spiking, escape : SimulationResult
        1-D runs at the constant inputs ``spiking_current`` and ``escape_current``.
    bifurcations : dict
        ``hopf``, ``saddle_node`` and ``hopf_v``, as
        :func:`neurohelpers.protocols.bifurcation_currents` gives them.
    height : float
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(TEXT_WIDTH, height))
    v = np.linspace(-80.0, 35.0, 500)
    for current, colour in ((0.0, "C0"), (spiking_current, "C1")):
        left.plot(v, cell.nullclines(v, current)[0], color=colour, lw=1.2,
                  label=f"$v$-nullcline, $I = {current:g}$")
        _equilibria(left, cell, current, colour)
    left.plot(v, cell.nullclines(v)[1], "k", lw=1.0, label="$u$-nullcline")
    _trajectory(left, cell, spiking, "tab:red", f"trajectory, $I = {spiking_current:g}$")
    left.set(xlim=(-80, 35), ylim=(-22, 22), xlabel=V_LABEL, ylabel=U_LABEL, title="(a) spiking")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=7)

    v_sn = -(5.0 - cell.b) / 0.08
    zoom = np.linspace(v_sn - 4.0, v_sn + 2.5, 300)
    hopf, sn = bifurcations["hopf"], bifurcations["saddle_node"]
    for current, colour, name in ((hopf, "C2", "Hopf"), (sn, "C4", "saddle-node")):
        right.plot(zoom, cell.nullclines(zoom, current)[0], color=colour, lw=1.2,
                   label=f"$v$-nullcline, $I = {current:.4f}$ ({name})")
    right.plot(zoom, cell.nullclines(zoom)[1], "k", lw=1.0)
    end = escape.V.size
    if escape.spike_times.size:  # up to the first spike: the escape from the rest
        end = int(np.searchsorted(escape.t, escape.spike_times[0], side="right"))
    right.plot(escape.V[:end], escape.state["u"][:end], color="tab:red", lw=0.8,
               label=f"escape from the rest, $I = {escape_current:g}$")
    _equilibria(right, cell, escape_current, "tab:red")
    right.plot(bifurcations["hopf_v"], cell.b * bifurcations["hopf_v"], "*", ms=9, color="C2",
               zorder=6, ls="none", label="Hopf point")
    right.plot(v_sn, cell.b * v_sn, "D", ms=5, color="C4", zorder=6, ls="none", label="saddle-node point")
    u_min = float(np.min(cell.nullclines(zoom, hopf)[0]))
    right.set(xlim=(zoom[0], zoom[-1]), ylim=(u_min - 0.25, cell.b * zoom[-1] + 0.25), xlabel=V_LABEL,
              title="(b) the rest near its bifurcations")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=7)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return fig


def fi_onset_figure(
    currents: ArrayLike,
    rates: dict[str, np.ndarray],
    zoom_currents: ArrayLike,
    zoom_rates: dict[str, np.ndarray],
    bifurcations: dict[str, dict[str, float]],
    *,
    height: float = 2.9,
) -> Figure:
    """Steady f-I curves (left) and their onset near the bifurcations (right).

    Parameters
    ----------
    currents, zoom_currents : array_like
        Input currents of the two panels, model units.
    rates, zoom_rates : dict
        Label to rates (Hz) at those currents; the same labels in both.
    bifurcations : dict
        Label to the ``hopf`` and ``saddle_node`` currents of that cell:
        vertical dashed (Hopf) and dotted (saddle-node) lines on the right.
    height : float
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(TEXT_WIDTH, height))
    for i, label in enumerate(rates):
        colour = f"C{i}"
        left.plot(currents, rates[label], color=colour, label=label)
        right.plot(zoom_currents, zoom_rates[label], ".-", ms=2.5, color=colour)
        bif = bifurcations[label]
        right.axvline(bif["hopf"], color=colour, ls="--", lw=0.9)
        right.axvline(bif["saddle_node"], color=colour, ls=":", lw=0.9)
    right.plot([], [], "k--", lw=0.9, label="Hopf")  # colours as in (a)
    right.plot([], [], "k:", lw=0.9, label="saddle-node")
    left.set(xlabel=I_LABEL, ylabel="Firing rate (Hz)", title="(a) steady-state f-I")
    right.set(xlabel=I_LABEL, title="(b) onset")
    left.legend(loc="upper left")
    right.legend(loc="center left", fontsize=7, handlelength=1.6)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return fig


def scheme_isi_figure(spikes: dict[str, np.ndarray], *, height: float = 2.6) -> Figure:
    """Each interspike interval against the time of the spike that ends it, one line per scheme.

    Parameters
    ----------
    spikes : dict
        Label to spike times (ms), as :func:`neurohelpers.protocols.compare_schemes` gives them.
    height : float
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(TEXT_WIDTH, height))
    styles = ["k-", "C1--", "C2.-", "C0:"]
    for (label, s), style in zip(spikes.items(), styles * len(spikes), strict=False):
        ax.plot(s[1:], np.diff(s), style, ms=3, lw=1.0, label=label)
    ax.set(xlabel=TIME_LABEL, ylabel="Interspike interval (ms)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


#: Slider settings of the interactive cell: name -> (value, min, max, step, readout format).
EXPLORE_SLIDERS = {
    "a": (0.02, 0.005, 0.2, 0.005, ".3f"),
    "b": (0.2, 0.0, 0.3, 0.01, ".2f"),
    "c": (-65.0, -75.0, -40.0, 1.0, ".0f"),
    "d": (8.0, 0.0, 10.0, 0.05, ".2f"),
    "I": (10.0, -15.0, 40.0, 0.5, ".1f"),
}


def explore_izhikevich(
    a: float = 0.02, b: float = 0.2, c: float = -65.0, d: float = 8.0, I: float = 10.0
) -> Figure:
    """Run a neuron with parameters (a, b, c, d) under a step I from 20 to 280 ms and draw it.

    For the interactive cell: the neuron starts at v = -65 mV, u = b v; the
    title gives the parameters and the spike count.
    """
    cell = Izhikevich(a=a, b=b, c=c, d=d)
    t = time_axis(300.0, 0.05)
    drive = pulse_current(t, [(20.0, 280.0, I)])
    res = cell.simulate(drive, 0.05)
    title = (f"$a = {a:.3f}$, $b = {b:.2f}$, $c = {c:.0f}$ mV, $d = {d:.2f}$, $I = {I:.1f}$: "
             f"{spike_count_text(res.spike_times.size)}")
    return izhikevich_trace_figure(res, drive, cell, title=title)
