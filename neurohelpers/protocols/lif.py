"""Protocols (experiments) for the LIF chapter; see :mod:`neurohelpers.protocols`.

Units: time ms, voltage mV, current nA, C nF, R MOhm, rates Hz. Functions that
feed a results table return an ordered ``dict`` of columns (header -> list of
cell values), ready for ``nh.tables.markdown_table(list(cols), zip(*cols.values()))``.

:func:`lif_loop_2020` re-implements, for the record, the forward-Euler loop of
the 2020 solution, including its bug (the step after a spike computes the leak
from the stored spike value).
"""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from .. import _checks
from ..analysis import convergence_order, decay_time_constant, firing_rate, isi_statistics
from ..hodgkin_huxley import HodgkinHuxley
from ..izhikevich import Izhikevich
from ..lif import LIF
from ..stimulus import pulse_current, time_axis
from ..tables import MarkdownTable, markdown_table
from .common import fi_curve

__all__ = [
    "LOOP_2020",
    "columns_table",
    "constant_current_runs",
    "fi_2020_artefact",
    "fi_curve_loop_2020",
    "if_counterpart",
    "lif_fi_curves",
    "lif_limitations",
    "lif_loop_2020",
    "lif_pulse_protocol",
    "loop_2020_regimes",
    "loop_2020_thresholds",
    "pulse_table",
    "rate_error_vs_dt",
    "rate_gap_table",
    "shunting_shift",
    "steady_fi_curves",
    "weak_current_table",
]


#: Fixed values of the 2020 LIF loop: time step (ms), rest, threshold and stored spike value (mV).
LOOP_2020 = MappingProxyType({"dt": 0.02, "V_rest": -65.0, "V_th": 30.0, "V_spike": 80.0})


def columns_table(columns: dict, digits: int = 4) -> MarkdownTable:
    """A results table from an ordered dict of columns (header -> equally long list of cells)."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns must all have the same length, got lengths {sorted(lengths)}")
    return markdown_table(list(columns), list(zip(*columns.values(), strict=True)), digits=digits)


def if_counterpart(model: LIF) -> LIF:
    """The perfect integrate-and-fire neuron with the same C, potentials and t_ref (R = inf)."""
    return dataclasses.replace(model, R=math.inf)


def _first_spike_formula(model: LIF, current: float) -> float:
    """Closed-form time (ms) of the first spike from V_rest under constant current (NaN if none)."""
    gap = model.V_th - model.V_rest
    if math.isinf(model.R):
        return model.C * gap / current if current > 0 else math.nan
    drive = model.R * current
    return model.tau * math.log(drive / (drive - gap)) if drive > gap else math.nan


def constant_current_runs(model: LIF, current: float, *, duration: float = 200.0, dt: float = 0.02) -> dict:
    """Run an LIF neuron and its IF counterpart under the same constant current.

    Parameters
    ----------
    model : LIF
        The leaky neuron; the IF neuron is :func:`if_counterpart` of it.
    current : float
        Constant input, nA, from t = 0.
    duration, dt : float
        Run length and time step, ms.

    Returns
    -------
    dict
        ``t`` (ms), ``I`` (nA), ``models`` and ``runs`` (``{"IF": ..., "LIF": ...}``),
        ``V_inf`` (LIF asymptote V_rest + R I, mV) and ``table``: columns with the
        first spike (simulated and closed form, ms) and the steady rate (from the
        intervals and closed form, Hz) of both neurons.
    """
    _checks.finite("current", current)
    t = time_axis(duration, dt)
    drive = np.full(t.size, float(current))
    models = {"IF": if_counterpart(model), "LIF": model}
    runs = {name: m.simulate(drive, dt) for name, m in models.items()}
    table = {
        "model": list(models),
        "spikes": [int(r.spike_times.size) for r in runs.values()],
        "first spike (ms)": [float(r.spike_times[0]) if r.spike_times.size else None for r in runs.values()],
        "closed form (ms)": [_first_spike_formula(m, current) for m in models.values()],
        "rate (Hz)": [firing_rate(r.spike_times, (0.0, duration + dt), method="isi") for r in runs.values()],
        "closed form (Hz)": [float(m.rate(current)) for m in models.values()],
    }
    return {"t": t, "I": drive, "models": models, "runs": runs,
            "V_inf": model.V_rest + model.R * current, "table": table}


def weak_current_table(model: LIF, currents: ArrayLike, *, dt: float = 0.1) -> dict:
    """First IF spike and final LIF potential for small constant currents.

    Each current runs for twice the closed-form IF first-spike time (at least
    10 tau_m), so the LIF neuron has settled at its asymptote.

    Returns
    -------
    dict
        Columns: current (nA), IF first spike simulated and C (V_th - V_rest) / I
        (ms), LIF spike count, LIF potential at the end and V_rest + R I (mV).
    """
    currents = np.asarray(currents, dtype=np.float64)
    if currents.ndim != 1 or currents.size == 0 or np.any(currents <= 0):
        raise ValueError("currents must be a non-empty 1-D array of positive values (nA)")
    perfect = if_counterpart(model)
    formula = np.array([_first_spike_formula(perfect, i) for i in currents])
    duration = max(2.0 * formula.max(), 10.0 * model.tau)
    shape = np.ones(time_axis(duration, dt).size)
    if_runs = perfect.simulate(shape, dt, record=False, gain=currents)
    lif_runs = model.simulate(shape, dt, gain=currents)
    return {
        "$I$ (nA)": list(currents),
        "IF first spike (ms)": [float(s[0]) if s.size else None for s in if_runs.spike_times],
        r"$C(V_\mathrm{th}-V_\mathrm{rest})/I$ (ms)": list(formula),
        "LIF spikes": [int(s.size) for s in lif_runs.spike_times],
        "LIF $V$ at end (mV)": list(lif_runs.V[:, -1]),
        r"$V_\mathrm{rest}+RI$ (mV)": list(model.V_rest + model.R * currents),
    }


def _steady_rates(model: LIF, currents: ArrayLike, dt: float, duration: float) -> np.ndarray:
    """Rate from the intervals of a constant-current run, Hz."""
    return fi_curve(model, currents, dt=dt, duration=duration, onset=0.0, offset=duration, measure="isi")


def lif_fi_curves(model: LIF, currents: ArrayLike, *, dt: float = 0.02, duration: float = 100.0,
                  onset: float = 20.0, offset: float = 80.0) -> dict:
    """f-I curves of the LIF neuron, its IF counterpart and both without refractory period.

    Rates are measured in the pulse window ``onset <= t < offset`` (ms) by
    count and from the intervals; closed forms come from ``LIF.rate``.

    Returns
    -------
    dict
        ``currents`` (nA) and, in Hz: ``count``, ``isi`` (LIF), ``isi_if`` (IF),
        ``isi_noref`` (LIF with t_ref = 0), and the closed forms ``formula``,
        ``formula_if``, ``formula_noref``; ``max_error``: the largest
        |interval rate - closed form| of the three where >= 2 spikes fall in the window.
        Interval rates are NaN where the neuron fires (closed form > 0) but fewer
        than 2 spikes fall in the window. ``onset_count`` and ``onset_isi`` (nA):
        closed-form currents above which 1 and 2 spikes (LIF, with t_ref) fall in it.
    """
    currents = np.asarray(currents, dtype=np.float64)
    models = {"": model, "_if": if_counterpart(model), "_noref": dataclasses.replace(model, t_ref=0.0)}
    out: dict = {"currents": currents}
    window = {"dt": dt, "duration": duration, "onset": onset, "offset": offset}
    out["count"] = fi_curve(model, currents, **window)
    errors = []
    for suffix, m in models.items():
        isi = fi_curve(m, currents, measure="isi", **window)
        out["formula" + suffix] = m.rate(currents)
        # fewer than 2 spikes in the window although the neuron fires: not measurable, not 0 Hz
        isi[(isi == 0) & (out["formula" + suffix] > 0)] = np.nan
        out["isi" + suffix] = isi
        fired = isi > 0
        errors.append(np.max(np.abs(isi - out["formula" + suffix])[fired], initial=0.0))
    out["max_error"] = float(max(errors))
    out["onset_count"] = _window_onset(model, offset - onset, spikes=1)
    out["onset_isi"] = _window_onset(model, offset - onset, spikes=2)
    return out


def _window_onset(model: LIF, window: float, *, spikes: int) -> float:
    """Current (nA) above which ``spikes`` (1 or 2) spikes from rest fall within ``window`` ms.

    Closed forms: first spike at :func:`_first_spike_formula`, the next one
    period ``1000 / rate`` later; found by bisection on the current.
    """

    def last_spike(current: float) -> float:
        rate = float(model.rate(current))
        if rate <= 0.0:
            return math.inf
        return _first_spike_formula(model, current) + (1000.0 / rate if spikes == 2 else 0.0)

    low = model.rheobase if not math.isinf(model.R) else 0.0
    high = max(2.0 * low, 1e-3)
    while not last_spike(high) < window:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        low, high = (low, mid) if last_spike(mid) < window else (mid, high)
    return high


def steady_fi_curves(model: LIF, currents: ArrayLike, *, dt: float = 0.1, duration: float = 1000.0) -> dict:
    """:func:`lif_fi_curves` for constant currents from t = 0, rates over the whole run (steady rates)."""
    return lif_fi_curves(model, currents, dt=dt, duration=duration, onset=0.0, offset=duration)


def rate_gap_table(model: LIF, currents: ArrayLike, *, dt: float = 0.02, duration: float = 200.0) -> dict:
    """IF rate minus LIF rate at the same current, with and without refractory period.

    Rates come from the intervals of constant-current runs. A last row gives
    the large-current limits: the gap tends to 1 / (2 tau_m) without a
    refractory period (f_LIF = I / (C dV) - 1/(2 tau_m) + O(1/I) with
    dV = V_th - V_reset, for V_reset = V_rest) and to 0 with one (both rates
    approach 1 / t_ref).

    Returns
    -------
    dict
        Columns: current (nA), IF and LIF rate with t_ref and their gap, and
        the same without t_ref (Hz).
    """
    currents = np.asarray(currents, dtype=np.float64)
    noref = dataclasses.replace(model, t_ref=0.0)
    cols: dict = {"$I$ (nA)": list(currents)}
    for label, m in ((r"$t_\mathrm{ref}$", model), (r"no $t_\mathrm{ref}$", noref)):
        f_if = _steady_rates(if_counterpart(m), currents, dt, duration)
        f_lif = _steady_rates(m, currents, dt, duration)
        cols[f"IF, {label} (Hz)"] = [*f_if, None]
        cols[f"LIF, {label} (Hz)"] = [*f_lif, None]
        limit = 0.0 if m.t_ref > 0 else 1000.0 / (2.0 * model.tau)
        cols[f"gap, {label} (Hz)"] = [*(f_if - f_lif), limit]
    cols["$I$ (nA)"].append(r"$\to\infty$")
    return cols


def shunting_shift(model: LIF, gR: float = 1.0, rates: ArrayLike = (50.0, 100.0, 200.0, 400.0), *,
                   currents: ArrayLike | None = None, dt: float = 0.02, duration: float = 200.0) -> dict:
    """How a shunting conductance moves the f-I curve: measured shift and ratio.

    A conductance g_s with reversal potential V_rest adds the current
    -g_s (V - V_rest); the neuron is then an LIF with R' = R / (1 + g_s R)
    (and tau' = R' C). Both f-I curves are simulated (rate from the intervals)
    on ``currents`` and inverted by linear interpolation at each rate in ``rates``.

    Parameters
    ----------
    model : LIF
    gR : float
        Shunting conductance times R (dimensionless, > 0).
    rates : sequence of float
        Rates (Hz) at which the currents are compared; each must lie below 1 / t_ref.
    currents : array_like, optional
        Current grid, nA; default 0 to 40 nA in steps of 0.01 nA.

    Returns
    -------
    dict
        ``currents`` (nA), ``rates`` / ``rates_shunted`` (Hz) on that grid,
        ``model`` / ``shunted`` and ``table``: columns rate (Hz), current without
        and with the shunt, shift (nA) and ratio, the first row at the onset
        (rheobase) of each curve.
    """
    _checks.positive("gR", gR)
    shunted = dataclasses.replace(model, R=model.R / (1.0 + gR))
    grid = np.linspace(0.0, 40.0, 4001) if currents is None else np.asarray(currents, dtype=np.float64)
    f0 = _steady_rates(model, grid, dt, duration)
    f1 = _steady_rates(shunted, grid, dt, duration)
    rates = np.asarray(rates, dtype=np.float64)
    if np.any(rates >= min(f0.max(), f1.max())):
        raise ValueError("rates must lie below the largest simulated rate of both curves; extend currents")
    # onset: the first grid current with a rate, refined to the closed-form rheobase of each model
    i0 = np.array([model.rheobase, *np.interp(rates, f0, grid)])
    i1 = np.array([shunted.rheobase, *np.interp(rates, f1, grid)])
    table = {
        "rate (Hz)": ["onset", *rates],
        "$I$, no shunt (nA)": list(i0),
        "$I$, shunt (nA)": list(i1),
        "shift (nA)": list(i1 - i0),
        "ratio": list(i1 / i0),
    }
    return {"currents": grid, "rates": f0, "rates_shunted": f1, "model": model, "shunted": shunted,
            "gR": float(gR), "table": table}


def lif_limitations(model: LIF, *, dt: float = 0.05, gR: float = 1.0) -> dict:
    """Runs that show what the LIF neuron lacks, each beside a model that has it.

    (a) adaptation: LIF at 3 nA and the Izhikevich RS neuron at I = 10 for
    300 ms; (b) spike shape: a Hodgkin-Huxley spike (20 uA/cm^2 for 1 ms at
    5 ms, dt 0.01) and the LIF at 3 nA from 5 ms; (c) rebound: a
    hyperpolarising pulse 50-200 ms (LIF -1 nA, Izhikevich TC I = -10) in a
    400 ms run; (d) shunting: :func:`shunting_shift`.

    Returns
    -------
    dict
        The runs (keys ``a``, ``b``, ``c``, ``d``) and ``table``: one row per
        panel with the LIF value and the value of the model with the mechanism.
    """
    rs, tc, hh = Izhikevich.preset("RS"), Izhikevich.preset("TC"), HodgkinHuxley()
    t_a = time_axis(300.0, dt)
    a = {"t": t_a, "LIF": model.simulate(pulse_current(t_a, [(0, 300, 3.0)]), dt).spike_times,
         "RS": rs.simulate(pulse_current(t_a, [(0, 300, 10.0)]), dt).spike_times}
    stats = {k: isi_statistics(a[k]) for k in ("LIF", "RS")}
    t_b = time_axis(30.0, 0.01)
    b = {"t": t_b, "HH": hh.simulate(pulse_current(t_b, [(5, 6, 20.0)]), 0.01),
         "LIF": model.simulate(pulse_current(t_b, [(5, 30, 3.0)]), 0.01)}
    V_hh = b["HH"].V
    above = t_b[V_hh > -30.0]
    t_c = time_axis(400.0, dt)
    c = {"t": t_c, "LIF": model.simulate(pulse_current(t_c, [(50, 200, -1.0)]), dt),
         "TC": tc.simulate(pulse_current(t_c, [(50, 200, -10.0)]), dt), "pulse": (50.0, 200.0)}
    after = t_c > 200.0
    d = shunting_shift(model, gR)
    table = {
        "panel": ["(a) first / last ISI (ms)", "(b) peak (mV) / width at $-30$ mV (ms)",
                  "(c) spikes after release", "(d) rheobase (nA)"],
        "LIF": [f"{stats['LIF']['first_isi']:.2f} / {stats['LIF']['last_isi']:.2f}",
                f"no waveform: from {model.V_th:g} to {model.V_reset:g} mV",
                f"{int(np.sum(c['LIF'].spike_times > 200.0))}",
                f"{model.rheobase:.2f}"],
        "model with the mechanism": [
            f"{stats['RS']['first_isi']:.2f} / {stats['RS']['last_isi']:.2f} (Izhikevich RS)",
            f"{V_hh.max():.1f} / {above[-1] - above[0]:.2f} (Hodgkin-Huxley)",
            f"{int(np.sum(c['TC'].spike_times > 200.0))} (Izhikevich TC)",
            f"{d['shunted'].rheobase:.2f} (LIF with shunt)"],
        "stimulus": ["LIF 3 nA, RS $I$ = 10, for 300 ms",
                     "HH 20 $\\mu$A/cm$^2$ for 1 ms; LIF 3 nA",
                     "LIF $-1$ nA, TC $I = -10$, 50-200 ms",
                     f"shunt $g_sR$ = {gR:g}, reversal at rest"],
    }
    return {"a": a, "b": b, "c": c, "d": d, "table": table,
            "hh_undershoot": float(V_hh[t_b > 8.0].min()), "lif_after_max": float(c["LIF"].V[after].max())}


def lif_pulse_protocol(model: LIF, decay_pulses: ArrayLike, spike_pulses: ArrayLike, *, scale: float = 1.0,
                       duration: float = 100.0, dt: float = 0.02, method: str = "exact") -> dict:
    """The two Question 3.1 protocols on one LIF neuron.

    Parameters
    ----------
    model : LIF
    decay_pulses : sequence of (start, stop, amplitude)
        Protocol (a), ms and nA (two or more sub-threshold pulses); the decay
        between the end of the first and the start of the second is fitted.
    spike_pulses : sequence of (start, stop, amplitude)
        Protocol (b), ms and nA; its first pulse is the rate window.
    scale : float
        Factor applied to every amplitude (e.g. 10 for the 2020 amplitudes).
    duration, dt : float
        Run length and time step, ms.
    method : {"exact", "2020 loop"}
        ``"2020 loop"`` runs :func:`lif_loop_2020` (forward Euler, V_spike
        stored at each spike, leak from it on the next step); it takes C, R,
        V_rest and V_th from ``model`` and ignores V_reset and t_ref.

    Returns
    -------
    dict
        ``t``, ``I_a``, ``I_b`` (nA), ``V_a``, ``V_b`` (mV), ``spikes_a``,
        ``spikes_b`` (ms), ``tau_fit`` (ms), ``window`` (rate window of (b), ms),
        ``model`` and ``method``.
    """
    _checks.method_name(method, ("exact", "2020 loop"))
    pulses = {k: [(float(s), float(e), scale * float(a)) for s, e, a in p]
              for k, p in (("a", decay_pulses), ("b", spike_pulses))}
    if len(pulses["a"]) < 2 or not pulses["b"]:
        raise ValueError("decay_pulses needs at least two pulses and spike_pulses at least one")
    t = time_axis(duration, dt)
    out = {"t": t, "model": model, "method": method, "window": pulses["b"][0][:2]}
    for key, p in pulses.items():
        drive = out["I_" + key] = pulse_current(t, p)
        if method == "exact":
            res = model.simulate(drive, dt)
            out["V_" + key], out["spikes_" + key] = res.V, res.spike_times
        else:
            V, _ = lif_loop_2020(drive, model.C, model.R, dt=dt, V_rest=model.V_rest, V_th=model.V_th)
            out["V_" + key], out["spikes_" + key] = V, t[V == LOOP_2020["V_spike"]]
    gap = (pulses["a"][0][1], pulses["a"][1][0])
    out["tau_fit"] = decay_time_constant(t, out["V_a"], model.V_rest, window=gap)
    return out


def pulse_table(runs: dict) -> dict:
    """Columns summarising :func:`lif_pulse_protocol` runs, one row per labelled run."""
    cols: dict = {k: [] for k in ("run", "$\\tau_m$ (ms)", "fitted decay (ms)", "(a) peak $V$ (mV)",
                                  "(a) spikes", "(b) spikes", "(b) first spike (ms)", "(b) rate (Hz)")}
    for label, r in runs.items():
        s = r["spikes_b"]
        values = [label, r["model"].tau, r["tau_fit"], float(r["V_a"].max()), int(r["spikes_a"].size),
                  int(s.size), float(s[0]) if s.size else None, firing_rate(s, r["window"])]
        for key, value in zip(cols, values, strict=True):
            cols[key].append(value)
    return cols


def lif_loop_2020(I: ArrayLike, C: float, R: float, *, dt: float = 0.02, V_rest: float = -65.0,
                  V_th: float = 30.0, V_spike: float = 80.0) -> tuple[np.ndarray, np.ndarray]:
    """The 2020 solution's LIF loop, reproduced step for step (bug included).

    Forward Euler ``V[k] = V[k-1] + dt (I[k] - (V[k-1] - V_rest)/R) / C`` from
    ``V = V_rest``; when ``V[k] > V_th`` the sample is set to ``V_spike`` and a
    spike counted. On the step after a spike the update starts from
    ``V_rest`` but the leak is still computed from ``V[k-1] = V_spike``. There
    is no refractory period. Note the input index: step k uses ``I[k]``.

    Parameters
    ----------
    I : array_like, shape (n,) or (batch, n)
        Input, nA.
    C, R : float
        nF and MOhm.
    dt : float
        Time step, ms.
    V_rest, V_th, V_spike : float
        mV.

    Returns
    -------
    V : numpy.ndarray
        Same shape as ``I``, mV (``V_spike`` at the spike samples).
    counts : numpy.ndarray of int, shape (batch,) or scalar array
        Spikes per row.
    """
    I = np.asarray(I, dtype=np.float64)
    if I.ndim not in (1, 2) or not np.all(np.isfinite(I)):
        raise ValueError("I must be a finite 1-D or 2-D array (nA)")
    _checks.positive("C", C)
    _checks.positive("R", R)
    _checks.positive("dt", dt)
    rows = np.atleast_2d(I)
    V = np.empty_like(rows)
    prev = np.full(rows.shape[0], float(V_rest))
    spiked = np.zeros(rows.shape[0], dtype=bool)
    counts = np.zeros(rows.shape[0], dtype=np.int64)
    for k in range(rows.shape[1]):
        dV = (rows[:, k] - (prev - V_rest) / R) / C
        now = np.where(spiked, V_rest, prev) + dV * dt
        spiked = now > V_th
        counts += spiked
        prev = np.where(spiked, V_spike, now)
        V[:, k] = prev
    return (V[0], counts[0]) if I.ndim == 1 else (V, counts)


def fi_curve_loop_2020(currents: ArrayLike, C: float = 0.003, R: float = 5.0, *, dt: float = 0.02,
                       duration: float = 100.0, onset: float = 20.0, offset: float = 80.0,
                       **loop_kwargs) -> np.ndarray:
    """The 2020 f-I protocol with :func:`lif_loop_2020`: all spikes of the run / pulse length.

    The pulse covers samples ``round(onset/dt)`` to ``round(offset/dt) - 1`` of a
    ``duration`` ms run; rate = spike count * 1000 / (offset - onset), Hz.
    """
    currents = np.asarray(currents, dtype=np.float64)
    t = time_axis(duration, dt)
    shape = pulse_current(t, [(onset, offset, 1.0)])
    _, counts = lif_loop_2020(currents[:, None] * shape[None, :], C, R, dt=dt, **loop_kwargs)
    return 1000.0 * counts / (offset - onset)


def loop_2020_regimes(currents: ArrayLike, rates: ArrayLike) -> dict:
    """Group an f-I curve into runs of equal rate: columns rate (kHz), first and last current (nA)."""
    currents = np.asarray(currents, dtype=np.float64)
    rates = np.asarray(rates, dtype=np.float64)
    edges = np.flatnonzero(np.diff(rates) != 0) + 1
    starts, stops = np.r_[0, edges], np.r_[edges, rates.size] - 1
    return {"rate (kHz)": list(rates[starts] / 1000.0), "from $I$ (nA)": list(currents[starts]),
            "to $I$ (nA)": list(currents[stops]), "grid points": [int(n) for n in stops - starts + 1]}


def loop_2020_thresholds(C: float = 0.003, R: float = 5.0, *, dt: float = 0.02, V_rest: float = -65.0,
                         V_th: float = 30.0, V_spike: float = 80.0) -> dict[str, float]:
    """Currents (nA) at which :func:`lif_loop_2020` switches regime under a constant current.

    With x = V - V_rest, one Euler step from rest gives x = I dt / C, and the
    Euler factor a = 1 - dt/tau (tau = R C) lies in (-1, 0) for tau < dt < 2 tau, so that
    first step is the largest excursion: no spike for I <= (V_th - V_rest) C / dt.
    Above it the neuron fires ``"every second step"``: the step after a spike
    computes its leak from V_spike and stays below threshold until
    I > (V_th - V_rest) C / dt + (V_spike - V_rest) / R (``"every step"``); the step
    after that crosses again provided dt (V_spike - V_rest) / tau >= V_th - V_rest.
    Step sizes outside these conditions are refused (ValueError).
    """
    _checks.positive("C", C)
    _checks.positive("R", R)
    _checks.positive("dt", dt)
    tau = R * C
    if not (tau < dt < 2.0 * tau and dt * (V_spike - V_rest) / tau >= V_th - V_rest):
        raise ValueError(
            f"dt = {dt:g} ms: the two regimes need tau < dt < 2 tau (tau = R C = {tau:g} ms) "
            "and dt (V_spike - V_rest) / tau >= V_th - V_rest"
        )
    first = (V_th - V_rest) * C / dt
    return {"every second step": first, "every step": first + (V_spike - V_rest) / R}


def fi_2020_artefact(currents: ArrayLike, *, C: float = 0.003, R: float = 5.0, V_th: float = 30.0) -> dict:
    """f-I curves of the 2020 f-I parameter set (tau_m = 0.015 ms, no t_ref) by several schemes.

    Returns
    -------
    dict
        ``currents`` (nA), ``model`` (the 2020 set as an LIF with V_reset = V_rest,
        t_ref = 0), ``curves``: label -> rates (Hz) for the literal 2020 loop,
        forward Euler with a correct reset at dt 0.02 ms (> tau, forced past its
        stability limit) and 0.01 ms (< tau, stable), all three count rates, the
        exact integrator (interval rate), and ``analytic``; ``rheobase``
        (nA), ``onset``: label -> first current with a spike (nA, NaN if none),
        ``table``: columns scheme, first current with a spike (nA), highest rate (kHz),
        and ``regimes``: :func:`loop_2020_regimes` of the 2020 loop curve.
    """
    currents = np.asarray(currents, dtype=np.float64)
    model = LIF(C=C, R=R, V_rest=-65.0, V_th=V_th, V_reset=-65.0, t_ref=0.0)
    euler = {"method": "euler", "allow_unstable": True}
    curves = {
        "2020 loop (leak from $V_\\mathrm{spike}$), $dt$ = 0.02 ms":
            fi_curve_loop_2020(currents, C, R, V_th=V_th),
        "Euler, reset to rest, $dt$ = 0.02 ms": fi_curve(model, currents, dt=0.02, **euler),
        "Euler, reset to rest, $dt$ = 0.01 ms": fi_curve(model, currents, dt=0.01, **euler),
        "exact, $dt$ = 0.02 ms": fi_curve(model, currents, dt=0.02, measure="isi"),
    }
    onset = {k: float(currents[np.argmax(v > 0)]) if np.any(v > 0) else math.nan for k, v in curves.items()}
    table = {"scheme": list(curves), "first $I$ with a spike (nA)": list(onset.values()),
             "highest $f$ (kHz)": [float(v.max()) / 1000.0 for v in curves.values()]}
    loop = next(iter(curves.values()))
    return {"currents": currents, "model": model, "curves": curves, "analytic": model.rate(currents),
            "rheobase": model.rheobase, "onset": onset, "table": table,
            "regimes": loop_2020_regimes(currents, loop)}


def rate_error_vs_dt(model: LIF, current: float = 3.0, steps: ArrayLike | None = None, *,
                     duration: float = 1000.0) -> dict:
    """Relative error of the interval rate against the closed form, forward Euler and exact.

    Returns
    -------
    dict
        ``steps`` (ms), ``euler`` and ``exact`` (relative errors), ``order``
        (fitted convergence order of Euler), ``target`` (closed-form rate, Hz),
        ``bound``: the largest Euler error as a fraction of dt / ISI (a spike on
        the grid is late by less than one step, so this stays below 1).
    """
    steps = np.geomspace(0.001, 1.0, 25) if steps is None else np.asarray(steps, dtype=np.float64)
    target = float(model.rate(current))
    errors: dict = {"euler": [], "exact": []}
    for step in steps:
        drive = np.full(round(duration / step) + 1, float(current))
        for method, errs in errors.items():
            spikes = model.simulate(drive, step, method=method, record=False).spike_times
            errs.append(abs(firing_rate(spikes, (0.0, duration), method="isi") - target) / target)
    euler, exact = np.array(errors["euler"]), np.array(errors["exact"])
    return {"steps": steps, "euler": euler, "exact": exact, "target": target,
            "order": float(convergence_order(steps, euler)),
            "bound": float(np.max(euler / (steps * target / 1000.0)))}
