"""Figures of the LIF chapter: one function per figure, each returns the Figure.

Every figure is ``TEXT_WIDTH`` inches wide (the report's text width) and uses
the fonts of :func:`~neurohelpers.plotting.use_style`; legends sit outside the
axes or in a corner that holds no data. The inputs are the dicts returned by
the protocols in :mod:`neurohelpers.protocols.lif`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from .core import with_spike_peaks
from .style import TEXT_WIDTH

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "artefact_2020_figure",
    "lif_explore_figure",
    "lif_fi_figure",
    "lif_pulse_figure",
    "limitations_figure",
    "rate_error_figure",
    "rate_saturation_figure",
    "strong_current_figure",
    "weak_current_figure",
]

#: Colours of the two neurons compared in Questions 2.1-2.2 (colour-blind safe pair).
IF_COLOUR, LIF_COLOUR = "tab:orange", "tab:blue"
_V = "$V$ (mV)"
_T = "$t$ (ms)"
_I = "$I$ (nA)"
_F = "$f$ (Hz)"


def _subplots(nrows: int = 1, ncols: int = 1, height: float = 2.8, **kwargs):
    import matplotlib.pyplot as plt  # deferred: pyplot costs 0.5 s to import

    return plt.subplots(nrows, ncols, figsize=(TEXT_WIDTH, height), layout="constrained", **kwargs)


def _outside_legend(fig, ax, ncol: int = 3) -> None:
    """One legend below the axes, outside the data."""
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=ncol, frameon=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def weak_current_figure(runs: dict) -> Figure:
    """IF and LIF membrane potential under a weak constant current (Question 2.1).

    ``runs`` from :func:`~neurohelpers.protocols.constant_current_runs`. Draws
    both traces (IF spikes as lines to 0 mV), the threshold and the LIF
    asymptote ``V_rest + R I``.
    """
    fig, ax = _subplots(height=2.9)
    lif, res_if, res_lif = runs["models"]["LIF"], runs["runs"]["IF"], runs["runs"]["LIF"]
    ax.plot(*with_spike_peaks(runs["t"], res_if.V, res_if.spike_times, 0.0), color=IF_COLOUR,
            label="IF (no leak)")
    ax.plot(runs["t"], res_lif.V, color=LIF_COLOUR, lw=1.5, label="LIF")
    ax.axhline(lif.V_th, color="0.3", ls="--", lw=0.8, label=r"threshold $V_\mathrm{th}$")
    ax.axhline(runs["V_inf"], color=LIF_COLOUR, ls=":", lw=1.2,
               label=r"LIF asymptote $V_\mathrm{rest}+RI$")
    ax.set(xlabel=_T, ylabel=_V, ylim=(lif.V_rest - 2.0, 2.0), xlim=(runs["t"][0], runs["t"][-1]))
    _outside_legend(fig, ax, ncol=4)
    return fig


def strong_current_figure(runs: dict, fi: dict, *, t_max: float = 40.0) -> Figure:
    """IF and LIF under a strong current: (a) traces, (b) steady f-I with closed forms (Question 2.2).

    ``runs`` from :func:`~neurohelpers.protocols.constant_current_runs`, ``fi``
    from :func:`~neurohelpers.protocols.lif_fi_curves`.
    """
    fig, (ax_v, ax_f) = _subplots(1, 2, height=2.9)
    t = runs["t"]
    for name, colour in (("IF", IF_COLOUR), ("LIF", LIF_COLOUR)):
        res = runs["runs"][name]
        ax_v.plot(*with_spike_peaks(t, res.V, res.spike_times, 0.0), color=colour, label=name)
    ax_v.set(xlim=(0, t_max), xlabel=_T, ylabel=_V, title=f"(a) $I$ = {runs['I'][0]:g} nA")
    I = fi["currents"]
    ax_f.plot(I, fi["isi_if"], color=IF_COLOUR, lw=3, alpha=0.45, label="IF simulated")
    ax_f.plot(I, fi["isi"], color=LIF_COLOUR, lw=3, alpha=0.45, label="LIF simulated")
    ax_f.plot(I, fi["formula_if"], "k--", lw=0.9, label="IF closed form")
    ax_f.plot(I, fi["formula"], "k:", lw=1.2, label="LIF closed form")
    t_ref = runs["models"]["LIF"].t_ref
    ax_f.set(xlabel=_I, ylabel=_F, title=rf"(b) steady rate, $t_\mathrm{{ref}}$ = {t_ref:g} ms")
    _outside_legend(fig, ax_f, ncol=4)
    return fig


def limitations_figure(lim: dict) -> Figure:
    """Four panels, each a LIF limitation beside a model with the mechanism (Question 2.3).

    ``lim`` from :func:`~neurohelpers.protocols.lif_limitations`.
    """
    fig, axes = _subplots(2, 2, height=5.2)
    a, b, c, d = lim["a"], lim["b"], lim["c"], lim["d"]
    ax = axes[0, 0]
    for key, label, marker in (("LIF", "LIF, 3 nA", "o"), ("RS", "Izhikevich RS, $I$ = 10", "s")):
        isi = np.diff(a[key])
        ax.plot(np.arange(1, isi.size + 1), isi, marker + "-", ms=3, label=label)
    ax.set(xlabel="interval number", ylabel="ISI (ms)", title="(a) adaptation", ylim=(0, None))
    ax.legend(loc="center right")
    ax = axes[0, 1]
    lif_b = b["LIF"]
    ax.plot(b["t"], b["HH"].V, color="tab:green", label="Hodgkin-Huxley")
    ax.plot(*with_spike_peaks(b["t"], lif_b.V, lif_b.spike_times, 0.0), color=LIF_COLOUR,
            label="LIF: threshold, reset")
    ax.set(xlabel=_T, ylabel=_V, title="(b) spike shape and reset", ylim=(-80, 75))
    ax.legend(loc="upper right", ncol=1)
    ax = axes[1, 0]
    ax.axvspan(*c["pulse"], color="0.9", lw=0)
    ax.plot(c["t"], c["LIF"].V, color=LIF_COLOUR, label="LIF, $-1$ nA")
    tc = c["TC"]
    ax.plot(*with_spike_peaks(c["t"], tc.V, tc.spike_times, 30.0), color="tab:purple", lw=0.8,
            label="Izhikevich TC, $I = -10$")
    ax.set(xlabel=_T, ylabel=_V, title="(c) rebound after inhibition (grey: pulse)", ylim=(-95, 60))
    ax.legend(loc="upper left", ncol=2)
    ax = axes[1, 1]
    ax.plot(d["currents"], d["rates"], color=LIF_COLOUR, label="no shunt")
    ax.plot(d["currents"], d["rates_shunted"], color="tab:red", label=f"shunt, $g_sR$ = {d['gR']:g}")
    shown = d["currents"] <= 10.0
    ax.set(xlabel=_I, ylabel=_F, title="(d) a shunt shifts the f-I curve", xlim=(0, 10),
           ylim=(-10, 1.1 * d["rates"][shown].max()))
    ax.legend(loc="lower right")
    return fig


def lif_pulse_figure(q: dict) -> Figure:
    """Question 3.1: (a) sub-threshold pulses and decay, (b) regular spiking; V above, I below.

    ``q`` from :func:`~neurohelpers.protocols.lif_pulse_protocol`. Spikes are
    drawn as lines to 0 mV at their (sub-step) times.
    """
    fig, axes = _subplots(2, 2, height=3.6, sharex=True, gridspec_kw={"height_ratios": [2.6, 1]})
    model, t = q["model"], q["t"]
    for col, key, title in ((0, "a", "(a) sub-threshold pulses"), (1, "b", "(b) sustained pulse")):
        ax_v, ax_i = axes[0, col], axes[1, col]
        ax_v.plot(*with_spike_peaks(t, q["V_" + key], q["spikes_" + key], 0.0), color=LIF_COLOUR)
        ax_v.axhline(model.V_th, color="0.3", ls="--", lw=0.8)
        ax_v.text(t[-1], model.V_th + 1.0, r"$V_\mathrm{th}$", ha="right", va="bottom")
        ax_v.set(ylabel=_V, title=f"{title}: {_plural(int(q['spikes_' + key].size), 'spike')}")
        ax_i.step(t, q["I_" + key], where="post", color="tab:orange")
        ax_i.set(xlabel=_T, ylabel=_I, ylim=(-0.1 * q["I_" + key].max(), 1.15 * q["I_" + key].max()))
    axes[0, 0].set_ylim(model.V_rest - 2.0, model.V_th + 5.0)
    return fig


def lif_fi_figure(fi: dict, model) -> Figure:
    """Question 3.2: f-I curve in the pulse window by count and from the intervals, with closed forms.

    ``fi`` from :func:`~neurohelpers.protocols.lif_fi_curves`.
    """
    fig, ax = _subplots(height=3.1)
    I = fi["currents"]
    t_ref = rf"$t_\mathrm{{ref}}$ = {model.t_ref:g} ms"
    ax.plot(I, fi["count"], color="0.55", lw=1.0, label=f"spike count / window, {t_ref}")
    ax.plot(I, fi["isi"], color=LIF_COLOUR, lw=3, alpha=0.45, label=f"1 / mean ISI, {t_ref}")
    ax.plot(I, fi["isi_noref"], color="tab:red", lw=3, alpha=0.45, label=r"1 / mean ISI, no $t_\mathrm{ref}$")
    ax.plot(I, fi["formula"], "k--", lw=0.9, label="closed form")
    ax.plot(I, fi["formula_noref"], "k--", lw=0.9)
    ax.axvline(model.rheobase, color="0.3", ls=":", lw=1.0, label=f"rheobase {model.rheobase:g} nA")
    ax.set(xlabel=_I, ylabel=_F, xlim=(I[0], I[-1]))
    _outside_legend(fig, ax, ncol=3)
    return fig


def rate_saturation_figure(fi: dict, model) -> Figure:
    """Question 3.3: LIF rate over decades of current (log-log), with and without t_ref.

    ``fi`` from :func:`~neurohelpers.protocols.lif_fi_curves` on a log-spaced grid.
    """
    fig, ax = _subplots(height=3.0)
    I = fi["currents"]
    ceiling = 1000.0 / model.t_ref
    t_ref = rf"$t_\mathrm{{ref}}$ = {model.t_ref:g} ms"
    ax.plot(I, fi["isi"], color=LIF_COLOUR, lw=3, alpha=0.45, label=t_ref)
    ax.plot(I, fi["isi_noref"], color="tab:red", lw=3, alpha=0.45, label=r"no $t_\mathrm{ref}$")
    # closed forms from just above the rheobase, where the rate leaves 0 with infinite slope
    dense = model.rheobase * (1.0 + np.geomspace(1e-9, I[-1] / model.rheobase - 1.0, 600))
    ax.plot(dense, model.rate(dense), "k--", lw=0.8, label="closed forms")
    ax.plot(dense, dataclasses.replace(model, t_ref=0.0).rate(dense), "k--", lw=0.8)
    ax.axhline(ceiling, color="0.3", ls="--", lw=0.8, label=rf"$1/t_\mathrm{{ref}}$ = {ceiling:g} Hz")
    ax.set(xscale="log", yscale="log", xlabel=_I, ylabel=_F, ylim=(5, 3 * np.nanmax(fi["isi_noref"])))
    ax.legend(loc="upper left")
    return fig


def artefact_2020_figure(art: dict) -> Figure:
    """Question 3.3: the 2020 f-I parameter set by the 2020 loop, forward Euler and exact (log rate).

    ``art`` from :func:`~neurohelpers.protocols.fi_2020_artefact`.
    """
    fig, ax = _subplots(height=3.3)
    I = art["currents"]
    styles = [("tab:red", "-", 2.2), ("tab:orange", "--", 1.4), ("tab:green", "-", 1.4),
              (LIF_COLOUR, "-", 3.0)]
    for (label, rates), (colour, ls, lw) in zip(art["curves"].items(), styles, strict=True):
        alpha = 0.45 if lw > 2.5 else 1.0
        ax.plot(I, rates / 1000.0, color=colour, ls=ls, lw=lw, alpha=alpha, label=label)
    ax.plot(I, art["analytic"] / 1000.0, "k:", lw=1.0, label="closed form")
    ax.axvline(art["rheobase"], color="0.3", ls="-.", lw=0.8, label=f"rheobase {art['rheobase']:g} nA")
    for dt in (0.02, 0.01):
        ax.text(0.55 * I[-1], 1.08 / dt, f"$1/dt$ = {1 / dt:g} kHz ($dt$ = {dt:g} ms)", va="bottom")
    ax.set(yscale="log", ylim=(1, 5e3), xlim=(I[0], I[-1]), xlabel=_I, ylabel="$f$ (kHz)")
    _outside_legend(fig, ax, ncol=2)
    return fig


def rate_error_figure(err: dict) -> Figure:
    """Relative rate error against dt for forward Euler and the exact update (log-log).

    ``err`` from :func:`~neurohelpers.protocols.rate_error_vs_dt`; the exact
    errors are floored at 1e-16 to show on a log axis.
    """
    fig, ax = _subplots(height=2.9)
    steps = err["steps"]
    ax.loglog(steps, err["euler"], "o-", ms=3, label="forward Euler")
    ax.loglog(steps, np.maximum(err["exact"], 1e-16), "s-", ms=3, label=r"exact update (floor $10^{-16}$)")
    ax.loglog(steps, steps * err["target"] / 1000.0, "k:", lw=1, label=r"bound $dt/\mathrm{ISI}$ (slope 1)")
    ax.set(xlabel="$dt$ (ms)", ylabel="relative rate error")
    _outside_legend(fig, ax, ncol=3)
    return fig


def lif_explore_figure(model, current: float, *, dt: float = 0.02) -> Figure:
    """One LIF neuron under a ``current`` nA pulse at 20-80 ms (the interactive cell's figure).

    The title gives the parameters at the precision of the notebook's sliders
    and the spike count and rate in the pulse window.
    """
    from ..analysis import firing_rate
    from ..stimulus import pulse_current, time_axis

    t = time_axis(100.0, dt)
    drive = pulse_current(t, [(20.0, 80.0, current)])
    res = model.simulate(drive, dt)
    fig, (ax_v, ax_i) = _subplots(2, 1, height=3.2, sharex=True, gridspec_kw={"height_ratios": [2.6, 1]})
    ax_v.plot(*with_spike_peaks(t, res.V, res.spike_times, 0.0), color=LIF_COLOUR)
    ax_v.axhline(model.V_th, color="0.3", ls="--", lw=0.8)
    rate = firing_rate(res.spike_times, (20.0, 80.0))
    ax_v.set(ylabel=_V, title=(
        rf"$I$ = {current:.1f} nA, $R$ = {model.R:.0f} M$\Omega$, $C$ = {model.C:.1f} nF, "
        rf"$t_\mathrm{{ref}}$ = {model.t_ref:.1f} ms: {_plural(int(res.spike_times.size), 'spike')}, "
        f"{rate:.0f} Hz"))
    ax_i.step(t, drive, where="post", color="tab:orange")
    ax_i.set(xlabel=_T, ylabel=_I)
    return fig
