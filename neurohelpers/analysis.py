"""Spike detection, firing rates, f-I curves, thresholds and ISI statistics.

Times in ms, rates in Hz, currents in the model's unit.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import numpy as np

from . import _checks
from .stimulus import pulse_current, step_current, time_axis


def spike_times(V, t, threshold: float = 0.0) -> np.ndarray | list[np.ndarray]:
    """Upward threshold crossings, linearly interpolated between samples.

    Parameters
    ----------
    V : array_like, shape (n,) or (batch, n)
        Membrane potential, mV.
    t : array_like, shape (n,)
        Sample times, ms.
    threshold : float
        Crossing level, mV: a spike where ``V[k] < threshold <= V[k+1]``.

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray
        Spike times, ms (a list with one array per row for 2-D ``V``).
    """
    V = np.asarray(V, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if V.ndim not in (1, 2) or t.ndim != 1 or V.shape[-1] != t.shape[0]:
        raise ValueError(f"V {V.shape} must be (n,) or (batch, n) with t of shape (n,); t is {t.shape}")
    rows = np.atleast_2d(V)
    out = []
    for row in rows:
        k = np.nonzero((row[:-1] < threshold) & (row[1:] >= threshold))[0]
        frac = (threshold - row[k]) / (row[k + 1] - row[k])
        out.append(t[k] + frac * (t[k + 1] - t[k]))
    return out[0] if V.ndim == 1 else out


def _as_spike_rows(spikes) -> tuple[list[np.ndarray], bool]:
    """Accept one array of spike times or a sequence of them."""
    if isinstance(spikes, np.ndarray) and spikes.ndim == 1:
        return [spikes], True
    if isinstance(spikes, Sequence) and (len(spikes) == 0 or np.ndim(spikes[0]) == 0):
        return [np.asarray(spikes, dtype=np.float64)], True
    return [np.asarray(s, dtype=np.float64) for s in spikes], False


def firing_rate(spike_times, window: tuple[float, float], method: str = "count"):
    """Firing rate in a time window, Hz.

    Parameters
    ----------
    spike_times : array_like or list of array_like
        Spike times, ms: one train, or one per neuron.
    window : (start, stop)
        Window in ms; spikes with ``start <= t < stop`` count.
    method : {"count", "isi"}
        ``"count"``: number of spikes / window length. ``"isi"``: 1 / mean
        inter-spike interval of the spikes in the window (0 with fewer than two
        spikes); it has no +-1 spike counting error, so it equals the steady
        rate of a regular train.

    Returns
    -------
    float or numpy.ndarray
        Hz; an array (one rate per neuron) for a list of trains.
    """
    start, stop = (float(x) for x in window)
    if not stop > start:
        raise ValueError(f"window must be (start, stop) with stop > start, got {window!r}")
    _checks.method_name(method, ("count", "isi"))
    rows, single = _as_spike_rows(spike_times)
    lengths = np.array([r.size for r in rows], dtype=np.int64)
    flat = np.concatenate(rows) if rows else np.empty(0)
    owner = np.repeat(np.arange(len(rows)), lengths)
    inside = (flat >= start) & (flat < stop)
    counts = np.bincount(owner[inside], minlength=len(rows))
    if method == "count":
        rates = 1000.0 * counts / (stop - start)
    else:
        first = np.full(len(rows), np.inf)
        last = np.full(len(rows), -np.inf)
        np.minimum.at(first, owner[inside], flat[inside])
        np.maximum.at(last, owner[inside], flat[inside])
        rates = np.zeros(len(rows))
        ok = counts >= 2
        rates[ok] = 1000.0 * (counts[ok] - 1) / (last[ok] - first[ok])
    return float(rates[0]) if single else rates


def fi_curve(
    model,
    currents,
    *,
    dt: float = 0.02,
    duration: float = 100.0,
    onset: float = 20.0,
    offset: float = 80.0,
    measure: str = "count",
    window: tuple[float, float] | None = None,
    chunk_size: int = 1024,
    progress: bool = False,
    **simulate_kwargs,
) -> np.ndarray:
    """Firing rate against the amplitude of a current pulse, as one batch.

    Each current drives the model with a pulse ``onset <= t < offset`` (ms);
    the rate is measured in that window, or in ``window`` if given (e.g. the
    last part of the pulse for an adapted, steady-state rate). Only spike times are kept, in chunks
    of ``chunk_size`` neurons, so memory stays bounded for 10^5 currents.

    Parameters
    ----------
    model : LIF, Izhikevich or HodgkinHuxley
    currents : array_like, 1-D
        Pulse amplitudes, model current units.
    dt, duration, onset, offset : float
        Time step, run length and pulse window, ms.
    measure : {"count", "isi"}
        How the rate is measured, see :func:`firing_rate`.
    chunk_size : int
        Neurons simulated per kernel call.
    progress : bool
        Print one line per chunk to stderr.
    **simulate_kwargs
        Passed to ``model.simulate`` (``method=``, initial state, ...).

    Returns
    -------
    numpy.ndarray
        Rates in Hz, one per current.
    """
    currents = np.asarray(currents, dtype=np.float64)
    if currents.ndim != 1 or currents.size == 0:
        raise ValueError(f"currents must be a non-empty 1-D array, got shape {currents.shape}")
    if not np.all(np.isfinite(currents)):
        raise ValueError("currents contains NaN or infinite values")
    if not 0.0 <= onset < offset <= duration:
        raise ValueError(
            f"need 0 <= onset < offset <= duration, got onset={onset}, offset={offset}, duration={duration}"
        )
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    t = time_axis(duration, dt)
    shape = pulse_current(t, [(onset, offset, 1.0)])
    rates = np.empty(currents.size)
    # one shared waveform scaled per neuron: no (chunk, n) current array is built
    n_chunks = math.ceil(currents.size / chunk_size)
    for i in range(n_chunks):
        sl = slice(i * chunk_size, (i + 1) * chunk_size)
        res = model.simulate(shape, dt, record=False, gain=currents[sl], **simulate_kwargs)
        rates[sl] = firing_rate(res.spike_times, window or (onset, offset), method=measure)
        if progress:
            print(f"fi_curve: chunk {i + 1}/{n_chunks} done", file=sys.stderr)
    return rates


def threshold_amplitude(
    model,
    base,
    shape,
    window: tuple[float, float],
    *,
    dt: float,
    low: float,
    high: float,
    tol: float = 1e-3,
    per_round: int = 16,
    **simulate_kwargs,
) -> float:
    """Smallest amplitude A for which ``base + A * shape`` makes a spike in ``window``.

    Batched bisection: each round simulates ``per_round`` amplitudes spread over
    the bracket in one call and shrinks it by a factor ``per_round + 1``.

    Parameters
    ----------
    model : LIF, Izhikevich or HodgkinHuxley
    base, shape : array_like, shape (n,)
        Fixed part of the input and the unit test waveform, model current units.
    window : (start, stop)
        A spike with ``start <= t < stop`` (ms) counts.
    dt : float
        Time step, ms.
    low, high : float
        Bracket: ``low`` must not make a spike in the window, ``high`` must.
    tol : float
        Width of the final bracket, current units.
    per_round : int
        Amplitudes simulated per round.
    **simulate_kwargs
        Passed to ``model.simulate``.

    Returns
    -------
    float
        The upper end of the final bracket (fires), current units.
    """
    base = np.asarray(base, dtype=np.float64)
    shape = np.asarray(shape, dtype=np.float64)
    if base.ndim != 1 or base.shape != shape.shape:
        raise ValueError(f"base {base.shape} and shape {shape.shape} must be 1-D and equal in length")
    _checks.positive("tol", tol)
    if int(per_round) < 1:
        raise ValueError(f"per_round must be >= 1, got {per_round}")
    if not high > low:
        raise ValueError(f"need high > low, got low={low}, high={high}")

    def fires(amplitudes: np.ndarray) -> np.ndarray:
        drive = base[None, :] + amplitudes[:, None] * shape[None, :]
        res = model.simulate(drive, dt, record=False, **simulate_kwargs)
        return firing_rate(res.spike_times, window) > 0

    ends = fires(np.array([low, high]))
    if ends[0] or not ends[1]:
        raise ValueError(
            f"bracket does not hold a threshold: low={low:g} {'fires' if ends[0] else 'is silent'}, "
            f"high={high:g} {'fires' if ends[1] else 'is silent'}"
        )
    while high - low > tol:
        trial = np.linspace(low, high, per_round + 2)[1:-1]
        hit = fires(trial)
        first = int(np.argmax(hit)) if hit.any() else per_round
        if first < per_round:
            high = float(trial[first])
        if first > 0:
            low = float(trial[first - 1])
    return high


def rheobase(
    model,
    *,
    kind: str = "one",
    low: float = 0.0,
    high: float = 100.0,
    tol: float = 1e-3,
    dt: float = 0.02,
    onset: float = 10.0,
    duration: float = 510.0,
    tail: float = 100.0,
    per_round: int = 16,
    **simulate_kwargs,
) -> float:
    """Smallest step amplitude that makes the model fire, by batched bisection.

    A step from ``onset`` to the end of the run is applied from the model's
    default initial state (rest); see :func:`threshold_amplitude`.

    Parameters
    ----------
    model : LIF, Izhikevich or HodgkinHuxley
    kind : {"one", "sustained"}
        ``"one"``: at least one spike after onset. ``"sustained"``: a spike in the
        last ``tail`` ms of the step (repetitive firing that does not die out).
    low, high : float
        Bracket, model current units: ``low`` must not fire, ``high`` must.
    tol : float
        Width of the final bracket, current units.
    dt, onset, duration, tail : float
        Time step and protocol, ms.
    per_round : int
        Amplitudes tried per batch.

    Returns
    -------
    float
        The upper end of the final bracket (fires), current units.
    """
    _checks.method_name(kind, ("one", "sustained"))
    if not 0.0 <= onset < duration:
        raise ValueError(f"need 0 <= onset < duration, got onset={onset}, duration={duration}")
    if kind == "sustained" and not 0.0 < tail <= duration - onset:
        raise ValueError(f"tail must be in (0, duration - onset], got {tail}")
    t = time_axis(duration, dt)
    window = (onset, duration + dt) if kind == "one" else (duration - tail, duration + dt)
    return threshold_amplitude(
        model, np.zeros_like(t), step_current(t, [(onset, 1.0)]), window, dt=dt, low=low,
        high=high, tol=tol, per_round=per_round, **simulate_kwargs,
    )


def isi_statistics(spike_times, burst_isi: float = 10.0, gap_ratio: float = 0.3) -> dict[str, float]:
    """Inter-spike interval statistics of one spike train.

    Parameters
    ----------
    spike_times : array_like
        Spike times, ms.
    burst_isi : float
        ISIs up to this (ms) can join spikes into one burst.
    gap_ratio : float
        ... and only if they are at most this fraction of the longest ISI, so a
        regular fast train (fast spiking cells) is not called a burst.

    Returns
    -------
    dict
        ``count``; ``first_isi``, ``last_isi``, ``mean_isi`` (ms, NaN with < 2 spikes);
        ``cv`` (std/mean of the ISIs); ``adaptation_index``: mean of
        (ISI_{k+1} - ISI_k) / (ISI_{k+1} + ISI_k), > 0 when the train slows
        (NaN with < 3 spikes); ``bursts``: groups of >= 2 spikes whose ISIs are at most
        ``min(burst_isi, gap_ratio * longest ISI)``.
    """
    s = np.asarray(spike_times, dtype=np.float64)
    isi = np.diff(s)
    nan = float("nan")
    stats = {
        "count": int(s.size),
        "first_isi": float(isi[0]) if isi.size else nan,
        "last_isi": float(isi[-1]) if isi.size else nan,
        "mean_isi": float(isi.mean()) if isi.size else nan,
        "cv": float(isi.std() / isi.mean()) if isi.size else nan,
        "adaptation_index": nan,
        "bursts": 0,
    }
    if isi.size >= 2:
        stats["adaptation_index"] = float(np.mean((isi[1:] - isi[:-1]) / (isi[1:] + isi[:-1])))
    close = isi <= min(burst_isi, gap_ratio * isi.max()) if isi.size else isi > 0
    # a burst starts where a short ISI follows a long one (or the train start)
    starts = close & ~np.concatenate(([False], close[:-1]))
    stats["bursts"] = int(starts.sum())
    return stats


def decay_time_constant(t, V, V_inf: float, window: tuple[float, float]) -> float:
    """Time constant (ms) of an exponential relaxation ``V - V_inf ~ exp(-t / tau)``.

    Fits a straight line to ``log|V - V_inf|`` against t (least squares) over
    ``window`` (ms). Used to read tau back off a simulated membrane trace.

    Parameters
    ----------
    t, V : array_like, shape (n,)
        Times (ms) and potential (mV).
    V_inf : float
        The value V relaxes to, mV.
    window : (start, stop)
        Part of the trace to fit, ms; V must not reach V_inf inside it.
    """
    t = np.asarray(t, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    inside = (t >= window[0]) & (t <= window[1])
    gap = np.abs(V[inside] - V_inf)
    if inside.sum() < 2 or np.any(gap <= 0):
        raise ValueError("window must hold >= 2 samples with V != V_inf")
    slope = np.polyfit(t[inside], np.log(gap), 1)[0]
    return float(-1.0 / slope)


def convergence_order(steps, errors) -> float:
    """Slope of log(error) against log(step): the observed order of a scheme."""
    steps = np.asarray(steps, dtype=np.float64)
    errors = np.asarray(errors, dtype=np.float64)
    if steps.shape != errors.shape or steps.size < 2 or np.any(steps <= 0) or np.any(errors <= 0):
        raise ValueError("need >= 2 positive steps and errors of the same shape")
    return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])
