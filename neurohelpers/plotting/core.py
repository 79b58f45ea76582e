"""Standard figures: membrane potential / input / gates panels, and f-I curves.

Every function returns the :class:`matplotlib.figure.Figure` it made (through
pyplot, so notebooks show it inline) and never calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..integrate import SimulationResult

__all__ = ["GATE_COLOURS", "GATE_LINESTYLES", "fi_figure", "phase_plane_figure", "trace_figure",
           "with_spike_peaks"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours of the gating variables (Okabe-Ito palette): m vermillion, h sky blue,
#: n black; u (Izhikevich recovery) bluish green. Chosen by the smallest pairwise
#: CIELAB distance of m, h, n under normal vision and simulated protanopia,
#: deuteranopia and tritanopia (Machado et al. 2009, severity 1): at least 72
#: for every view (the former red/purple/green: 7 under deuteranopia).
GATE_COLOURS = {"m": "#D55E00", "h": "#56B4E9", "n": "#000000", "u": "#009E73"}
#: Line styles of the gates, so they also differ in grey-scale print.
GATE_LINESTYLES = {"m": "-", "h": "--", "n": "-.", "u": "-"}
VOLTAGE_COLOUR = "#0072B2"
CURRENT_COLOUR = "#E69F00"
TRAJECTORY_COLOUR = "#D55E00"


def with_spike_peaks(t, V, spike_times, peak: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a point ``(t_spike, peak)`` at each spike so reset models draw a spike.

    Models with a reset (LIF, Izhikevich) jump from threshold to the reset value
    inside a step, so the sampled trace shows no spike. Drawing each spike as a
    line up to ``peak`` (mV) is the usual display convention; the returned
    arrays are for plotting only.
    """
    t = np.asarray(t, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    s = np.asarray(spike_times, dtype=np.float64)
    if t.ndim != 1 or V.shape != t.shape or s.ndim != 1:
        raise ValueError(
            "with_spike_peaks takes one trace: t and V 1-D of the same length and a 1-D array of "
            f"spike times; got t {t.shape}, V {V.shape}, spike_times {s.shape} (plot a batch row by row)"
        )
    where = np.searchsorted(t, s, side="right")
    return np.insert(t, where, s), np.insert(V, where, np.full(s.size, float(peak)))


def trace_figure(
    res: SimulationResult,
    current,
    *,
    current_label: str = "Input current (nA)",
    voltage_label: str = "Membrane potential (mV)",
    title: str | None = None,
    spike_peak: float | None = None,
    show_spikes: bool = True,
    gates: Sequence[str] | None = None,
    state_label: str | None = None,
    threshold: float | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Membrane potential, input current and (optionally) gate panels over time.

    Parameters
    ----------
    res : SimulationResult
        A 1-D run (one neuron).
    current : array_like, shape (n,)
        The input that drove it, in the unit named by ``current_label``.
    current_label, voltage_label : str
        y-axis labels, with units.
    title : str, optional
        Figure title.
    spike_peak : float, optional
        Draw each spike as a line to this voltage (mV) (for reset models).
    show_spikes : bool
        Mark spike times with ticks above the trace.
    gates : sequence of str, optional
        Names in ``res.state`` to draw in a third panel (e.g. ``("m", "h", "n")``).
    state_label : str, optional
        y-label of that panel; default "Gate value (1)" for HH gates.
    threshold : float, optional
        Draw a dashed line at this voltage (mV).
    figsize : (width, height), optional
        Inches; default (9, 5.5), (9, 7.5) with gates.

    Returns
    -------
    matplotlib.figure.Figure
    """
    V = np.asarray(res.V)
    if V.ndim != 1:
        raise ValueError("trace_figure draws one neuron; pass a 1-D simulation result")
    current = np.asarray(current, dtype=np.float64)
    if current.shape != V.shape:
        raise ValueError(f"current has shape {current.shape}, the trace {V.shape}")
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    n_panels = 3 if gates else 2
    if figsize is None:
        figsize = (9.0, 7.5) if gates else (9.0, 5.5)
    ratios = [3, 1.2, 2][:n_panels]
    fig, axes = plt.subplots(
        n_panels, 1, sharex=True, figsize=figsize, gridspec_kw={"height_ratios": ratios},
        constrained_layout=True,
    )
    ax_v, ax_i = axes[0], axes[1]
    t_plot, V_plot = res.t, V
    if spike_peak is not None and len(res.spike_times):
        t_plot, V_plot = with_spike_peaks(res.t, V, res.spike_times, spike_peak)
    ax_v.plot(t_plot, V_plot, color=VOLTAGE_COLOUR, lw=1.2, label="V")
    if threshold is not None:
        ax_v.axhline(threshold, color="0.4", ls="--", lw=0.8, label="threshold")
    spikes = np.asarray(res.spike_times)
    if show_spikes and spikes.size:
        top = np.nanmax(V_plot)
        ax_v.plot(spikes, np.full(spikes.size, top + 0.06 * (top - np.nanmin(V_plot))),
                  "|", color="k", ms=8, label=f"spikes ({spikes.size})")
    ax_v.set_ylabel(voltage_label)
    ax_v.legend(loc="upper right", fontsize=8)
    ax_i.step(res.t, current, where="post", color=CURRENT_COLOUR, lw=1.2)
    ax_i.set_ylabel(current_label)
    if gates:
        ax_g = axes[2]
        for name in gates:
            ax_g.plot(res.t, res.state[name], color=GATE_COLOURS.get(name), ls=GATE_LINESTYLES.get(name, "-"),
                      lw=1.1, label=name)
        ax_g.set_ylabel(state_label or ("Gate value (1)" if set(gates) <= {"m", "h", "n"} else "State"))
        ax_g.legend(loc="upper right", fontsize=8, ncol=len(gates))
    axes[-1].set_xlabel("Time (ms)")
    for ax in axes:
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig


def fi_figure(
    currents,
    rates,
    *,
    label: str = "simulated",
    analytic=None,
    analytic_label: str = "analytic",
    current_label: str = "Input current (nA)",
    title: str | None = None,
    markers: dict[str, float] | None = None,
    ax=None,
    figsize: tuple[float, float] = (7.0, 4.5),
) -> Figure:
    """Firing rate against current.

    Parameters
    ----------
    currents, rates : array_like
        Current (unit in ``current_label``) and rate (Hz).
    label : str
        Legend entry of the simulated curve.
    analytic : array_like, optional
        Rates (Hz) of an analytic curve at the same currents, drawn dashed.
    markers : dict of str to float, optional
        Vertical lines at named currents (e.g. ``{"rheobase": 1.5}``).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure (more curves on one plot).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

        fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    else:
        fig = ax.figure
    ax.plot(currents, rates, lw=1.8, label=label)
    if analytic is not None:
        ax.plot(currents, analytic, "k--", lw=1.0, label=analytic_label)
    for i, (name, value) in enumerate((markers or {}).items()):
        ax.axvline(value, color=f"C{i + 3}", ls=":", lw=1.2, label=f"{name} = {value:.3g}")
    ax.set_xlabel(current_label)
    ax.set_ylabel("Firing rate (Hz)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def phase_plane_figure(
    model,
    res: SimulationResult,
    currents: Sequence[float] = (0.0,),
    *,
    v_range: tuple[float, float] = (-80.0, 35.0),
    title: str | None = None,
    figsize: tuple[float, float] = (8.0, 5.0),
) -> Figure:
    """(v, u) phase plane of an Izhikevich neuron with a simulated trajectory.

    Draws the v-nullcline for each input in ``currents``, the u-nullcline, the
    equilibria (filled: stable, open: unstable) and the trajectory of ``res``
    (a 1-D run), with each reset drawn as a dashed jump from
    ``(v_peak, u)`` to ``(c, u + d)``. ``u`` before the jump is taken from the
    sample that starts the step in which the spike falls (a spike at a sample
    time ends the step before it).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    v = np.linspace(*v_range, 400)
    for i, current in enumerate(currents):
        u_v, u_u = model.nullclines(v, current)
        ax.plot(v, u_v, color=f"C{i}", lw=1.5, label=f"v-nullcline, I = {current:g}")
        for fp in model.fixed_points(current):
            ax.plot(fp["v"], fp["u"], "o", ms=8, color=f"C{i}",
                    mfc=f"C{i}" if fp["stable"] else "white", zorder=5)
    ax.plot(v, u_u, "k", lw=1.2, label="u-nullcline, u = b v")
    V, U = np.asarray(res.V), np.asarray(res.state["u"])
    spikes = np.asarray(res.spike_times)
    # a spike in (t_k, t_k+1] belongs to step k; one at the very first sample to step 0
    steps = np.clip(np.searchsorted(res.t, spikes, side="left") - 1, 0, max(V.size - 2, 0))
    start = 0
    for n, k in enumerate(steps):
        ax.plot(np.append(V[start : k + 1], model.v_peak), np.append(U[start : k + 1], U[k]),
                color=TRAJECTORY_COLOUR, lw=0.9, label="trajectory" if n == 0 else None)
        ax.plot([model.v_peak, model.c], [U[k], U[k + 1]], ls="--", color="0.4", lw=0.8,
                label="reset v -> c, u -> u + d" if n == 0 else None)
        start = k + 1
    ax.plot(V[start:], U[start:], color=TRAJECTORY_COLOUR, lw=0.9, label=None if steps.size else "trajectory")
    u_all = np.concatenate([U, model.nullclines(np.array(v_range), 0.0)[1]])
    pad = 0.15 * np.ptp(u_all) + 1.0
    ax.set(xlim=v_range, ylim=(u_all.min() - pad, u_all.max() + pad),
           xlabel="Membrane potential v (mV)", ylabel="Recovery variable u (model units)")
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    return fig
