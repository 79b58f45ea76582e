"""Experiments that run a model: f-I curves, current thresholds and rheobase.

These protocols build a stimulus, call a model's ``simulate`` and measure the
result with :mod:`neurohelpers.analysis`. Units: time ms, rates Hz, currents in
the model's own units (LIF nA, Izhikevich model units, Hodgkin-Huxley uA/cm^2).
"""

from __future__ import annotations

import math
import sys

import numpy as np
from numpy.typing import ArrayLike

from .. import _checks
from ..analysis import _real_array, firing_rate, rates_from_buffer, window_bounds
from ..integrate import SpikingModel
from ..stimulus import pulse_current, step_current, time_axis

__all__ = ["fi_curve", "rheobase", "threshold_amplitude"]

# simulate options the protocols set themselves: passing them too would collide
_RESERVED = ("record", "gain")


def _refuse_reserved(protocol: str, simulate_kwargs: dict) -> None:
    """ValueError if the caller passes a simulate option the protocol sets itself."""
    clash = [k for k in _RESERVED if k in simulate_kwargs]
    if clash:
        raise ValueError(
            f"{protocol} sets {', '.join(clash)}= itself (it keeps spike times only); "
            f"do not pass {', '.join(clash)}= to it"
        )


def _rates(res, batch: int, window: tuple[float, float], method: str) -> np.ndarray:
    """:func:`firing_rate` of a batch run's trains, from its flat spike buffer when the
    result still holds it (no array per neuron is built), else from ``res.spike_times``."""
    flat = res.flat_spikes() if hasattr(res, "flat_spikes") else None
    if flat is not None:
        rates = rates_from_buffer(*flat, batch, window, method)
        if rates is not None:
            return rates
    return firing_rate(res.spike_times, window, method=method)


def fi_curve(
    model: SpikingModel,
    currents: ArrayLike,
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
        Passed to ``model.simulate`` (``method=``, initial state, ...); not
        ``record`` or ``gain``, which ``fi_curve`` sets itself.

    Returns
    -------
    numpy.ndarray
        Rates in Hz, one per current.

    Raises
    ------
    ValueError
        For bad arguments, including ``record=``/``gain=`` and a ``dt`` so
        coarse that the pulse holds no time sample.
    """
    _refuse_reserved("fi_curve", simulate_kwargs)
    currents = _real_array("currents", currents)
    if currents.ndim != 1 or currents.size == 0:
        raise ValueError(f"currents must be a non-empty 1-D array, got shape {currents.shape}")
    if not 0.0 <= onset < offset <= duration:
        raise ValueError(
            f"need 0 <= onset < offset <= duration, got onset={onset}, offset={offset}, duration={duration}"
        )
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    window = window or (onset, offset)
    window_bounds(window)
    _checks.method_name(measure, ("count", "isi"))
    t = time_axis(duration, dt)
    shape = pulse_current(t, [(onset, offset, 1.0)])
    if t.size < 2 or not shape[:-1].any():
        raise ValueError(
            f"dt={dt:g} ms is too coarse for this protocol: the pulse {onset:g}-{offset:g} ms of a "
            f"{duration:g} ms run holds no time step; use dt well below offset - onset"
        )
    rates = np.empty(currents.size)
    # one shared waveform scaled per neuron: no (chunk, n) current array is built
    n_chunks = math.ceil(currents.size / chunk_size)
    for i in range(n_chunks):
        sl = slice(i * chunk_size, (i + 1) * chunk_size)
        res = model.simulate(shape, dt, record=False, gain=currents[sl], **simulate_kwargs)
        rates[sl] = _rates(res, currents[sl].size, window, measure)
        if progress:
            print(f"fi_curve: chunk {i + 1}/{n_chunks} done", file=sys.stderr)
    return rates


def threshold_amplitude(
    model: SpikingModel,
    base: ArrayLike,
    shape: ArrayLike,
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
        Width of the final bracket, current units. A ``tol`` below the float
        spacing of the bracket stops at two adjacent floats.
    per_round : int
        Amplitudes simulated per round.
    **simulate_kwargs
        Passed to ``model.simulate`` (not ``record``, set here).

    Returns
    -------
    float
        The upper end of the final bracket (fires), current units.
    """
    _refuse_reserved("threshold_amplitude", simulate_kwargs)
    base = _real_array("base", base)
    shape = _real_array("shape", shape)
    low = _checks.finite("low", low)
    high = _checks.finite("high", high)
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
        return _rates(res, amplitudes.size, window, "count") > 0

    ends = fires(np.array([low, high]))
    if ends[0] or not ends[1]:
        raise ValueError(
            f"bracket does not hold a threshold: low={low:g} {'fires' if ends[0] else 'is silent'}, "
            f"high={high:g} {'fires' if ends[1] else 'is silent'}"
        )
    while high - low > tol:
        # only amplitudes strictly inside the bracket: none left once low, high are adjacent floats
        trial = np.unique(np.linspace(low, high, per_round + 2)[1:-1])
        trial = trial[(trial > low) & (trial < high)]
        if trial.size == 0:
            break
        hit = fires(trial)
        first = int(np.argmax(hit)) if hit.any() else trial.size
        if first < trial.size:
            high = float(trial[first])
        if first > 0:
            low = float(trial[first - 1])
    return high


def rheobase(
    model: SpikingModel,
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
        Width of the final bracket, current units (stops at adjacent floats
        if smaller than their spacing).
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
