"""Protocols (experiments) for the Izhikevich chapter; see :mod:`neurohelpers.protocols`.

Units: time ms, v mV, rates Hz, currents and u in the model's own units
(Izhikevich 2003). Every protocol starts the neuron where its docstring says
(usually its resting state at I = 0) and returns plain arrays or dicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import _checks
from ..analysis import decay_time_constant, firing_rate, isi_statistics
from ..integrate import SimulationResult
from ..izhikevich import PRESETS, Izhikevich
from ..stimulus import pulse_current, time_axis
from .common import fi_curve, threshold_amplitude

__all__ = [
    "EXCITABILITY_LABELS",
    "GALLERY_HEADERS",
    "SCHEME_HEADERS",
    "GalleryRun",
    "bifurcation_currents",
    "compare_schemes",
    "describe_paired_pulse",
    "describe_recovery",
    "describe_resonance",
    "describe_train",
    "excitability_summary",
    "excitability_table",
    "firing_onset",
    "firing_windows",
    "gallery_table",
    "izhikevich_gallery",
    "paired_pulse_table",
    "paired_pulse_thresholds",
    "perturbed_rest_run",
    "phase_plane_runs",
    "pulse_pair_scan",
    "recovery_measures",
    "rest_state",
    "scheme_isi_rows",
    "scheme_table",
    "steady_fi_curve",
]


def rest_state(cell: Izhikevich, current: float = 0.0) -> dict[str, float]:
    """The lowest equilibrium (the resting state) at a constant input.

    Parameters
    ----------
    cell : Izhikevich
    current : float
        Constant input, model units.

    Returns
    -------
    dict
        ``v`` (mV), ``u``, eigenvalues and ``stable``, as
        :meth:`Izhikevich.fixed_points` gives them.
    """
    points = cell.fixed_points(current)
    if not points:
        raise ValueError(f"current {current:g} is above the saddle-node current: there is no rest")
    return points[0]


def bifurcation_currents(cell: Izhikevich) -> dict[str, float]:
    """Currents at which the resting state of ``cell`` loses stability, as plain floats.

    A thin wrapper of :meth:`Izhikevich.bifurcations`: the Jacobian at an
    equilibrium ``v*`` is ``[[0.08 v* + 5, -1], [a b, -a]]`` (2003 quadratic);
    its trace vanishes at ``v* = (a - 5) / 0.08``, an Andronov-Hopf point when the
    determinant ``a (b - a)`` there is positive; the two equilibria merge at the
    saddle-node current ``(5 - b)^2 / 0.16 - 140``.

    Returns
    -------
    dict
        ``hopf`` (model units; NaN when there is no Hopf point and the rest
        disappears at the saddle-node), ``saddle_node`` (model units),
        ``hopf_v`` (mV) and ``hopf_period`` (ms, ``2 pi / sqrt(a (b - a))``),
        NaN where undefined.
    """
    bif = cell.bifurcations()
    nan = float("nan")

    def num(x) -> float:
        return nan if x is None else float(x)

    freq = bif["hopf_frequency"]
    return {"hopf": num(bif["hopf"]), "saddle_node": num(bif["saddle_node"]), "hopf_v": num(bif["hopf_v"]),
            "hopf_period": nan if freq is None else 1000.0 / float(freq)}


def _rest_start(cell: Izhikevich) -> dict[str, float]:
    rest = rest_state(cell, 0.0)
    return {"v0": rest["v"], "u0": rest["u"]}


def steady_fi_curve(
    cell: Izhikevich, currents: ArrayLike, *, dt: float = 0.05, duration: float = 4000.0
) -> np.ndarray:
    """Steady firing rate against a current step applied at t = 0 to the rest at I = 0.

    Parameters
    ----------
    cell : Izhikevich
    currents : array_like, 1-D
        Step amplitudes, model units.
    dt, duration : float
        Time step and step length, ms.

    Returns
    -------
    numpy.ndarray
        Rates (Hz) from the interspike intervals in the second half of the step
        (0 when the neuron no longer fires there).
    """
    return fi_curve(cell, currents, dt=dt, duration=duration, onset=0.0, offset=duration,
                    window=(duration / 2.0, duration), measure="isi", **_rest_start(cell))


def firing_onset(
    cell: Izhikevich,
    low: float,
    high: float,
    *,
    tol: float = 1e-6,
    dt: float = 0.05,
    duration: float = 8000.0,
    per_round: int = 16,
) -> dict[str, float]:
    """Lowest step current that gives sustained firing, from the rest at I = 0.

    Each trial is a step of ``duration`` ms applied at t = 0 to the neuron at
    its resting state for I = 0; it counts as firing when it still fires in the
    second half of the step. Batched bisection: ``per_round`` currents per
    round, until the bracket is narrower than ``tol``.

    Parameters
    ----------
    cell : Izhikevich
    low, high : float
        Bracket, model units: ``low`` must be silent, ``high`` must fire.
    tol : float
        Width of the final bracket, model units.
    dt, duration : float
        Time step and step length, ms.
    per_round : int
        Currents simulated per round.

    Returns
    -------
    dict
        ``current`` (the upper end of the final bracket), ``low`` (its lower
        end) and ``rate`` (Hz, the steady rate at ``current``).
    """
    _checks.positive("tol", tol)
    if not high > low:
        raise ValueError(f"need high > low, got low={low}, high={high}")
    if int(per_round) < 1:
        raise ValueError(f"per_round must be >= 1, got {per_round}")

    def rates(currents) -> np.ndarray:
        return steady_fi_curve(cell, currents, dt=dt, duration=duration)

    ends = rates([low, high])
    if ends[0] > 0 or ends[1] == 0:
        raise ValueError(f"bracket does not hold the onset: low={low:g} gives {ends[0]:.3g} Hz, "
                         f"high={high:g} gives {ends[1]:.3g} Hz")
    rate_high = float(ends[1])
    while high - low > tol:
        trial = np.linspace(low, high, int(per_round) + 2)[1:-1]
        r = rates(trial)
        fires = np.flatnonzero(r > 0)
        k = fires[0] if fires.size else trial.size
        if k < trial.size:
            high, rate_high = float(trial[k]), float(r[k])
        if k > 0:
            low = float(trial[k - 1])
    return {"current": high, "low": low, "rate": rate_high}


def perturbed_rest_run(
    cell: Izhikevich,
    current: float,
    nudge: float,
    *,
    dt: float = 0.05,
    duration: float = 20000.0,
) -> dict[str, float]:
    """Start on the equilibrium at ``current`` displaced by ``nudge`` mV in v; does it fire?

    Parameters
    ----------
    cell : Izhikevich
    current : float
        Constant input from t = 0, model units (below the saddle-node current).
    nudge : float
        Displacement of the initial v from the equilibrium, mV (0: start on it).
    dt, duration : float
        Time step and run length, ms.

    Returns
    -------
    dict
        ``first_spike`` (ms, NaN if none), ``rate`` (Hz, from the intervals in
        the second half of the run), ``re_lambda`` (1/ms, real part of the
        equilibrium's leading eigenvalue) and ``v_rest`` (mV).
    """
    rest = rest_state(cell, current)
    drive = np.full(time_axis(duration, dt).size, float(current))
    res = cell.simulate(drive, dt, v0=rest["v"] + float(nudge), u0=rest["u"], record=False)
    spikes = res.spike_times
    return {
        "first_spike": float(spikes[0]) if spikes.size else float("nan"),
        "rate": float(firing_rate(spikes, (duration / 2.0, duration), method="isi")),
        "re_lambda": float(np.real(rest["lambda_slow"])),
        "v_rest": float(rest["v"]),
    }


def excitability_summary(
    cell: Izhikevich,
    low: float,
    high: float,
    *,
    probe: float,
    nudge: float = 1e-6,
    tol: float = 1e-6,
) -> dict[str, float]:
    """Bifurcations of the rest, firing onset and the fate of the rest at a probe current.

    Parameters
    ----------
    cell : Izhikevich
    low, high : float
        Bracket of the firing onset, model units (see :func:`firing_onset`).
    probe : float
        A current between the Hopf and saddle-node currents, model units.
    nudge : float
        Displacement of v from the equilibrium at ``probe``, mV.
    tol : float
        Width of the onset bracket, model units.

    Returns
    -------
    dict
        ``hopf``, ``saddle_node`` (model units, :func:`bifurcation_currents`);
        ``onset`` (model units) and ``rate_onset`` (Hz, at most ``tol`` above
        it), ``rate_1e-4`` and ``rate_1e-2`` (Hz, that far above the onset);
        ``re_lambda`` (1/ms) of the rest at ``probe``; ``rate_exact`` and
        ``rate_nudged`` (Hz) started on that equilibrium and ``nudge`` mV
        off it, and ``first_spike_nudged`` (ms).
    """
    bif = bifurcation_currents(cell)
    onset = firing_onset(cell, low, high, tol=tol)
    near = steady_fi_curve(cell, onset["current"] + np.array([1e-4, 1e-2]))
    exact = perturbed_rest_run(cell, probe, 0.0)
    nudged = perturbed_rest_run(cell, probe, nudge)
    return {
        "hopf": bif["hopf"], "saddle_node": bif["saddle_node"],
        "onset": onset["current"], "rate_onset": onset["rate"],
        "rate_1e-4": float(near[0]), "rate_1e-2": float(near[1]),
        "re_lambda": exact["re_lambda"], "rate_exact": exact["rate"],
        "rate_nudged": nudged["rate"], "first_spike_nudged": nudged["first_spike"],
    }


#: Row labels of :func:`excitability_rows`, one per key of :func:`excitability_summary`.
EXCITABILITY_LABELS = {
    "hopf": "Andronov-Hopf current",
    "saddle_node": "saddle-node current",
    "onset": "firing onset, step from the rest at $I = 0$",
    "rate_onset": "rate within $10^{-6}$ above the onset (Hz)",
    "rate_1e-4": "rate at onset $+ 10^{-4}$ (Hz)",
    "rate_1e-2": "rate at onset $+ 10^{-2}$ (Hz)",
    "re_lambda": "Re $\\lambda$ of the rest at the probe current (1/ms)",
    "rate_exact": "rate started exactly on that rest (Hz)",
    "rate_nudged": "rate started $10^{-6}$ mV off it (Hz)",
    "first_spike_nudged": "first spike, started off it (ms)",
}


def excitability_table(summaries: dict[str, dict[str, float]]) -> tuple[list[str], list[list]]:
    """Headers and rows (one per quantity, one column per cell) from :func:`excitability_summary` outputs."""
    rows = [[label, *(s[key] for s in summaries.values())] for key, label in EXCITABILITY_LABELS.items()]
    return ["", *summaries], rows


def recovery_measures(
    res: SimulationResult, cell: Izhikevich, input_off: float, times: ArrayLike = ()
) -> dict[str, float | np.ndarray]:
    """How v and u recover after the input stops (Question 3.4 b).

    Parameters
    ----------
    res : SimulationResult
        A 1-D run whose input is zero from ``input_off`` (ms) on.
    cell : Izhikevich
        The neuron that made it.
    input_off : float
        Time the input stops, ms.
    times : sequence of float
        Times (ms) at which to report v (``v_at``).

    Returns
    -------
    dict
        ``v_min`` (mV) and ``t_min`` (ms): the lowest v after ``input_off``;
        ``v_end``, ``u_end``: the state at the end of the run; ``v_rest``,
        ``u_rest``: the resting state at I = 0; ``v_at``: v (mV) at ``times``
        (the samples at or just after them; ``times`` is returned too);
        ``tau_u`` (ms): the time constant of an exponential fitted to u from
        50 ms after the last spike to the end; ``tau_slow`` (ms): minus the
        inverse slow eigenvalue of the rest.
    """
    rest = rest_state(cell, 0.0)
    after = res.t >= input_off
    k = np.flatnonzero(after)[np.argmin(res.V[after])]
    idx = np.clip(np.searchsorted(res.t, np.asarray(times, dtype=np.float64) - 1e-9), 0, res.t.size - 1)
    last = res.spike_times[-1] if res.spike_times.size else input_off
    return {
        "v_min": float(res.V[k]),
        "t_min": float(res.t[k]),
        "v_end": float(res.V[-1]),
        "u_end": float(res.state["u"][-1]),
        "v_rest": float(rest["v"]),
        "u_rest": float(rest["u"]),
        "times": np.asarray(times, dtype=np.float64),
        "v_at": res.V[idx].copy(),
        "tau_u": float(decay_time_constant(res.t, res.state["u"], rest["u"], (last + 50.0, res.t[-1]))),
        "tau_slow": float(-1.0 / np.real(rest["lambda_slow"])),
    }


def paired_pulse_thresholds(
    cell: Izhikevich,
    delays: ArrayLike,
    *,
    width: float = 1.0,
    first_factor: float = 2.0,
    cap: float = 20.0,
    dt: float = 0.02,
    tail: float = 100.0,
    tol: float = 1e-3,
) -> dict[str, np.ndarray | float]:
    """Threshold of a second brief pulse against its delay after a first spike.

    The neuron starts at rest (I = 0). A first pulse of ``width`` ms at 10 ms,
    ``first_factor`` times the single-pulse threshold, makes one spike at
    ``first_spike``. A second pulse of the same width starts ``delay`` ms
    after that spike; its threshold amplitude (the smallest that makes a
    spike after the first one, found by bisection) is reported relative to
    the single-pulse threshold. Delays whose threshold exceeds ``cap`` times
    the single-pulse threshold give NaN.

    Parameters
    ----------
    cell : Izhikevich
    delays : array_like
        Delays from the first spike to the second pulse onset, ms (> 0).
    width : float
        Pulse duration, ms.
    first_factor : float
        First pulse amplitude over the single-pulse threshold (> 1).
    cap : float
        Largest second-pulse amplitude tried, in single-pulse thresholds.
    dt : float
        Time step, ms.
    tail : float
        Time simulated after the second pulse ends, ms.
    tol : float
        Bisection tolerance, model units.

    Returns
    -------
    dict
        ``delays`` (ms), ``single`` (single-pulse threshold, model units),
        ``first_spike`` (ms), ``thresholds`` (model units) and ``ratio``
        (thresholds / single).
    """
    delays = np.asarray(delays, dtype=np.float64)
    if delays.ndim != 1 or delays.size == 0 or np.any(delays <= 0) or not np.all(np.isfinite(delays)):
        raise ValueError("delays must be a non-empty 1-D array of positive, finite values (ms)")
    if not first_factor > 1.0:
        raise ValueError(f"first_factor must be > 1, got {first_factor}")
    _checks.positive("width", width)
    start = _rest_start(cell)
    onset = 10.0
    t = time_axis(onset + width + 2.0 * tail + float(delays.max()), dt)
    zero = np.zeros_like(t)
    shape1 = pulse_current(t, [(onset, onset + width, 1.0)])
    single = threshold_amplitude(cell, zero, shape1, (0.0, t[-1] + dt), dt=dt, low=0.0,
                                 high=1e3, tol=tol, **start)
    base = first_factor * single * shape1
    first = cell.simulate(base, dt, **start).spike_times
    if first.size != 1:
        raise ValueError(f"the first pulse makes {first.size} spikes, not one; lower first_factor")
    thresholds = np.full(delays.size, np.nan)
    for i, delay in enumerate(delays):
        begin = first[0] + delay
        shape2 = pulse_current(t, [(begin, begin + width, 1.0)])
        try:
            thresholds[i] = threshold_amplitude(cell, base, shape2, (first[0] + 1e-9, t[-1] + dt),
                                                dt=dt, low=0.0, high=cap * single, tol=tol, **start)
        except ValueError:  # no spike even at the cap
            continue
    return {"delays": delays, "single": single, "first_spike": float(first[0]),
            "thresholds": thresholds, "ratio": thresholds / single}


def paired_pulse_table(result: dict, shown: ArrayLike) -> tuple[list[str], list[list]]:
    """Headers (the delays in ``shown``, ms) and one row of threshold ratios from
    :func:`paired_pulse_thresholds` output; every delay in ``shown`` must have been run."""
    delays = list(result["delays"])
    missing = [x for x in shown if x not in delays]
    if missing:
        raise ValueError(f"shown delays {missing} were not run")
    cols = [delays.index(x) for x in shown]
    return ["delay (ms)", *(f"{x:g}" for x in shown)], [["threshold / single", *result["ratio"][cols]]]


def describe_paired_pulse(result: dict) -> str:
    """Two lines: the single-pulse threshold and first spike, and the highest relative threshold."""
    peak = int(np.nanargmax(result["ratio"]))
    return (f"single 1 ms pulse from rest: threshold {result['single']:.2f}; a first pulse of "
            f"{2 * result['single']:.2f} fires at {result['first_spike']:.2f} ms\n"
            f"highest threshold: {result['ratio'][peak]:.2f} x single, "
            f"{result['delays'][peak]:g} ms after the spike")


def describe_train(res: SimulationResult) -> str:
    """Three lines: spike count and times (ms), interspike intervals (ms) and u just after each spike."""
    after = res.state["u"][np.searchsorted(res.t, res.spike_times)]
    return "\n".join([
        f"{res.spike_times.size} spikes at (ms): " + ", ".join(f"{s:.2f}" for s in res.spike_times),
        "ISIs (ms): " + ", ".join(f"{x:.2f}" for x in np.diff(res.spike_times)),
        "u after each spike: " + ", ".join(f"{x:.1f}" for x in after),
    ])


def describe_recovery(res: SimulationResult, rec: dict, cell: Izhikevich) -> str:
    """Three lines from the :func:`recovery_measures` output ``rec`` of the run ``res``."""
    spikes = res.spike_times
    v_at = ", ".join(f"{v:.1f}" for v in rec["v_at"])
    return "\n".join([
        f"{spikes.size} spikes, the last at {spikes[-1]:.2f} ms; u peaks at {res.state['u'].max():.1f}; "
        f"lowest v after the input {rec['v_min']:.1f} mV at {rec['t_min']:.1f} ms",
        "v at " + ", ".join(f"{t:g}" for t in rec["times"]) + f" ms: {v_at} mV; u at the end "
        f"{rec['u_end']:.2f}; rest v = {rec['v_rest']:.1f} mV, u = {rec['u_rest']:.1f}",
        f"u decays with {rec['tau_u']:.1f} ms (fit); 1/a = {1 / cell.a:g} ms; "
        f"slow eigenvalue of the rest: {rec['tau_slow']:.1f} ms",
    ])


def pulse_pair_scan(
    cell: Izhikevich,
    gaps: ArrayLike,
    *,
    amplitude: float = 2.2,
    width: float = 1.0,
    dt: float = 0.05,
    duration: float = 200.0,
) -> dict[str, np.ndarray | int]:
    """Spikes evoked by a pair of brief pulses against their onset-to-onset interval.

    The neuron starts at rest (I = 0); the first pulse starts at 20 ms.

    Parameters
    ----------
    cell : Izhikevich
    gaps : array_like
        Onset-to-onset intervals, ms (>= ``width``).
    amplitude, width : float
        Pulse amplitude (model units) and duration (ms).
    dt, duration : float
        Time step and run length, ms.

    Returns
    -------
    dict
        ``gaps`` (ms), ``counts`` (spikes per pair) and ``single`` (spikes
        of one pulse alone).
    """
    gaps = np.asarray(gaps, dtype=np.float64)
    if gaps.ndim != 1 or gaps.size == 0 or np.any(gaps < width) or not np.all(np.isfinite(gaps)):
        raise ValueError(f"gaps must be a non-empty 1-D array of finite values >= width ({width} ms)")
    if 20.0 + gaps.max() + width > duration:
        raise ValueError(f"duration {duration} ms is too short for a gap of {gaps.max()} ms")
    t = time_axis(duration, dt)
    first = (20.0, 20.0 + width, amplitude)
    drives = [pulse_current(t, [first])]
    drives += [pulse_current(t, [first, (20.0 + g, 20.0 + g + width, amplitude)]) for g in gaps]
    rest = rest_state(cell, 0.0)
    batch = len(drives)
    res = cell.simulate(np.array(drives), dt, v0=np.full(batch, rest["v"]),
                        u0=np.full(batch, rest["u"]), record=False)
    counts = np.array([s.size for s in res.spike_times])
    return {"gaps": gaps, "counts": counts[1:], "single": int(counts[0])}


def describe_resonance(cell: Izhikevich, gaps: ArrayLike) -> str:
    """Two lines: the period of the damped oscillation of the rest, and the pulse-pair
    intervals (``gaps``, ms) that fire, from :func:`pulse_pair_scan` with its defaults."""
    rest = rest_state(cell, 0.0)
    if np.imag(rest["lambda_slow"]) == 0:
        raise ValueError("the rest of this cell is a node: it does not ring")
    period = 2.0 * np.pi / abs(np.imag(rest["lambda_slow"]))
    scan = pulse_pair_scan(cell, gaps)
    windows = firing_windows(scan["gaps"], scan["counts"])
    g = scan["gaps"]
    return (f"damped oscillation of the rest: period {period:.1f} ms; 25 ms = {25.0 / period:.2f} period; "
            f"one pulse alone: {scan['single']} spikes\n"
            f"pairs {g.min():g} to {g.max():g} ms apart fire for intervals "
            + (" and ".join(f"{lo:g} to {hi:g} ms" for lo, hi in windows) or "none"))


def phase_plane_runs(
    cell: Izhikevich, spiking_current: float, probe: float, *, nudge: float = 1e-6, dt: float = 0.05
) -> tuple[SimulationResult, SimulationResult]:
    """The two runs of the phase-plane figure.

    ``spiking``: 200 ms at ``spiking_current`` from the rest at I = 0.
    ``escape``: 1000 ms at ``probe`` from ``nudge`` mV above the equilibrium
    at ``probe`` (an unstable focus between the Hopf and saddle-node currents).
    """
    rest, focus = rest_state(cell, 0.0), rest_state(cell, probe)
    spiking = cell.simulate(np.full(time_axis(200.0, dt).size, float(spiking_current)), dt,
                            v0=rest["v"], u0=rest["u"])
    escape = cell.simulate(np.full(time_axis(1000.0, dt).size, float(probe)), dt,
                           v0=focus["v"] + float(nudge), u0=focus["u"])
    return spiking, escape


def firing_windows(gaps: ArrayLike, counts: ArrayLike) -> list[tuple[float, float]]:
    """Runs of consecutive ``gaps`` whose ``counts`` are positive, as (first, last) pairs."""
    gaps = np.asarray(gaps, dtype=np.float64)
    fires = np.asarray(counts) > 0
    if gaps.shape != fires.shape:
        raise ValueError(f"gaps {gaps.shape} and counts {fires.shape} must have the same shape")
    windows, start = [], None
    for i, f in enumerate(fires):
        if f and start is None:
            start = i
        if start is not None and (not f or i == fires.size - 1):
            stop = i if f else i - 1
            windows.append((float(gaps[start]), float(gaps[stop])))
            start = None
    return windows


@dataclass(frozen=True)
class GalleryRun:
    """One panel of the cell-class gallery: preset name, drive, note and result."""

    preset: str
    drive: np.ndarray
    note: str
    result: SimulationResult


#: Onset times (ms) of the resonator's pulse pairs in the gallery and their intervals.
RZ_PAIRS = ((20.0, 10.0), (120.0, 25.0), (220.0, 41.0))


def izhikevich_gallery(duration: float = 300.0, dt: float = 0.05) -> dict[str, GalleryRun]:
    """The cell classes of Izhikevich (2003, Fig. 2), each from its resting state.

    RS, IB, CH, FS and LTS get a step of 10 from 20 ms; TC a step of 2 (tonic)
    and, separately, -10 until 100 ms (rebound burst); RZ three pairs of 1 ms
    pulses of 2.2, 10, 25 and 41 ms apart (``RZ_PAIRS``).

    Returns
    -------
    dict
        Label to :class:`GalleryRun`, in display order.
    """
    t = time_axis(duration, dt)

    def step(amp: float) -> np.ndarray:
        return pulse_current(t, [(20.0, duration, amp)])

    pairs = [p for s, g in RZ_PAIRS for p in ((s, s + 1.0, 2.2), (s + g, s + g + 1.0, 2.2))]
    gaps = ", ".join(f"{g:g}" for _, g in RZ_PAIRS)
    plan = {
        "RS": ("RS", step(10.0), "$I = 10$"),
        "IB": ("IB", step(10.0), "$I = 10$"),
        "CH": ("CH", step(10.0), "$I = 10$"),
        "FS": ("FS", step(10.0), "$I = 10$"),
        "LTS": ("LTS", step(10.0), "$I = 10$"),
        "TC tonic": ("TC", step(2.0), "$I = 2$"),
        "TC rebound": ("TC", pulse_current(t, [(0.0, 100.0, -10.0)]), "$I = -10$ to 100 ms"),
        "RZ": ("RZ", pulse_current(t, pairs), f"pairs {gaps} ms apart"),
    }
    out = {}
    for label, (name, drive, note) in plan.items():
        cell = Izhikevich.preset(name)
        out[label] = GalleryRun(name, drive, note, cell.simulate(drive, dt, **_rest_start(cell)))
    return out


GALLERY_HEADERS = ["cell", "$a$", "$b$", "$c$ (mV)", "$d$", "spikes", "first ISI (ms)",
                   "last ISI (ms)", "adaptation", "bursts"]


def gallery_table(gallery: dict[str, GalleryRun]) -> tuple[list[str], list[list]]:
    """Headers and rows for :func:`neurohelpers.tables.markdown_table`.

    One row per panel: label, a, b, c, d, spikes, first and last ISI (ms),
    adaptation index and bursts (:func:`neurohelpers.isi_statistics`);
    interval columns are empty for fewer than three spikes.
    """
    rows = []
    for label, run in gallery.items():
        s = isi_statistics(run.result.spike_times)
        enough = s["count"] >= 3  # interval statistics need three spikes
        rows.append([label, *PRESETS[run.preset], int(s["count"]),
                     s["first_isi"] if enough else None, s["last_isi"] if enough else None,
                     s["adaptation_index"] if enough else None, int(s["bursts"])])
    return GALLERY_HEADERS, rows


def compare_schemes(
    cell: Izhikevich,
    current: float,
    duration: float,
    schemes: dict[str, tuple[str, float]],
    *,
    reference: tuple[str, float] = ("rk4", 0.001),
) -> dict[str, np.ndarray]:
    """Spike times of one constant-current run under several integration schemes.

    The neuron starts at v = -65 mV, u = b v (the 2003 paper's start) and gets
    ``current`` from t = 0.

    Parameters
    ----------
    cell : Izhikevich
    current : float
        Constant input, model units.
    duration : float
        Run length, ms.
    schemes : dict
        Label to ``(method, dt)``, dt in ms.
    reference : (method, dt)
        The converged reference, stored under ``"reference"``.

    Returns
    -------
    dict
        Label to spike times (ms), the reference first.
    """
    out = {}
    for label, (method, step) in {"reference": reference, **schemes}.items():
        drive = np.full(round(duration / step) + 1, float(current))
        res = cell.simulate(drive, step, method=method, record=False)
        out[label] = res.spike_times
    return out


SCHEME_HEADERS = ["scheme", "spikes", "mean ISI (ms)", "SD (ms)", "min ISI (ms)", "max ISI (ms)",
                  "rate (Hz)", "5th spike late by (ms)"]


def scheme_table(spikes: dict[str, np.ndarray]) -> tuple[list[str], list[list]]:
    """Headers and rows of :func:`scheme_isi_rows` (first two intervals skipped, 5th spike compared)."""
    return SCHEME_HEADERS, scheme_isi_rows(spikes, skip=2, spike=5)


def scheme_isi_rows(spikes: dict[str, np.ndarray], skip: int = 2, spike: int = 5) -> list[list]:
    """Table rows per scheme: spikes, mean, SD, min and max ISI (ms), mean rate (Hz), timing error.

    ``skip`` intervals at the start (the transient from the initial state)
    are left out of the statistics. The last column is the time of spike
    number ``spike`` minus that of ``spikes["reference"]`` (ms; None without
    a reference or when either train is shorter).
    """
    ref = spikes.get("reference")
    rows = []
    for label, s in spikes.items():
        isi = np.diff(s)[skip:]
        if isi.size == 0:
            raise ValueError(f"{label}: no intervals left after skipping {skip}")
        late = None
        if ref is not None and min(s.size, ref.size) >= spike:
            late = float(s[spike - 1] - ref[spike - 1])
        rows.append([label, int(s.size), isi.mean(), isi.std(ddof=1) if isi.size > 1 else 0.0,
                     isi.min(), isi.max(), 1000.0 / isi.mean(), late])
    return rows
