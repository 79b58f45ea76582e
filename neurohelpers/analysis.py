"""Spike-train and trace measures: spike detection, firing rates, ISI statistics, decay
time constants and the observed order of a scheme.

Times in ms, voltages in mV, rates in Hz. Experiments that run a model (f-I curves,
thresholds, rheobase) are in :mod:`neurohelpers.protocols`. Bad input (complex, NaN,
wrong shape, unsorted trains where order matters) raises ValueError naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from . import _checks


def _real_array(name: str, value: ArrayLike, ndim: int | None = None) -> np.ndarray:
    """``value`` as a float64 array; ValueError for complex, non-numeric or NaN/inf input."""
    if type(value) is np.ndarray and value.dtype == np.float64:  # already one: only check it
        arr = value
    elif np.iscomplexobj(value):
        raise ValueError(f"{name} must be real; got complex values")
    else:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must be an array of real numbers ({err})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def spike_times(V: ArrayLike, t: ArrayLike, threshold: float = 0.0) -> np.ndarray | list[np.ndarray]:
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
    V = _real_array("V", V)
    t = _real_array("t", t)
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
    """Accept one array of spike times or a sequence of them: real, 1-D trains (finiteness is
    checked by the caller on the concatenation, one pass for any number of trains)."""
    if isinstance(spikes, np.ndarray) and spikes.ndim == 1:
        return [_real_array("spike_times", spikes)], True
    if isinstance(spikes, Sequence) and (len(spikes) == 0 or np.ndim(spikes[0]) == 0):
        return [_real_array("spike_times", spikes)], True
    if isinstance(spikes, np.ndarray) and spikes.ndim != 2:
        raise ValueError(f"spike_times must be one 1-D train or a list of them, got shape {spikes.shape}")
    rows = []
    for i, train in enumerate(spikes):
        if type(train) is np.ndarray and train.dtype == np.float64 and train.ndim == 1:
            rows.append(train)  # a simulation's train: nothing to convert or check here
            continue
        if np.iscomplexobj(train):
            raise ValueError(f"spike_times[{i}] must be real; got complex values")
        row = np.asarray(train, dtype=np.float64)
        if row.ndim != 1:
            raise ValueError(f"spike_times[{i}] must be 1-D, got shape {row.shape}")
        rows.append(row)
    return rows, False


def firing_rate(
    spike_times: ArrayLike | Sequence[ArrayLike], window: tuple[float, float], method: str = "count"
) -> float | np.ndarray:
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
        rate of a regular train. ``"isi"`` needs strictly increasing spike times
        in the window: repeated or unsorted times (an interval of 0 or less,
        e.g. spikes closer than the float resolution of t) raise ValueError
        rather than give an infinite or negative rate; use ``"count"`` there.

    Returns
    -------
    float or numpy.ndarray
        Hz; an array (one rate per neuron) for a list of trains.
    """
    start, stop = window_bounds(window)
    _checks.method_name(method, ("count", "isi"))
    rows, single = _as_spike_rows(spike_times)
    lengths = np.array([r.size for r in rows], dtype=np.int64)
    flat = np.concatenate(rows) if rows else np.empty(0)
    if not np.all(np.isfinite(flat)):
        raise ValueError("spike_times contains NaN or infinite values")
    owner = np.repeat(np.arange(len(rows)), lengths)
    inside = (flat >= start) & (flat < stop)
    counts = np.bincount(owner[inside], minlength=len(rows))
    first = last = None
    if method == "isi":
        first = np.full(len(rows), np.inf)
        last = np.full(len(rows), -np.inf)
        np.minimum.at(first, owner[inside], flat[inside])
        np.maximum.at(last, owner[inside], flat[inside])
        _check_increasing(flat[inside], owner[inside])
    rates = _rates(counts, first, last, start, stop, method)
    return float(rates[0]) if single else rates


def window_bounds(window: tuple[float, float]) -> tuple[float, float]:
    """``(start, stop)`` of a rate window as floats, ms; ValueError unless finite with stop > start."""
    bounds = _real_array("window", window)
    if bounds.shape != (2,) or not bounds[1] > bounds[0]:
        raise ValueError(f"window must be (start, stop) with stop > start, got {window!r}")
    return float(bounds[0]), float(bounds[1])


def _rates(counts, first, last, start: float, stop: float, method: str) -> np.ndarray:
    """Rates (Hz) from each train's spike count in ``[start, stop)`` and, for ``"isi"``, its
    first and last spike there (ms): the arithmetic of :func:`firing_rate`."""
    if method == "count":
        return 1000.0 * counts / (stop - start)
    rates = np.zeros(counts.size)
    ok = counts >= 2
    rates[ok] = 1000.0 * (counts[ok] - 1) / (last[ok] - first[ok])
    return rates


def rates_from_buffer(
    times: np.ndarray, owners: np.ndarray, batch: int, window: tuple[float, float], method: str = "count"
) -> np.ndarray | None:
    """:func:`firing_rate` of ``batch`` trains given as a flat spike buffer, without
    building one array per train.

    Parameters
    ----------
    times : numpy.ndarray of float64, 1-D
        Spike times, ms (a simulation's buffer, see ``SimulationResult.flat_spikes``).
    owners : numpy.ndarray of int64, same shape
        Train (0 .. batch-1) of each spike; each train's spikes in time order, trains
        interleaved. Owners outside that range are ignored, as when splitting the buffer.
    batch : int
        Number of trains.
    window, method
        As for :func:`firing_rate` (checked by the caller with :func:`window_bounds`).

    Returns
    -------
    numpy.ndarray or None
        One rate per train, Hz, bit for bit what :func:`firing_rate` returns on the split
        trains; None when a spike time is not finite or (for ``"isi"``) a train's times in
        the window do not strictly increase: call :func:`firing_rate` on the trains for
        its error message.
    """
    start, stop = window_bounds(window)
    counts, first, last, finite, increasing = _scan_window(times, owners, batch, start, stop)
    if not finite or (method == "isi" and not increasing):
        return None
    return _rates(counts, first, last, start, stop, method)


@njit(cache=True)
def _scan_window(times, owners, batch, start, stop):
    """One pass over a flat spike buffer: per owner the count of spikes with
    ``start <= t < stop`` and the first and last of them (inf, -inf if none); whether every
    time is finite and whether each owner's in-window times strictly increase."""
    counts = np.zeros(batch, dtype=np.int64)
    first = np.full(batch, np.inf)
    last = np.full(batch, -np.inf)
    finite = True
    increasing = True
    for i in range(times.size):
        t = times[i]
        o = owners[i]
        if not (0 <= o < batch):
            continue
        if not np.isfinite(t):
            finite = False
        elif start <= t < stop:
            if counts[o] == 0:
                first[o] = t
            elif not t > last[o]:
                increasing = False
            last[o] = t
            counts[o] += 1
    return counts, first, last, finite, increasing


def _check_increasing(times: np.ndarray, owner: np.ndarray) -> None:
    """ValueError unless the spike times of each train (same ``owner``) strictly increase."""
    same = owner[1:] == owner[:-1]
    bad = same & (np.diff(times) <= 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(
            f"spike_times must be strictly increasing for method='isi': train {int(owner[k])} has "
            f"{times[k]!r} followed by {times[k + 1]!r} ms (use method='count' for such trains)"
        )


def isi_statistics(
    spike_times: ArrayLike, burst_isi: float = 10.0, gap_ratio: float = 0.3
) -> dict[str, float]:
    """Inter-spike interval statistics of one spike train.

    Parameters
    ----------
    spike_times : array_like, 1-D
        Spike times of one train, ms, strictly increasing.
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
    if isinstance(spike_times, Sequence) and len(spike_times) and np.ndim(spike_times[0]) > 0:
        raise ValueError("isi_statistics takes one spike train (1-D spike_times); call it once per train")
    s = _real_array("spike_times", spike_times)
    if s.ndim != 1:
        raise ValueError(
            f"isi_statistics takes one spike train (1-D spike_times), got shape {s.shape}; "
            "call it once per train"
        )
    isi = np.diff(s)
    if np.any(isi <= 0):
        k = int(np.argmax(isi <= 0))
        raise ValueError(
            f"spike_times must be strictly increasing: {s[k]!r} is followed by {s[k + 1]!r} ms"
        )
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


def decay_time_constant(t: ArrayLike, V: ArrayLike, V_inf: float, window: tuple[float, float]) -> float:
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

    Returns
    -------
    float
        tau, ms (> 0).

    Raises
    ------
    ValueError
        If the window holds fewer than two samples, V reaches V_inf in it, or
        ``|V - V_inf|`` does not shrink across it (a flat or growing trace has
        no decay time constant).
    """
    t = _real_array("t", t, ndim=1)
    V = _real_array("V", V, ndim=1)
    if t.shape != V.shape:
        raise ValueError(f"t {t.shape} and V {V.shape} must have the same shape")
    V_inf = _checks.finite("V_inf", V_inf)
    window = _real_array("window", window)
    if window.shape != (2,):
        raise ValueError(f"window must be (start, stop) in ms, got shape {window.shape}")
    inside = (t >= window[0]) & (t <= window[1])
    gap = np.abs(V[inside] - V_inf)
    if inside.sum() < 2 or np.any(gap <= 0):
        raise ValueError("window must hold >= 2 samples with V != V_inf")
    slope = np.polyfit(t[inside], np.log(gap), 1)[0]
    span = float(t[inside].max() - t[inside].min())
    # the fitted log-gap must fall by more than rounding noise across the window
    if not slope * span < -1e-9:
        raise ValueError(
            f"V does not decay toward V_inf={V_inf:g} mV in window ({window[0]:g}, {window[1]:g}) ms: "
            f"|V - V_inf| changes by a factor {math.exp(slope * span):.12g} across it"
        )
    return float(-1.0 / slope)


def convergence_order(steps: ArrayLike, errors: ArrayLike) -> float:
    """Slope of log(error) against log(step): the observed order of a scheme.

    Parameters
    ----------
    steps : array_like, 1-D
        Step sizes (> 0), at least two different values.
    errors : array_like, same shape
        Errors (> 0) at those steps.

    Returns
    -------
    float
        Least-squares slope of log(error) against log(step).
    """
    steps = _real_array("steps", steps)
    errors = _real_array("errors", errors)
    if steps.shape != errors.shape or steps.size < 2 or np.any(steps <= 0) or np.any(errors <= 0):
        raise ValueError("need >= 2 positive steps and errors of the same shape")
    if np.unique(steps).size < 2:
        raise ValueError(f"steps must hold at least two different step sizes, got {steps.tolist()}")
    return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])
