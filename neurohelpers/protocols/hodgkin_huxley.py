"""Protocols (experiments) of the Hodgkin-Huxley chapter.

Each function builds a stimulus, runs a model (usually
:class:`~neurohelpers.HodgkinHuxley`) as one batch and measures the result.
Units: time ms, voltage mV, rates Hz, current densities uA/cm^2.

Searches for a threshold (an amplitude, a delay) use batched bisection: each
round simulates ``per_round`` trial values per search in one call and keeps
the bracket between the last value that does not fire and the first that does.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np

from .. import _checks
from ..analysis import firing_rate
from ..integrate import SimulationResult
from ..stimulus import pulse_current, step_current, time_axis
from .common import fi_curve, rheobase

__all__ = [
    "Q35_STEPS",
    "HHTable",
    "hh_anode_break",
    "hh_anode_break_table",
    "hh_excitability",
    "hh_excitability_table",
    "hh_fi_scan",
    "hh_frames_table",
    "hh_initial_condition_effect",
    "hh_paired_pulse_thresholds",
    "hh_refractory_periods",
    "hh_refractory_table",
    "hh_rest_table",
    "hh_second_spike_peaks",
    "hh_staircase",
    "hh_step_protocol",
    "hh_temperature_effects",
    "hh_window_table",
    "three_model_fi",
    "three_model_table",
    "upward_crossings",
]

#: Question 3.5 (2020): cumulative steps (time ms, change uA/cm^2); levels 10, 0, 20, 100, 0.
Q35_STEPS: tuple[tuple[float, float], ...] = (
    (0.0, 10.0), (100.0, -10.0), (200.0, 20.0), (300.0, 80.0), (400.0, -100.0),
)
#: The 2020 start: V = -65 mV in the rest-at-0 frame, i.e. 65 mV below the
#: modern rest; all gates 0.
V0_2020_MODERN = -130.0
_UNIT = "$\\mu$A/cm$^2$"
_CURRENT = f"({_UNIT})"


@dataclasses.dataclass(frozen=True)
class HHTable:
    """Column titles and rows of a results table (``nh.tables.markdown_table(*table)``)."""

    headers: list[str]
    rows: list[list]

    def __iter__(self):
        return iter((self.headers, self.rows))


def _monotone_search(
    fires: Callable[[np.ndarray], np.ndarray],
    low: np.ndarray,
    high: np.ndarray,
    tol: float,
    per_round: int,
    log: bool = False,
) -> np.ndarray:
    """Batched bisection for many searches at once.

    ``fires(values)`` gets trial values of shape (searches, per_round) and
    returns booleans of that shape; firing must be monotone (False below the
    threshold, True above). ``low`` must not fire, ``high`` must. Stops when
    every bracket is narrower than ``tol`` (relative if ``log``). Returns the
    upper ends (they fire).
    """
    low = np.array(low, dtype=np.float64)
    high = np.array(high, dtype=np.float64)
    if log and np.any(low <= 0):
        raise ValueError("a logarithmic search needs low > 0")
    width = (np.log(high / low) if log else high - low)
    rounds = math.ceil(math.log(max(float(width.max()) / tol, 1.0)) / math.log(per_round + 1))
    frac = np.linspace(0.0, 1.0, per_round + 2)[1:-1]
    for _ in range(rounds):
        if log:
            trial = low[:, None] * (high / low)[:, None] ** frac[None, :]
        else:
            trial = low[:, None] + (high - low)[:, None] * frac[None, :]
        hit = np.asarray(fires(trial), dtype=bool)
        first = np.where(hit.any(axis=1), np.argmax(hit, axis=1), per_round)
        rows = np.arange(low.size)
        has_hit = first < per_round
        high[has_hit] = trial[rows[has_hit], first[has_hit]]
        above_low = first > 0
        low[above_low] = trial[rows[above_low], first[above_low] - 1]
    return high


def hh_step_protocol(
    model,
    steps: Sequence[tuple[float, float]] = Q35_STEPS,
    *,
    duration: float = 500.0,
    dt: float = 0.01,
    **simulate_kwargs,
) -> tuple[np.ndarray, SimulationResult]:
    """Run a cumulative step protocol (Question 3.5 by default) from rest.

    Parameters
    ----------
    model : HodgkinHuxley
    steps : sequence of (time, change)
        Each change (uA/cm^2) is added from ``t >= time`` (ms) on.
    duration, dt : float
        Run length and time step, ms.
    **simulate_kwargs
        Passed to ``model.simulate`` (initial state, method).

    Returns
    -------
    current : numpy.ndarray
        The input, uA/cm^2.
    res : SimulationResult
        The recorded run.
    """
    t = time_axis(duration, dt)
    current = step_current(t, steps)
    return current, model.simulate(current, dt, **simulate_kwargs)


def upward_crossings(t, V, level: float) -> np.ndarray:
    """Times at which a sampled trace crosses ``level`` upwards (linear interpolation).

    Counts the peaks of an oscillation whatever their height, e.g. the small
    spikes of the Hodgkin-Huxley model that no longer reach 0 mV.

    Parameters
    ----------
    t : array_like, 1-D
        Sample times, ms.
    V : array_like
        Trace(s), mV: 1-D, or 2-D with one row per neuron.
    level : float
        Crossing level, mV.

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray
        Crossing times, ms (a list with one array per row for a 2-D ``V``).
    """
    t = np.asarray(t, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    if t.ndim != 1 or V.shape[-1] != t.size:
        raise ValueError(f"V must end with the length of t ({t.size}), got shape {V.shape}")
    if V.ndim == 2:
        return [upward_crossings(t, row, level) for row in V]
    k = np.flatnonzero((V[:-1] < level) & (V[1:] >= level))
    frac = (level - V[k]) / (V[k + 1] - V[k])
    return t[k] + frac * (t[k + 1] - t[k])


def _isi_rate(times: np.ndarray) -> float | None:
    """1 / mean interval (Hz) of sorted times (ms); None with fewer than two."""
    return None if times.size < 2 else 1000.0 / float(np.mean(np.diff(times)))


def hh_window_table(
    res: SimulationResult, current, *, width: float = 100.0, settle: float = 10.0,
    peak_level: float = -40.0,
) -> HHTable:
    """Per-window summary of a one-neuron run: level, spikes, rates, V range.

    Parameters
    ----------
    res : SimulationResult
        A 1-D run.
    current : array_like
        Its input, uA/cm^2 (the level is read at each window start).
    width : float
        Window length, ms.
    settle : float
        The V range is taken from ``settle`` ms into each window, ms.
    peak_level : float
        Peaks are counted as upward crossings of this level, mV (spikes too
        small to reach the 0 mV criterion included).

    Returns
    -------
    HHTable
        One row per window: window (ms), I, spike count (0 mV crossings),
        their 1 / mean ISI (Hz; 0 without spikes, None with one), the peak
        count and its 1 / mean interval (Hz, same convention), V min and max (mV).
    """
    _checks.positive("width", width)
    t, V = res.t, np.asarray(res.V)
    if V.ndim != 1:
        raise ValueError("hh_window_table needs a one-neuron (1-D) run")
    current = np.asarray(current, dtype=np.float64)
    dt = float(t[1] - t[0])
    level = f"{peak_level:g}"
    headers = ["window (ms)", f"$I$ {_CURRENT}", "spikes (0 mV)", "1/ISI (Hz)",
               f"peaks ({level} mV)", "peaks: 1/interval (Hz)", "min $V$ (mV)", "max $V$ (mV)"]
    crossings = upward_crossings(t, V, peak_level)
    rows = []
    for start in np.arange(0.0, t[-1] - 0.5 * dt, width):
        stop = start + width
        spikes = res.spike_times[(res.spike_times >= start) & (res.spike_times < stop)]
        peaks = crossings[(crossings >= start) & (crossings < stop)]
        late = (t >= start + settle) & (t < stop)
        rates = [0.0 if x.size == 0 else _isi_rate(x) for x in (spikes, peaks)]
        rates = [None if r is None else round(r, 1) for r in rates]
        rows.append([
            f"{start:.0f}-{stop:.0f}", float(current[round(start / dt)]), int(spikes.size),
            rates[0], int(peaks.size), rates[1],
            round(float(V[late].min()), 1), round(float(V[late].max()), 1),
        ])
    return HHTable(headers, rows)


def hh_initial_condition_effect(
    model,
    steps: Sequence[tuple[float, float]] = Q35_STEPS,
    *,
    duration: float = 500.0,
    dt: float = 0.01,
    width: float = 100.0,
    V0: float = V0_2020_MODERN,
) -> dict:
    """Compare a start from rest with the 2020 start (V0, all gates 0).

    The 2020 code used the rest-at-0 frame and started at V = -65 mV there,
    which is ``V0`` = -130 mV in the modern frame used here.

    Returns
    -------
    dict
        ``current`` (uA/cm^2), ``res`` (batch of two: row 0 from rest, row 1
        from the 2020 state), ``table`` (a :class:`HHTable`: per window the
        spike counts of both starts and the smallest and largest shift of
        paired spike times, ms to 3 decimals, where the counts agree), ``max_shift_after``
        (largest |shift| of paired spikes after the first window, ms).
    """
    t = time_axis(duration, dt)
    current = step_current(t, steps)
    rest = model.resting_state()
    res = model.simulate(
        np.stack([current, current]), dt, V0=np.array([rest["V"], V0]),
        m0=np.array([rest["m"], 0.0]), h0=np.array([rest["h"], 0.0]),
        n0=np.array([rest["n"], 0.0]),
    )
    ref, late = res.spike_times
    rows, after = [], [0.0]
    for start in np.arange(0.0, duration - 0.5 * dt, width):
        a = ref[(ref >= start) & (ref < start + width)]
        b = late[(late >= start) & (late < start + width)]
        shift = b - a if a.size == b.size else np.array([np.nan])
        if start > 0 and a.size == b.size:
            after.extend(np.abs(shift))
        lo, hi = (round(float(shift.min()), 3), round(float(shift.max()), 3)) if shift.size \
            else (None, None)
        rows.append([f"{start:.0f}-{start + width:.0f}", int(a.size), int(b.size), lo, hi])
    headers = ["window (ms)", "spikes, rest start", "spikes, 2020 start",
               "min shift (ms)", "max shift (ms)"]
    return {"current": current, "res": res, "table": HHTable(headers, rows),
            "max_shift_after": float(max(after))}


def _last_firing_current(model, low: float, high: float, *, dt: float, tol: float) -> float:
    """Largest step amplitude (uA/cm^2) in [low, high] with 0 mV crossings in the
    last 100 ms of a 510 ms step from rest (above it: depolarisation block)."""
    t = time_axis(510.0, dt)
    shape = step_current(t, [(10.0, 1.0)])

    def silent(values):
        res = model.simulate(shape, dt, record=False, gain=values.ravel())
        rate = firing_rate(res.spike_times, (410.0, 510.0 + dt))
        return (np.asarray(rate) == 0).reshape(values.shape)

    upper = _monotone_search(silent, [low], [high], tol, 15)[0]
    return float(upper - tol)


def hh_excitability(
    model, *, dt: float = 0.02, tol: float = 2e-3, block_bracket: tuple[float, float] = (40.0, 100.0)
) -> dict[str, float]:
    """Thresholds, Hopf currents, the rate at the onset of sustained firing and its upper end.

    Parameters
    ----------
    model : HodgkinHuxley
    dt : float
        Time step of the threshold searches, ms.
    tol : float
        Bracket width of the threshold searches, uA/cm^2 (the upper end of
        firing is found to ``10 * tol``).
    block_bracket : (low, high)
        Currents (uA/cm^2) that bracket the upper end of firing: ``low`` fires,
        ``high`` does not.

    Returns
    -------
    dict
        ``one_spike``: smallest step from rest giving at least one spike
        within 100 ms;
        ``sustained``: smallest step from rest still firing in the last 500 ms
        of a 2 s step (see :func:`rheobase`); ``hopf_low``, ``hopf_high``: where
        the steady state changes stability; ``onset_rate`` (Hz): 1 / mean ISI
        over 1-2 s of a 2 s step at ``sustained`` (the upper end of its bracket,
        which fires); ``last_firing``: largest step with 0 mV crossings in the
        last 100 ms of a 510 ms step. Currents in uA/cm^2.
    """
    one = rheobase(model, kind="one", low=0.0, high=10.0, tol=tol, dt=dt, duration=110.0)
    hopf = model.hopf_currents()
    sustained = rheobase(model, kind="sustained", low=one, high=hopf[0] + 1.0, tol=tol, dt=dt,
                         duration=2010.0, tail=500.0)
    onset = fi_curve(model, [sustained], dt=dt, duration=2000.0, onset=0.0, offset=2000.0,
                     window=(1000.0, 2000.0), measure="isi")[0]
    last = _last_firing_current(model, *block_bracket, dt=dt, tol=10 * tol)
    return {"one_spike": one, "sustained": sustained, "hopf_low": float(hopf[0]),
            "hopf_high": float(hopf[-1]), "onset_rate": float(onset), "last_firing": last}


def hh_fi_scan(
    model,
    currents,
    range_currents=None,
    *,
    dt: float = 0.02,
    onset: float = 10.0,
    duration: float = 410.0,
    settle: float = 200.0,
    chunk_size: int = 64,
    peak_level: float = -40.0,
) -> dict[str, np.ndarray]:
    """Steady firing rate and range of V against the amplitude of a step from rest.

    Parameters
    ----------
    model : HodgkinHuxley
    currents : array_like, 1-D
        Step amplitudes for the rate, uA/cm^2.
    range_currents : array_like, 1-D, optional
        Step amplitudes for the range of V (recorded runs; default ``currents``).
    dt, onset, duration : float
        Time step, step onset and run length, ms.
    settle : float
        Rate and V range are measured from ``onset + settle`` to the end, ms.
    chunk_size : int
        Recorded neurons per call (bounds the memory of the traces).
    peak_level : float
        Level whose upward crossings count as peaks, mV.

    Returns
    -------
    dict
        ``currents``, ``rate`` (Hz, 1 / mean ISI of 0 mV crossings in ``window``, ms),
        ``max_rate`` (Hz) and ``max_current`` (uA/cm^2, where it occurs);
        ``range_currents``, ``v_min``, ``v_max`` (mV) and ``peak_rate`` (Hz,
        1 / mean interval of the upward crossings of ``peak_level`` in the
        window; 0 with fewer than two).
    """
    currents = np.asarray(currents, dtype=np.float64)
    if currents.ndim != 1 or currents.size == 0:
        raise ValueError(f"currents must be a non-empty 1-D array, got shape {currents.shape}")
    rng = currents if range_currents is None else np.asarray(range_currents, dtype=np.float64)
    if rng.ndim != 1 or rng.size == 0:
        raise ValueError(f"range_currents must be a non-empty 1-D array, got shape {rng.shape}")
    if not 0.0 <= onset < onset + settle < duration:
        raise ValueError("need 0 <= onset < onset + settle < duration")
    rate = fi_curve(model, currents, dt=dt, duration=duration, onset=onset, offset=duration,
                    window=(onset + settle, duration), measure="isi")
    t = time_axis(duration, dt)
    shape = pulse_current(t, [(onset, duration + dt, 1.0)])
    late = t >= onset + settle
    v_min, v_max = np.empty(rng.size), np.empty(rng.size)
    peak_rate = np.empty(rng.size)
    for i in range(0, rng.size, int(chunk_size)):
        sl = slice(i, i + int(chunk_size))
        V = np.atleast_2d(model.simulate(shape, dt, gain=rng[sl]).V)[:, late]
        v_min[sl], v_max[sl] = V.min(axis=1), V.max(axis=1)
        peaks = upward_crossings(t[late], V, peak_level)
        peak_rate[sl] = [_isi_rate(p) or 0.0 for p in peaks]
    k = int(np.argmax(rate))
    return {"currents": currents, "rate": rate, "max_rate": float(rate[k]),
            "window": (onset + settle, duration),
            "max_current": float(currents[k]), "range_currents": rng, "v_min": v_min,
            "v_max": v_max, "peak_rate": peak_rate, "peak_level": float(peak_level)}


def hh_staircase(
    model,
    levels,
    *,
    hold: float = 200.0,
    skip: float = 50.0,
    dt: float = 0.02,
) -> dict[str, np.ndarray]:
    """Current staircase without reset: the rate on each step (hysteresis).

    Parameters
    ----------
    model : HodgkinHuxley
    levels : array_like, 1-D
        Current level of each step, uA/cm^2, in order (e.g. up then down).
    hold : float
        Duration of each step, ms.
    skip : float
        The rate is 1 / mean ISI from ``skip`` ms into each step to its end, ms.
    dt : float
        Time step, ms.

    Returns
    -------
    dict
        ``levels``, ``rate`` (Hz per step), ``rising`` (True where the level is
        above the previous one or is the first step), ``first_up`` (the first
        rising level with firing) and ``last_down`` (the lowest falling level
        with firing), uA/cm^2, NaN if none.
    """
    levels = np.asarray(levels, dtype=np.float64)
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError("levels must be a non-empty 1-D array")
    _checks.positive("hold", hold)
    if not 0.0 <= skip < hold:
        raise ValueError(f"skip must be in [0, hold), got {skip}")
    t = time_axis(hold * levels.size, dt)
    changes = np.diff(levels, prepend=0.0)
    res = model.simulate(step_current(t, [(k * hold, c) for k, c in enumerate(changes)]), dt,
                         record=False)
    rate = np.array([firing_rate(res.spike_times, (k * hold + skip, (k + 1) * hold), method="isi")
                     for k in range(levels.size)])
    rising = np.concatenate([[True], np.diff(levels) > 0])
    up_fires, down_fires = levels[rising & (rate > 0)], levels[~rising & (rate > 0)]
    return {"levels": levels, "rate": rate, "rising": rising,
            "first_up": float(up_fires[0]) if up_fires.size else math.nan,
            "last_down": float(down_fires.min()) if down_fires.size else math.nan}


def _conditioning_spike(model, onset: float, width: float, after: float, amplitude: float,
                        dt: float) -> float:
    """Time (ms) of the one spike a conditioning pulse of ``amplitude`` (uA/cm^2) from
    ``onset`` (ms) for ``width`` ms evokes; ValueError unless it evokes exactly one."""
    t = time_axis(onset + width + after + 40.0, dt)
    first = model.simulate(amplitude * pulse_current(t, [(onset, onset + width, 1.0)]), dt,
                           record=False).spike_times
    if first.size != 1:
        raise ValueError(f"the first pulse must make exactly one spike, it made {first.size}")
    return float(first[0])


def _second_spike(model, spike_time, delays, amplitudes, *, onset, width, amplitude, dt, after):
    """For arrays ``delays`` (from the first spike, ms) and ``amplitudes`` of the
    test pulse, whether a spike starts after the test-pulse onset."""
    delays, amplitudes = np.broadcast_arrays(np.asarray(delays, float), np.asarray(amplitudes, float))
    flat_d, flat_a = delays.ravel(), amplitudes.ravel()
    stop = spike_time + float(flat_d.max()) + width + after
    t = time_axis(stop, dt)
    first = amplitude * pulse_current(t, [(onset, onset + width, 1.0)])
    starts = spike_time + flat_d
    k0 = np.rint(starts / dt).astype(np.int64)
    k1 = np.rint((starts + width) / dt).astype(np.int64)
    idx = np.arange(t.size)
    test = (idx[None, :] >= k0[:, None]) & (idx[None, :] < k1[:, None])
    res = model.simulate(first[None, :] + flat_a[:, None] * test, dt, record=False)
    hit = [np.any(s >= t[k] - 1e-9) for s, k in zip(res.spike_times, k0, strict=True)]
    return np.array(hit).reshape(delays.shape)


def hh_paired_pulse_thresholds(
    model,
    delays,
    *,
    amplitude: float = 20.0,
    width: float = 1.0,
    onset: float = 5.0,
    high: float = 1000.0,
    rel_tol: float = 2e-3,
    dt: float = 0.02,
    after: float = 12.0,
    per_round: int = 15,
    relative_factor: float = 1.05,
) -> dict:
    """Threshold of a second pulse against its delay after a spike.

    A first pulse (``amplitude`` uA/cm^2, ``width`` ms, at ``onset`` ms) makes a
    spike at ``spike_time``; a test pulse of the same width starts ``delay`` ms
    after that spike (not after the first pulse). The threshold is the smallest
    test amplitude that makes a spike (an upward 0 mV crossing) after the test
    onset, found by logarithmic batched bisection to a relative ``rel_tol``.

    Parameters
    ----------
    model : HodgkinHuxley
    delays : array_like, 1-D
        Delays from the first spike to the test-pulse onset, ms.
    amplitude, width, onset : float
        First pulse, uA/cm^2 and ms.
    high : float
        Largest test amplitude tried, uA/cm^2: delays where it fails get NaN.
    rel_tol : float
        Relative width of the final bracket.
    dt, after : float
        Time step; the run ends ``after`` ms past the last test pulse, ms.
    per_round : int
        Trial amplitudes per delay per round.
    relative_factor : float
        The relative refractory period lasts while the threshold exceeds this
        multiple of the resting threshold.

    Returns
    -------
    dict
        ``spike_time`` (ms), ``rest_threshold`` (threshold of one pulse at rest,
        uA/cm^2), ``delays``, ``threshold`` (uA/cm^2, NaN where above ``high``),
        ``relative_end`` (first grid delay after the last one whose threshold
        exceeds ``relative_factor`` x the resting threshold, ms; NaN if none),
        ``min_threshold`` (uA/cm^2) and ``min_delay`` (ms): the lowest threshold
        on the grid (supernormal period) and where.
    """
    delays = np.asarray(delays, dtype=np.float64)
    if delays.ndim != 1 or delays.size == 0 or np.any(delays <= 0):
        raise ValueError("delays must be a non-empty 1-D array of positive values (ms)")
    _checks.positive("high", high)
    spike = _conditioning_spike(model, onset, width, after, amplitude, dt)
    kw = {"onset": onset, "width": width, "dt": dt, "after": after}
    rest_t = time_axis(onset + width + after + 40.0, dt)
    unit = pulse_current(rest_t, [(onset, onset + width, 1.0)])

    def rest_fires(values):
        res = model.simulate(values.ravel()[:, None] * unit[None, :], dt, record=False)
        return np.array([s.size > 0 for s in res.spike_times]).reshape(values.shape)

    rest_thr = float(_monotone_search(rest_fires, [0.1], [high], rel_tol, per_round, log=True)[0])
    ok = _second_spike(model, spike, delays, np.full(delays.size, high), amplitude=amplitude, **kw)
    thr = np.full(delays.size, np.nan)
    if ok.any():
        d = delays[ok]

        def fires(values):
            return _second_spike(model, spike, np.repeat(d[:, None], values.shape[1], axis=1),
                                 values, amplitude=amplitude, **kw)

        low = np.full(d.size, rest_thr / 2)
        thr[ok] = _monotone_search(fires, low, np.full(d.size, high), rel_tol, per_round, log=True)
    elevated = np.nonzero(~(thr <= relative_factor * rest_thr))[0]
    relative_end = float(delays[elevated[-1] + 1]) if elevated.size and elevated[-1] + 1 < delays.size \
        else math.nan
    k = int(np.nanargmin(thr)) if ok.any() else 0
    return {"spike_time": spike, "rest_threshold": rest_thr, "delays": delays, "threshold": thr,
            "relative_end": relative_end, "min_threshold": float(thr[k]),
            "min_delay": float(delays[k])}


def hh_refractory_periods(
    model,
    caps,
    *,
    amplitude: float = 20.0,
    width: float = 1.0,
    onset: float = 5.0,
    max_delay: float = 30.0,
    tol: float = 0.01,
    dt: float = 0.02,
    after: float = 12.0,
    per_round: int = 15,
) -> np.ndarray:
    """Effective absolute refractory period for each largest allowed test amplitude.

    The shortest delay after the spike of the first pulse (see
    :func:`hh_paired_pulse_thresholds`) at which a test pulse of amplitude ``cap``
    makes a second spike; it depends on the cap, so it is "absolute" only
    relative to that cap.

    Parameters
    ----------
    model : HodgkinHuxley
    caps : array_like, 1-D
        Test amplitudes, uA/cm^2.
    max_delay : float
        Upper end of the delay search, ms (must fire at every cap).
    tol : float
        Bracket width, ms.

    Returns
    -------
    numpy.ndarray
        Delays from the first spike, ms (upper ends of the brackets).
    """
    caps = np.asarray(caps, dtype=np.float64)
    if caps.ndim != 1 or caps.size == 0 or np.any(caps <= 0):
        raise ValueError("caps must be a non-empty 1-D array of positive amplitudes")
    spike = _conditioning_spike(model, onset, width, after, amplitude, dt)
    kw = {"onset": onset, "width": width, "dt": dt, "after": after, "amplitude": amplitude}
    if not np.all(_second_spike(model, spike, np.full(caps.size, max_delay), caps, **kw)):
        raise ValueError(f"some caps do not fire even at max_delay={max_delay} ms")

    def fires(values):
        return _second_spike(model, spike, values,
                             np.repeat(caps[:, None], values.shape[1], axis=1), **kw)

    return _monotone_search(fires, np.full(caps.size, dt), np.full(caps.size, max_delay), tol,
                            per_round)


def hh_second_spike_peaks(
    model, caps, delays, *, amplitude: float = 20.0, width: float = 1.0, onset: float = 5.0,
    dt: float = 0.02, after: float = 12.0,
) -> np.ndarray:
    """Peak V after the onset of a test pulse of amplitude ``caps[k]`` at ``delays[k]``.

    Same paired-pulse protocol as :func:`hh_refractory_periods`; at the delays it
    returns, the peak shows how far the second spike passes the 0 mV criterion.

    Parameters
    ----------
    model : HodgkinHuxley
    caps : array_like, 1-D
        Test amplitudes, uA/cm^2.
    delays : array_like, 1-D
        Test-pulse onsets after the first spike, ms (same length as ``caps``).
    amplitude, width, onset, dt, after : float
        As in :func:`hh_refractory_periods` (uA/cm^2, ms).

    Returns
    -------
    numpy.ndarray
        Largest V after the test-pulse onset, mV.
    """
    caps = np.asarray(caps, dtype=np.float64)
    delays = np.asarray(delays, dtype=np.float64)
    if caps.ndim != 1 or caps.shape != delays.shape or caps.size == 0:
        raise ValueError("caps and delays must be non-empty 1-D arrays of the same length")
    spike = _conditioning_spike(model, onset, width, after, amplitude, dt)
    t = time_axis(spike + float(delays.max()) + width + after, dt)
    stim = amplitude * pulse_current(t, [(onset, onset + width, 1.0)])
    rows = [stim + c * pulse_current(t, [(spike + d, spike + d + width, 1.0)])
            for c, d in zip(caps, delays, strict=True)]
    V = np.atleast_2d(model.simulate(np.array(rows), dt).V)
    return np.array([V[k, t >= spike + d].max() for k, d in enumerate(delays)])


def hh_anode_break(
    model, *, amplitude: float = -10.0, start: float = 10.0, stop: float = 30.0,
    duration: float = 80.0, dt: float = 0.01,
) -> tuple[np.ndarray, SimulationResult]:
    """A hyperpolarising pulse (uA/cm^2, ms) from rest; returns (current, recorded run)."""
    t = time_axis(duration, dt)
    current = pulse_current(t, [(start, stop, amplitude)])
    return current, model.simulate(current, dt)


def hh_temperature_effects(
    model,
    temperatures,
    *,
    current: float = 10.0,
    cap: float = 100.0,
    dt: float = 0.01,
) -> HHTable:
    """Steady rate and effective refractory period against temperature.

    Parameters
    ----------
    model : HodgkinHuxley
        Must have a ``temperature`` field (degC; Q10 = 3 on every rate).
    temperatures : array_like
        degC.
    current : float
        Step amplitude whose steady rate (1 / mean ISI over 500-1000 ms of a
        1 s step from rest) is tabulated, uA/cm^2.
    cap : float
        Test amplitude of the effective refractory period, uA/cm^2 (see
        :func:`hh_refractory_periods`).
    dt : float
        Time step, ms.

    Returns
    -------
    HHTable
        Per temperature: the rate factor phi = 3^((T - 6.3)/10), the rate (Hz)
        and rate / phi, the effective refractory period (ms) and period x phi.
    """
    temperatures = np.asarray(temperatures, dtype=np.float64)
    if temperatures.ndim != 1 or temperatures.size == 0:
        raise ValueError("temperatures must be a non-empty 1-D array (degC)")
    amp = f"{current:g} {_UNIT}"
    headers = ["$T$ ($^\\circ$C)", "factor $\\phi$", f"rate at {amp} (Hz)", "rate / $\\phi$ (Hz)",
               f"refractory period at {cap:g} {_UNIT} (ms)", "period $\\times\\, \\phi$ (ms)"]
    rows = []
    for temp in temperatures:
        warm = dataclasses.replace(model, temperature=float(temp))
        rate = float(fi_curve(warm, [current], dt=dt, duration=1000.0, onset=0.0, offset=1000.0,
                              window=(500.0, 1000.0), measure="isi")[0])
        period = float(hh_refractory_periods(warm, [cap], dt=dt, tol=0.01)[0])
        phi = 3.0 ** ((float(temp) - 6.3) / 10.0)
        rows.append([float(temp), round(phi, 3), round(rate, 1), round(rate / phi, 1),
                     round(period, 2), round(period * phi, 2)])
    return HHTable(headers, rows)


def three_model_fi(
    hh,
    norm=None,
    *,
    hh_scale: float | None = None,
    duration: float = 1000.0,
    hh_dt: float = 0.025,
    other_dt: float = 0.05,
) -> dict:
    """Steady f-I curves of LIF, Izhikevich RS and Hodgkin-Huxley on one current scale.

    Each model is driven by steps (from ``t = 0``, from its resting state at
    I = 0) of ``norm`` times the current at which its resting state loses
    stability: the LIF rheobase (nA), the Izhikevich RS Andronov-Hopf current
    (model units) and the lower Hopf current of ``hh`` (uA/cm^2).

    Parameters
    ----------
    hh : HodgkinHuxley
    norm : array_like, optional
        Currents in units of each model's scale (1); default 0 to 3 in steps
        of 0.025 plus 8 points between 1.0001 and 1.025 (the LIF onset).
    hh_scale : float, optional
        The lower Hopf current of ``hh`` if already known, uA/cm^2.
    duration : float
        Step length, ms; the rate is 1 / mean ISI over its second half.
    hh_dt, other_dt : float
        Time steps, ms.

    Returns
    -------
    dict
        ``norm``; ``rates``: name -> rates (Hz); ``scales``: name -> the current
        that ``norm = 1`` stands for.
    """
    from ..izhikevich import Izhikevich
    from ..lif import LIF

    if norm is None:
        norm = np.union1d(np.linspace(0.0, 3.0, 121), 1.0 + np.geomspace(1e-4, 0.025, 8))
    norm = np.asarray(norm, dtype=np.float64)
    lif, rs = LIF(), Izhikevich.preset("RS")
    rest = rs.fixed_points(0.0)[0]
    runs = {
        "LIF": (lif, lif.rheobase, other_dt, {}),
        "Izhikevich RS": (rs, rs.hopf_current, other_dt, {"v0": rest["v"], "u0": rest["u"]}),
        "Hodgkin-Huxley": (hh, hh_scale or hh.hopf_currents()[0], hh_dt, {}),
    }
    rates = {}
    for name, (model, scale, dt, kwargs) in runs.items():
        rates[name] = fi_curve(model, norm * scale, dt=dt, duration=duration, onset=0.0,
                               offset=duration, window=(duration / 2, duration), measure="isi",
                               **kwargs)
    return {"norm": norm, "rates": rates, "scales": {k: v[1] for k, v in runs.items()}}


def three_model_table(comparison: dict) -> HHTable:
    """Per model: the scale, the first firing current on the grid and its rate, the rate at the end.

    Parameters
    ----------
    comparison : dict
        :func:`three_model_fi` output.
    """
    norm = comparison["norm"]
    headers = ["model", "scale current (own units)", "first firing (x scale)",
               "rate there (Hz)", f"rate at {norm[-1]:g}x (Hz)"]
    rows = []
    for name, r in comparison["rates"].items():
        k = int(np.argmax(r > 0))
        rows.append([name, f"{comparison['scales'][name]:.4f}", f"{norm[k]:.4f}",
                     round(float(r[k]), 1), round(float(r[-1]), 1)])
    return HHTable(headers, rows)


def hh_frames_table(model) -> HHTable:
    """Reversal potentials, rest and spike criterion of ``model`` (modern frame) in the
    three voltage frames: 1952 original (V = -(V_modern + 65), depolarisation
    negative), rest-at-0 sign-flipped (V_modern + 65) and modern (mV)."""
    rest = model.resting_state()["V"]
    E = getattr(model, "reversal_potentials", None) or {
        k: getattr(model, k) for k in ("E_Na", "E_K", "E_L")}
    values = [("$E_\\mathrm{Na}$", E["E_Na"]), ("$E_\\mathrm{K}$", E["E_K"]),
              ("$E_L$", E["E_L"]), ("resting potential", rest), ("spike criterion", 0.0)]
    rows = [[name, round(-(v + 65.0), 4), round(v + 65.0, 4), round(v, 4)] for name, v in values]
    headers = ["quantity (mV)", "1952 original", "rest-at-0, sign-flipped", "modern"]
    return HHTable(headers, rows)


def hh_rest_table(model, I: float = 0.0) -> HHTable:
    """Resting state (V mV, gates) and the eigenvalues (1/ms) of the linearised model."""
    rest = model.resting_state(I)
    rows = [["$V$ (mV)", round(rest["V"], 3)]]
    rows += [[f"${g}$", round(rest[g], 4)] for g in ("m", "h", "n")]
    eig = sorted(model.steady_state_eigenvalues(I), key=lambda z: (z.real, z.imag))
    rows += [[f"eigenvalue {k + 1} (1/ms)", complex(round(z.real, 3), round(z.imag, 3))]
             for k, z in enumerate(eig)]
    return HHTable(["resting state", "value"], rows)


def hh_excitability_table(exc: dict, scan: dict) -> HHTable:
    """The quantities of :func:`hh_excitability` and the maximum of :func:`hh_fi_scan`
    as a table (currents uA/cm^2, rates Hz)."""
    rows = [
        ["one-spike threshold (a spike within 100 ms of the step)", round(exc["one_spike"], 3),
         _UNIT],
        ["sustained-firing threshold (firing in the last 500 ms of a 2 s step)",
         round(exc["sustained"], 3), _UNIT],
        ["lower Hopf point (rest becomes unstable)", round(exc["hopf_low"], 3), _UNIT],
        ["upper Hopf point (rest stable again)", round(exc["hopf_high"], 2), _UNIT],
        ["rate at the sustained threshold (1-2 s of a 2 s step)", round(exc["onset_rate"], 1),
         "Hz"],
        ["largest current with 0 mV crossings (410-510 ms, step from 10 ms)",
         round(exc["last_firing"], 2), _UNIT],
        [f"highest rate of 0 mV crossings in the scan ({scan['window'][0]:g}-{scan['window'][1]:g} ms)",
         round(scan["max_rate"], 1), "Hz"],
        ["current of the highest rate", round(scan["max_current"], 2), _UNIT],
    ]
    if "peak_rate" in scan:
        k = int(np.argmax(scan["peak_rate"]))
        rows += [
            [f"highest rate of peaks ({scan['peak_level']:g} mV crossings) of the scan",
             round(float(scan["peak_rate"][k]), 1), "Hz"],
            ["current of the highest peak rate", round(float(scan["range_currents"][k]), 2), _UNIT],
        ]
    return HHTable(["quantity", "value", "unit"], rows)


def hh_refractory_table(pulses: dict, caps, periods, peaks=None) -> HHTable:
    """Effective absolute refractory period (ms after the spike) for each cap, with the
    peak V (mV) of the second spike at that delay if ``peaks`` is given."""
    rest = pulses["rest_threshold"]
    rows = [[round(float(c) / rest, 1), round(float(c), 1), round(float(p), 2)]
            for c, p in zip(caps, periods, strict=True)]
    headers = ["cap / resting threshold", f"cap {_CURRENT}", "refractory period (ms)"]
    if peaks is not None:
        headers.append("peak $V$ of the second spike (mV)")
        for row, v in zip(rows, peaks, strict=True):
            row.append(round(float(v), 1))
    return HHTable(headers, rows)


def hh_anode_break_table(model, current, res: SimulationResult, release: float = 30.0) -> HHTable:
    """V and gates at the release of a hyperpolarising pulse (and at rest), and the rebound spike."""
    rest = model.resting_state()
    k = round(release / float(res.t[1] - res.t[0]))
    rows = [["$V$ (mV)", round(float(res.V[k]), 1), round(rest["V"], 1)]]
    rows += [[f"${g}$", round(float(res.state[g][k]), 3), round(rest[g], 3)] for g in ("m", "h", "n")]
    spike = res.spike_times[res.spike_times > release]
    if spike.size:
        rows.append(["rebound spike, ms after release", round(float(spike[0] - release), 2), None])
    rows.append(["peak $V$ (mV)", round(float(np.max(res.V)), 1), None])
    return HHTable(["quantity", "at release", "at rest"], rows)
