"""Figures of the Hodgkin-Huxley chapter: one function per figure, each returns the Figure.

All figures are :data:`~neurohelpers.plotting.style.TEXT_WIDTH` inches wide
(the report's text width), so the fonts of :func:`use_style` print at their
size; m/h/n use :data:`~neurohelpers.plotting.core.GATE_COLOURS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..integrate import SimulationResult
from ..stimulus import pulse_current, time_axis
from . import core
from .style import TEXT_WIDTH

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "hh_explore_figure",
    "hh_fi_figure",
    "hh_hysteresis_figure",
    "hh_initial_condition_figure",
    "hh_refractory_figure",
    "hh_trace_figure",
    "three_model_figure",
]

CURRENT_LABEL = r"$I$ ($\mu$A/cm$^2$)"
_SPIKE_LINE = {"color": "0.35", "ls": "--", "lw": 0.8}
_V_COLOUR = "#0072B2"  # Okabe-Ito blue: V, apart from the gate colours
_I_COLOUR = "#009E73"  # Okabe-Ito bluish green: the current, clearly apart from m (vermillion)


def _spike_criterion(ax, level: float = 0.0) -> None:
    ax.axhline(level, label=f"spike criterion ({level:g} mV)", **_SPIKE_LINE)


def hh_trace_figure(
    res: SimulationResult,
    current,
    *,
    title: str | None = None,
    gates: Sequence[str] | None = ("m", "h", "n"),
    height: float = 4.8,
) -> Figure:
    """Membrane potential, injected current and gates of one Hodgkin-Huxley run.

    The 0 mV line is drawn and labelled as the spike criterion (a spike is an
    upward crossing of it), not as a threshold.

    Parameters
    ----------
    res : SimulationResult
        A one-neuron run (modern frame).
    current : array_like
        Its input, uA/cm^2.
    title : str, optional
    gates : sequence of str or None
        Gates to draw in a third panel.
    height : float
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = core.trace_figure(res, current, gates=gates, current_label=CURRENT_LABEL,
                            voltage_label="$V$ (mV)", figsize=(TEXT_WIDTH, height))
    ax_v = fig.axes[0]
    for line in fig.axes[1].get_lines():
        line.set_color(_I_COLOUR)
    _spike_criterion(ax_v)
    handles, labels = ax_v.get_legend_handles_labels()
    keep = [k for k, label in enumerate(labels) if label != "V"]
    handles, labels = [handles[k] for k in keep], [labels[k] for k in keep]
    for ax in fig.axes:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    if gates:
        more = fig.axes[2].get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    fig.legend(handles, labels, loc="outside upper center", ncol=len(labels), fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def hh_initial_condition_figure(effect: dict, *, t_max: float = 50.0) -> Figure:
    """The first ``t_max`` ms from rest and from the 2020 state (V and gates).

    Parameters
    ----------
    effect : dict
        The result of :func:`neurohelpers.protocols.hh_initial_condition_effect`.
    t_max : float
        Time shown, ms.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    res = effect["res"]
    keep = res.t <= t_max
    t = res.t[keep]
    fig, (ax_v, ax_g) = plt.subplots(2, 1, sharex=True, figsize=(TEXT_WIDTH, 4.0),
                                     gridspec_kw={"height_ratios": [3, 2]})
    from matplotlib.lines import Line2D

    ax_v.plot(t, res.V[0, keep], color=_V_COLOUR)
    ax_v.plot(t, res.V[1, keep], color=_V_COLOUR, ls="--")
    ax_v.axhline(0.0, **_SPIKE_LINE)
    ax_v.set_ylabel("$V$ (mV)")
    handles = [Line2D([], [], color="0.55", label="solid: start at rest (steady state)"),
               Line2D([], [], color="0.55", ls="--",
                      label="dashed: 2020 start ($V$ 65 mV below rest, gates 0)"),
               Line2D([], [], label="spike criterion (0 mV)", **_SPIKE_LINE)]
    for name in ("m", "h", "n"):
        colour = core.GATE_COLOURS.get(name)
        ax_g.plot(t, res.state[name][0, keep], color=colour)
        ax_g.plot(t, res.state[name][1, keep], color=colour, ls="--")
        handles.append(Line2D([], [], color=colour, label=name))
    ax_g.set(xlabel="Time (ms)", ylabel="Gate value (1)", xlim=(0, t_max))
    fig.legend(handles=handles, loc="outside upper center", ncol=3, fontsize=7)
    for ax in (ax_v, ax_g):
        ax.grid(alpha=0.3)
    return fig


def hh_fi_figure(scan: dict, excitability: dict) -> Figure:
    """(a) Steady rate against step current; (b) range of V against current.

    Parameters
    ----------
    scan : dict
        :func:`neurohelpers.protocols.hh_fi_scan` output.
    excitability : dict
        :func:`neurohelpers.protocols.hh_excitability` output (markers).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    from ..tables import format_number

    fig, (ax_f, ax_v) = plt.subplots(1, 2, figsize=(TEXT_WIDTH, 3.4))
    I = scan["currents"]
    ax_f.plot(I, scan["rate"], color="tab:blue", lw=1.4, label="0 mV crossings")
    ax_f.plot(scan["range_currents"], scan["peak_rate"], "o", color="k", ms=2.2,
              label=f"peaks ({scan['peak_level']:g} mV crossings)")
    marks = [("sustained threshold", excitability["sustained"], "tab:orange", ":"),
             ("lower Hopf", excitability["hopf_low"], "tab:purple", "--"),
             ("last 0 mV crossings", excitability["last_firing"], "0.3", "-."),
             ("upper Hopf", excitability["hopf_high"], "tab:green", "--")]
    for ax in (ax_f, ax_v):
        for label, x, colour, ls in marks:
            ax.axvline(x, color=colour, ls=ls, lw=0.9, label=f"{label} ({format_number(x, 4)})")
        ax.set_xlabel(CURRENT_LABEL)
        ax.grid(alpha=0.3)
    ax_f.set(ylabel="Steady rate (Hz)", title="(a) rates, step from rest")
    curves = ax_f.get_legend_handles_labels()
    ax_f.legend(curves[0][:2], curves[1][:2], loc="lower right", fontsize=6.5)
    ax_v.fill_between(scan["range_currents"], scan["v_min"], scan["v_max"], color="tab:blue", alpha=0.3,
                      label="range of $V$")
    _spike_criterion(ax_v)
    ax_v.set(ylabel="$V$ (mV)", title="(b) range of $V$ in the steady state")
    handles, labels = ax_v.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=3, fontsize=7)
    return fig


def hh_hysteresis_figure(stair: dict, bistable: tuple[float, float], hopf: float) -> Figure:
    """Rate on each step of an up-and-down staircase, with the bistable range shaded.

    Parameters
    ----------
    stair : dict
        :func:`neurohelpers.protocols.hh_staircase` output.
    bistable : (low, high)
        Current range (uA/cm^2) where rest and firing are both stable.
    hopf : float
        Lower Hopf current, uA/cm^2.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    fig, ax = plt.subplots(figsize=(TEXT_WIDTH, 2.7))
    up, lv, rate = stair["rising"], stair["levels"], stair["rate"]
    from ..tables import format_number

    low, high = (format_number(x, 4) for x in bistable)
    ax.axvspan(*bistable, color="0.88", label=f"bistable: {low} to {high}")
    ax.axvline(hopf, color="tab:purple", ls="--", lw=0.9,
               label=f"lower Hopf ({format_number(hopf, 4)})")
    ax.plot(lv[up], rate[up], "o-", color="tab:blue", ms=3.5, label="current increasing")
    ax.plot(lv[~up], rate[~up], "s--", color="tab:orange", ms=3.5, mfc="none",
            label="current decreasing")
    ax.set(xlabel=CURRENT_LABEL, ylabel="Rate on the step (Hz)")
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=7)
    return fig


def hh_refractory_figure(pulses: dict, caps, periods) -> Figure:
    """Second-pulse threshold against the delay after the first spike.

    Parameters
    ----------
    pulses : dict
        :func:`neurohelpers.protocols.hh_paired_pulse_thresholds` output.
    caps, periods : array_like
        Test amplitudes (uA/cm^2) and their effective absolute refractory
        periods (ms), from :func:`neurohelpers.protocols.hh_refractory_periods`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    fig, ax = plt.subplots(figsize=(TEXT_WIDTH, 3.0))
    rest = pulses["rest_threshold"]
    ax.plot(pulses["delays"], pulses["threshold"], "o-", color="tab:blue", ms=3,
            label="second-pulse threshold")
    ax.axhline(rest, color="k", ls="--", lw=0.8, label=f"single pulse at rest ({rest:.2f})")
    ax.plot(periods, caps, "D", color="tab:red", ms=5,
            label="effective absolute refractory period at a cap")
    for cap, period in zip(caps, periods, strict=True):
        ax.annotate(f"{cap / rest:.0f}x: {period:.2f} ms", (period, cap), xytext=(5, 2),
                    textcoords="offset points", fontsize=7)
    ax.set_yscale("log")
    ax.set(xlabel="Delay of the test pulse after the first spike (ms)",
           ylabel=r"Threshold ($\mu$A/cm$^2$)", xlim=(0, float(np.max(pulses["delays"])) + 1))
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize=7)
    return fig


def three_model_figure(norm, rates: dict) -> Figure:
    """Steady f-I curves of several models against current / the current at which rest loses stability.

    Parameters
    ----------
    norm : array_like
        Normalised currents (1).
    rates : dict
        name -> rates (Hz) at ``norm``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    fig, ax = plt.subplots(figsize=(TEXT_WIDTH, 2.8))
    styles = ["-", "--", "-."]
    for i, (name, r) in enumerate(rates.items()):
        ax.plot(norm, r, ls=styles[i % 3], color=f"C{i}", lw=1.4, label=name)
    ax.set(xlabel="Input current / current at which rest loses stability (1)",
           ylabel="Steady rate (Hz)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7)
    return fig


def hh_explore_figure(
    model,
    amplitude: float,
    duration: float,
    gates: bool = True,
    *,
    onset: float = 20.0,
    total: float = 200.0,
    dt: float = 0.02,
) -> Figure:
    """Run one current pulse from rest and draw it (for the notebook's sliders).

    Parameters
    ----------
    model : HodgkinHuxley
    amplitude : float
        Pulse amplitude, uA/cm^2.
    duration : float
        Pulse length, ms (from ``onset``).
    gates : bool
        Draw the m, h, n panel.
    onset, total, dt : float
        Pulse start, run length and time step, ms.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = time_axis(total, dt)
    drive = pulse_current(t, [(onset, onset + duration, amplitude)])
    res = model.simulate(drive, dt)
    n = int(np.size(res.spike_times))
    title = (f"{amplitude:.1f} $\\mu$A/cm$^2$ for {duration:.0f} ms: "
             f"{n} spike{'' if n == 1 else 's'}")
    return hh_trace_figure(res, drive, title=title, gates=("m", "h", "n") if gates else None)
