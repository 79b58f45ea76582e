"""Time axes and input currents (sample and hold).

All times are in ms. A current sample ``I[..., k]`` holds on ``[t_k, t_{k+1})``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._checks import finite, non_negative, positive, real_array


def _edge_tolerance(t: np.ndarray) -> float:
    """Tolerance (ms) for comparing event times with grid times built as ``k * dt``."""
    return 1e-9 * max(1.0, float(np.max(np.abs(t))) if t.size else 1.0)


def _as_time(t) -> np.ndarray:
    t = real_array("t", t)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"t must be a non-empty 1-D time axis (ms); got shape {t.shape}")
    return t


def _amplitude(name: str, value) -> np.ndarray:
    """A finite real scalar or (batch,) array of amplitudes (model current unit)."""
    arr = real_array(name, value)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-D array (batch,); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _add(total: np.ndarray, term: np.ndarray) -> np.ndarray:
    """``total + term``, refusing array amplitudes of different batch sizes."""
    if total.ndim == 2 and term.ndim == 2 and total.shape != term.shape:
        raise ValueError(
            f"array amplitudes must all have the same length; got {total.shape[0]} and {term.shape[0]}"
        )
    return total + term


def time_axis(duration: float, dt: float) -> np.ndarray:
    """Uniform time axis from 0 to ``duration`` inclusive.

    Parameters
    ----------
    duration : float
        Length of the simulation, ms (>= 0).
    dt : float
        Time step, ms (> 0). ``duration`` should be a whole number of steps;
        otherwise the axis stops at the last step not beyond ``duration``.

    Returns
    -------
    numpy.ndarray
        ``t[k] = k * dt``, shape ``(round(duration / dt) + 1,)``, ms.
    """
    duration = non_negative("duration", duration)
    dt = positive("dt", dt)
    steps = int(np.floor(duration / dt + 1e-9))
    return np.arange(steps + 1, dtype=np.float64) * dt


def pulse_current(t, pulses: Iterable[tuple[float, float, float]]) -> np.ndarray:
    """Sum of rectangular pulses.

    Parameters
    ----------
    t : array_like, shape (n,)
        Time axis, ms.
    pulses : iterable of (start, stop, amplitude)
        Each pulse is on for ``start <= t < stop`` (ms). ``amplitude`` is in
        the model's current unit (nA for LIF, uA/cm^2 for HH); it may be an
        array of shape (batch,), giving a batch of traces of shape (batch, n).

    Returns
    -------
    numpy.ndarray
        Shape (n,), or (batch, n) if an amplitude is an array.
    """
    t = _as_time(t)
    tol = _edge_tolerance(t)
    total = np.zeros_like(t)
    for item in pulses:
        try:
            start, stop, amp = item
        except (TypeError, ValueError):
            raise ValueError(
                f"each pulse must be (start, stop, amplitude); got {item!r}"
            ) from None
        start = finite("pulse start", start)
        stop = finite("pulse stop", stop)
        if stop < start:
            raise ValueError(f"pulse stop ({stop:g} ms) is before its start ({start:g} ms)")
        amp = _amplitude("pulse amplitude", amp)
        on = (t >= start - tol) & (t < stop - tol)
        total = _add(total, amp[..., None] * on)
    return total


def step_current(t, steps: Iterable[tuple[float, float]]) -> np.ndarray:
    """Cumulative step current.

    Parameters
    ----------
    t : array_like, shape (n,)
        Time axis, ms.
    steps : iterable of (time, change)
        From ``t >= time`` (ms) on, the current changes by ``change`` (model
        current unit; may be an array of shape (batch,)). Changes add up.

    Returns
    -------
    numpy.ndarray
        Shape (n,), or (batch, n) if a change is an array.

    Examples
    --------
    The 2020 Hodgkin-Huxley protocol (10, 0, 20, 100, 0 uA/cm^2 in 100 ms windows):

    >>> t = time_axis(500.0, 0.01)
    >>> I = step_current(t, [(0, 10), (100, -10), (200, 20), (300, 80), (400, -100)])
    """
    t = _as_time(t)
    tol = _edge_tolerance(t)
    total = np.zeros_like(t)
    for item in steps:
        try:
            when, change = item
        except (TypeError, ValueError):
            raise ValueError(f"each step must be (time, change); got {item!r}") from None
        when = finite("step time", when)
        change = _amplitude("step change", change)
        total = _add(total, change[..., None] * (t >= when - tol))
    return total
