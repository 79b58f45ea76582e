"""Measured checks of the twenty neuro-computational features of Izhikevich (2004), Fig. 1.

Each check takes the :class:`~neurohelpers.SimulationResult` of a feature's
protocol (:func:`neurohelpers.protocols.run_feature`) and returns a
:class:`CheckResult`: whether the trace shows the feature, a short text of what
was measured, and the measured values. The protocol times (pulse onsets and
windows, ms) are keyword arguments whose defaults are those of the published
protocol. Every threshold a check uses is stated in its docstring.

Shared definitions: spike times are those of the run (ms); a *burst* is a group
of >= 2 spikes whose successive inter-spike intervals (ISIs) are all at most
``BURST_ISI`` (10 ms), separated from other spikes by longer ISIs; a *single
spike* is a group of one.

>>> import neurohelpers as nh
>>> res = nh.protocols.run_feature("phasic spiking")
>>> nh.feature_checks.check_feature("phasic spiking", res).passed
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from .integrate import SimulationResult

__all__ = [
    "BURST_ISI",
    "CHECKS",
    "CRITERIA",
    "GRACE",
    "CheckResult",
    "check_accommodation",
    "check_bistability",
    "check_class_1",
    "check_class_2",
    "check_dap",
    "check_feature",
    "check_inhibition_induced_bursting",
    "check_inhibition_induced_spiking",
    "check_integrator",
    "check_mixed_mode",
    "check_phasic_bursting",
    "check_phasic_spiking",
    "check_rebound_burst",
    "check_rebound_spike",
    "check_resonator",
    "check_spike_frequency_adaptation",
    "check_spike_latency",
    "check_subthreshold_oscillations",
    "check_threshold_variability",
    "check_tonic_bursting",
    "check_tonic_spiking",
    "spike_groups",
]

#: Longest ISI (ms) inside a burst.
BURST_ISI = 10.0
#: Time (ms) after an input change within which a spike still counts as a response
#: to the previous input (a cycle in progress completing).
GRACE = 10.0


class CheckResult(NamedTuple):
    """Outcome of a feature check.

    Attributes
    ----------
    passed : bool
        Whether the trace shows the feature.
    measured : str
        What was measured, in a few words with numbers (times ms, rates Hz, v mV).
    values : dict
        The measured quantities by name.
    """

    passed: bool
    measured: str
    values: dict


def _spikes(res: SimulationResult) -> np.ndarray:
    s = res.spike_times
    if not isinstance(s, np.ndarray) or s.ndim != 1:
        raise ValueError("res must be the result of a single-neuron run (1-D spike_times)")
    return np.asarray(s, dtype=np.float64)


def spike_groups(spike_times, max_isi: float = BURST_ISI) -> list[np.ndarray]:
    """Split a spike train into groups whose successive ISIs are all <= ``max_isi`` (ms).

    A group of >= 2 spikes is a burst, a group of one a single spike.
    """
    s = np.asarray(spike_times, dtype=np.float64)
    if s.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(s) > max_isi) + 1
    return np.split(s, cuts)


def _count(s: np.ndarray, start: float, stop: float = np.inf) -> int:
    """Number of spikes with ``start <= t < stop`` (ms)."""
    return int(np.count_nonzero((s >= start) & (s < stop)))


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _spike_word(n: int) -> str:
    return _plural(n, "spike")


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _result(passed: bool, measured: str, **values) -> CheckResult:
    return CheckResult(bool(passed), measured, values)


def check_tonic_spiking(res: SimulationResult, onset: float = 10.0, tolerance: float = 0.05) -> CheckResult:
    """Tonic spiking: regular firing that lasts as long as the input.

    Passes with >= 3 spikes after ``onset`` (ms), the last two ISIs within
    ``tolerance`` (5 %) of each other (the steady state after the onset
    transient), and the train still firing at the end of the run (no gap longer
    than 1.5 last ISIs before the end).
    """
    s = _spikes(res)
    s = s[s >= onset]
    if s.size < 3:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    isi = np.diff(s)
    change = abs(isi[-1] - isi[-2]) / isi[-2]
    still = res.t[-1] - s[-1] < 1.5 * isi[-1]
    return _result(
        change < tolerance and still,
        f"last ISIs {_fmt(isi[-2])}, {_fmt(isi[-1])} ms",
        spikes=int(s.size), last_isis=(float(isi[-2]), float(isi[-1])), change=float(change),
    )


def check_phasic_spiking(res: SimulationResult, onset: float = 20.0) -> CheckResult:
    """Phasic spiking: exactly one spike after the step ``onset`` (ms), none before, then silence."""
    s = _spikes(res)
    ok = s.size == 1 and s[0] >= onset
    text = f"1 spike at {_fmt(s[0])} ms" if s.size == 1 else f"{s.size} {_spike_word(s.size)}"
    return _result(ok, text, spikes=int(s.size), first=float(s[0]) if s.size else None)


def check_tonic_bursting(res: SimulationResult, onset: float = 22.0) -> CheckResult:
    """Tonic bursting: bursts that repeat as long as the input lasts.

    Passes with >= 3 groups after ``onset`` (ms), every one a burst (>= 2 spikes,
    ISIs <= ``BURST_ISI``), and the last burst starting within 1.5 burst periods
    (mean interval between burst starts) of the end of the run.
    """
    s = _spikes(res)
    groups = spike_groups(s[s >= onset])
    sizes = [g.size for g in groups]
    if len(groups) < 3:
        return _result(False, f"{len(groups)} groups of sizes {sizes}", sizes=sizes)
    starts = np.array([g[0] for g in groups])
    period = float(np.mean(np.diff(starts)))
    ok = min(sizes) >= 2 and res.t[-1] - starts[-1] < 1.5 * period
    return _result(
        ok, f"{len(groups)} bursts of {min(sizes)}-{max(sizes)}, period {_fmt(period)} ms",
        sizes=sizes, period=period,
    )


def check_phasic_bursting(res: SimulationResult, onset: float = 20.0) -> CheckResult:
    """Phasic bursting: one burst after the step ``onset`` (ms), then silence.

    Passes when all spikes come after ``onset`` and form one burst (>= 2 spikes,
    ISIs <= ``BURST_ISI``) that ends before the middle of the input step.
    """
    s = _spikes(res)
    groups = spike_groups(s)
    middle = onset + 0.5 * (res.t[-1] - onset)
    ok = len(groups) == 1 and s.size >= 2 and s[0] >= onset and s[-1] < middle
    text = (f"1 burst of {s.size}, {_fmt(s[0])}-{_fmt(s[-1])} ms" if len(groups) == 1
            else f"{len(groups)} groups")
    return _result(ok, text, groups=len(groups), spikes=int(s.size),
                   last=float(s[-1]) if s.size else None)


def check_mixed_mode(res: SimulationResult, onset: float = 16.0) -> CheckResult:
    """Mixed mode: a burst at the onset, then tonic single spikes.

    Passes when the first group after ``onset`` (ms) is a burst (>= 2 spikes,
    ISIs <= ``BURST_ISI``) and it is followed by >= 2 groups, all single spikes.
    """
    s = _spikes(res)
    groups = spike_groups(s[s >= onset])
    if not groups:
        return _result(False, "no spikes", sizes=[])
    sizes = [g.size for g in groups]
    singles = sizes[1:]
    ok = sizes[0] >= 2 and len(singles) >= 2 and max(singles) == 1
    tail = (f"{len(singles)} single spikes" if singles and max(singles) == 1
            else f"groups of {singles}")
    return _result(ok, f"burst of {sizes[0]}, then {tail}", sizes=sizes)


def check_spike_frequency_adaptation(
    res: SimulationResult, onset: float = 8.5, ratio: float = 3.0
) -> CheckResult:
    """Spike-frequency adaptation: ISIs lengthen.

    Passes with >= 4 spikes after ``onset`` (ms), ISIs that never shorten, and
    the last ISI >= ``ratio`` (3) times the first.
    """
    s = _spikes(res)
    s = s[s >= onset]
    if s.size < 4:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    isi = np.diff(s)
    growth = isi[-1] / isi[0]
    ok = bool(np.all(np.diff(isi) >= 0)) and growth >= ratio
    return _result(ok, f"ISI {_fmt(isi[0])} to {_fmt(isi[-1])} ms", first_isi=float(isi[0]),
                   last_isi=float(isi[-1]), growth=float(growth))


def _rates(s: np.ndarray) -> np.ndarray:
    return 1000.0 / np.diff(s)


def check_class_1(res: SimulationResult, max_first_rate: float = 30.0, growth: float = 2.0) -> CheckResult:
    """Class 1 excitability: under a ramp the rate starts low and grows with the input.

    Passes with >= 3 spikes, the first ISI's rate below ``max_first_rate``
    (30 Hz), the rate (1/ISI) never falling, and the last rate >= ``growth`` (2)
    times the first.
    """
    s = _spikes(res)
    if s.size < 3:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    r = _rates(s)
    ok = r[0] < max_first_rate and bool(np.all(np.diff(r) >= 0)) and r[-1] >= growth * r[0]
    return _result(ok, f"rate {_fmt(r[0])} to {_fmt(r[-1])} Hz", first_rate=float(r[0]),
                   last_rate=float(r[-1]))


def check_class_2(res: SimulationResult, min_first_rate: float = 40.0) -> CheckResult:
    """Class 2 excitability: under a ramp the neuron starts firing at a nonzero rate.

    Passes with >= 3 spikes and the first ISI's rate at least ``min_first_rate``
    (40 Hz): the rate jumps from 0 to a finite value.
    """
    s = _spikes(res)
    if s.size < 3:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    r = _rates(s)
    return _result(r[0] >= min_first_rate, f"onset rate {_fmt(r[0])} Hz", first_rate=float(r[0]),
                   last_rate=float(r[-1]))


def check_spike_latency(res: SimulationResult, onset: float = 10.0, min_delay: float = 5.0) -> CheckResult:
    """Spike latency: one spike, delayed after the brief pulse starting at ``onset`` (ms).

    Passes with exactly one spike whose delay from ``onset`` is >= ``min_delay``
    (5 ms; the published pulse lasts 3 ms, so the spike comes after it ended).
    """
    s = _spikes(res)
    if s.size != 1:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    delay = float(s[0] - onset)
    return _result(delay >= min_delay, f"latency {_fmt(delay)} ms", delay=delay)


def _extrema_after(res: SimulationResult, start: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the local maxima and minima of v after ``start`` (ms)."""
    V = np.asarray(res.V, dtype=np.float64)
    k = np.arange(1, V.size - 1)
    k = k[res.t[k] > start]
    maxima = k[(V[k] > V[k - 1]) & (V[k] >= V[k + 1])]
    minima = k[(V[k] < V[k - 1]) & (V[k] <= V[k + 1])]
    return maxima, minima


def check_subthreshold_oscillations(res: SimulationResult) -> CheckResult:
    """Subthreshold oscillations: after the pulse's spike, a damped oscillation, no second spike.

    Passes with exactly one spike followed by >= 2 local maxima of v, whose
    distances from the final v shrink from one maximum to the next (damping).
    Measured: the period (mean interval between maxima, ms) and the first
    peak's distance from the final v (mV).
    """
    s = _spikes(res)
    if s.size != 1:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    maxima, _ = _extrema_after(res, s[0])
    if maxima.size < 2:
        return _result(False, f"1 spike, {maxima.size} peaks after it", peaks=int(maxima.size))
    height = np.abs(res.V[maxima] - res.V[-1])
    period = float(np.mean(np.diff(res.t[maxima])))
    ok = bool(np.all(np.diff(height) < 0))
    return _result(ok, f"period {_fmt(period)} ms, peaks {_fmt(height[0])} to {_fmt(height[-1])} mV",
                   period=period, peaks=height.tolist())


def check_resonator(res: SimulationResult, split: float = 280.0) -> CheckResult:
    """Resonator: fires for the doublet at the resonant interval only.

    Published pulses: a doublet 20 ms apart at 40 and 60 ms, one 40 ms apart at
    280 and 320 ms. Passes with no spike before ``split`` (ms: the first doublet
    and everything before it) and >= 1 after it.
    """
    s = _spikes(res)
    n_other, n_res = _count(s, 0.0, split), _count(s, split)
    text = f"20 ms doublet: {n_other}, 40 ms: {n_res} {_spike_word(n_res)}"
    return _result(n_other == 0 and n_res >= 1, text, other=n_other, resonant=n_res)


def check_integrator(res: SimulationResult, split: float = 70.0) -> CheckResult:
    """Integrator: fires for the closely spaced pulse pair only.

    Published pulses: a pair 5 ms apart at 9.1 and 14.1 ms, a pair 10 ms apart
    at 70 and 80 ms. Passes with >= 1 spike before ``split`` (ms) and none after.
    """
    s = _spikes(res)
    n_close, n_far = _count(s, 0.0, split), _count(s, split)
    text = f"5 ms pair: {n_close}, 10 ms: {n_far} {_spike_word(n_far)}"
    return _result(n_close >= 1 and n_far == 0, text, close=n_close, far=n_far)


def check_rebound_spike(res: SimulationResult, pulse_end: float = 25.0) -> CheckResult:
    """Rebound spike: one spike, only after the inhibitory pulse ending at ``pulse_end`` (ms)."""
    s = _spikes(res)
    ok = s.size == 1 and s[0] >= pulse_end
    text = f"{s.size} {_spike_word(s.size)}"
    if s.size == 1:
        text = f"1 spike, {_fmt(s[0] - pulse_end)} ms after pulse"
    return _result(ok, text, spikes=int(s.size), delay=float(s[0] - pulse_end) if s.size else None)


def check_rebound_burst(res: SimulationResult, pulse_end: float = 25.0) -> CheckResult:
    """Rebound burst: one burst, only after the inhibitory pulse ending at ``pulse_end`` (ms).

    Passes when all spikes come after ``pulse_end`` and form one burst (>= 2
    spikes, ISIs <= ``BURST_ISI``).
    """
    s = _spikes(res)
    groups = spike_groups(s)
    ok = len(groups) == 1 and s.size >= 2 and s[0] >= pulse_end
    text = (f"1 burst of {s.size}, {_fmt(s[0] - pulse_end)} ms after pulse" if len(groups) == 1
            else f"{len(groups)} groups")
    return _result(ok, text, groups=len(groups), spikes=int(s.size))


def check_threshold_variability(res: SimulationResult, second: float = 80.0,
                                window: float = 20.0) -> CheckResult:
    """Threshold variability: the same pulse fires only after a preceding inhibitory pulse.

    Published: +1 at 10-15 ms (alone), -6 at 70-75 ms, +1 at 80-85 ms. Passes with
    no spike before ``second`` (ms) and >= 1 within ``window`` (20 ms) after it.
    """
    s = _spikes(res)
    alone, after = _count(s, 0.0, second), _count(s, second, second + window)
    text = f"alone: {alone}, after inhibition: {after} {_spike_word(after)}"
    return _result(alone == 0 and after >= 1, text, alone=alone, after=after)


def check_bistability(res: SimulationResult, on: float = 37.5, off: float = 216.0,
                      pulse: float = 5.0) -> CheckResult:
    """Bistability: one pulse switches tonic firing on, a second one switches it off.

    Passes with no spike before ``on`` (ms), >= 2 spikes between ``on`` and
    ``off``, and no spike later than ``GRACE`` (10 ms) after the second pulse
    (``off + pulse``). Measured also: the time from the last spike to the
    second pulse (ms), the phase at which it arrives.
    """
    s = _spikes(res)
    before, during, after = _count(s, 0.0, on), _count(s, on, off), _count(s, off + pulse + GRACE)
    last = s[s < off]
    phase = float(off - last[-1]) if last.size else None
    later = _count(s, off)
    text = f"{during} spikes on; off pulse {_fmt(phase) if phase is not None else '-'} ms after a spike"
    text += f", then {later} {_spike_word(later)}"
    return _result(before == 0 and during >= 2 and after == 0, text,
                   before=before, during=during, after=after, off_phase=phase)


def check_dap(res: SimulationResult, min_rise: float = 10.0) -> CheckResult:
    """Depolarising after-potential: one spike, then v rises again above rest without firing.

    Passes with exactly one spike and a local maximum of v after its reset that is
    >= ``min_rise`` (10 mV) above the initial v (the rest, -70 mV), with v back
    within 1 mV of it at the end. Measured: the after-potential's height above
    the initial v (mV).
    """
    s = _spikes(res)
    if s.size != 1:
        return _result(False, f"{s.size} {_spike_word(s.size)}", spikes=int(s.size))
    maxima, _ = _extrema_after(res, s[0])
    rest = float(res.V[0])
    if maxima.size == 0:
        return _result(False, "1 spike, no after-potential", rise=None)
    rise = float(res.V[maxima[0]] - rest)
    ok = rise >= min_rise and abs(res.V[-1] - rest) < 1.0
    return _result(ok, f"1 spike, after-potential +{_fmt(rise)} mV", rise=rise)


def check_accommodation(res: SimulationResult, fast: float = 300.0, window: float = 30.0) -> CheckResult:
    """Accommodation: a slow ramp evokes no spike, a fast ramp to a lower value does.

    Published: a ramp to 8 over 0-200 ms, then a ramp to 4 over 300-312.5 ms.
    Passes with no spike before ``fast`` (ms) and >= 1 within ``window`` (30 ms) after it.
    """
    s = _spikes(res)
    slow, quick = _count(s, 0.0, fast), _count(s, fast, fast + window)
    text = f"slow ramp: {slow}, fast: {quick} {_spike_word(quick)}"
    return _result(slow == 0 and quick >= 1, text, slow=slow, fast=quick)


def _inhibition_counts(s: np.ndarray, step: tuple[float, float]) -> tuple[int, np.ndarray, int]:
    before = _count(s, 0.0, step[0])
    during = s[(s >= step[0]) & (s < step[1] + GRACE)]
    after = _count(s, step[1] + GRACE)
    return before, during, after


def check_inhibition_induced_spiking(res: SimulationResult,
                                     step: tuple[float, float] = (50.0, 250.0)) -> CheckResult:
    """Inhibition-induced spiking: single spikes during a hyperpolarising step only.

    Passes with no spike before the step (``step``, ms), >= 2 spikes during it,
    all single (no ISI <= ``BURST_ISI``), and none later than ``GRACE`` (10 ms)
    after its end (a cycle in progress may complete).
    """
    s = _spikes(res)
    before, during, after = _inhibition_counts(s, step)
    late = _count(during, step[1])
    single = all(g.size == 1 for g in spike_groups(during))
    ok = before == 0 and during.size >= 2 and single and after == 0
    text = f"{during.size} spikes in step" + (f" ({late} in grace)" if late else "") + f", {after} after"
    return _result(ok, text, before=before, during=int(during.size), in_grace=late, after=after)


def check_inhibition_induced_bursting(res: SimulationResult,
                                      step: tuple[float, float] = (50.0, 250.0)) -> CheckResult:
    """Inhibition-induced bursting: bursts during a hyperpolarising step only.

    Passes with no spike before the step (``step``, ms), >= 2 bursts (groups of
    >= 2 spikes with ISIs <= ``BURST_ISI``) during it, no single spikes, and none
    later than ``GRACE`` (10 ms) after its end. Measured: the bursts, and the
    shortest ISI (ms).
    """
    s = _spikes(res)
    before, during, after = _inhibition_counts(s, step)
    groups = spike_groups(during)
    sizes = [g.size for g in groups]
    shortest = float(np.min(np.diff(s))) if s.size > 1 else None
    ok = before == 0 and len(groups) >= 2 and min(sizes, default=0) >= 2 and after == 0
    text = f"{len(groups)} {_plural(len(groups), 'burst')} ({', '.join(map(str, sizes))} spikes)"
    if shortest is not None and shortest < 0.1:
        text += f", min ISI {shortest:.2g} ms"
    return _result(ok, text, before=before, sizes=sizes, after=after, shortest_isi=shortest)


#: The check of each feature, keyed by feature name, in the published order (A-T).
CHECKS: Mapping[str, Callable[..., CheckResult]] = MappingProxyType({
    "tonic spiking": check_tonic_spiking,
    "phasic spiking": check_phasic_spiking,
    "tonic bursting": check_tonic_bursting,
    "phasic bursting": check_phasic_bursting,
    "mixed mode": check_mixed_mode,
    "spike frequency adaptation": check_spike_frequency_adaptation,
    "class 1 excitable": check_class_1,
    "class 2 excitable": check_class_2,
    "spike latency": check_spike_latency,
    "subthreshold oscillations": check_subthreshold_oscillations,
    "resonator": check_resonator,
    "integrator": check_integrator,
    "rebound spike": check_rebound_spike,
    "rebound burst": check_rebound_burst,
    "threshold variability": check_threshold_variability,
    "bistability": check_bistability,
    "depolarizing after-potential": check_dap,
    "accommodation": check_accommodation,
    "inhibition-induced spiking": check_inhibition_induced_spiking,
    "inhibition-induced bursting": check_inhibition_induced_bursting,
})



#: Each check's criterion in a few words (thresholds as in the check's docstring).
CRITERIA: Mapping[str, str] = MappingProxyType({
    "tonic spiking": "last 2 ISIs within 5 %, still firing at the end",
    "phasic spiking": "exactly 1 spike, after the onset",
    "tonic bursting": "$\\geq$ 3 bursts, no single spikes, until the end",
    "phasic bursting": "1 burst, then silent",
    "mixed mode": "a burst, then $\\geq$ 2 single spikes",
    "spike frequency adaptation": "ISIs never shorten, last $\\geq$ 3 $\\times$ first",
    "class 1 excitable": "first rate < 30 Hz, rising $\\geq$ 2 $\\times$",
    "class 2 excitable": "first rate $\\geq$ 40 Hz",
    "spike latency": "1 spike, $\\geq$ 5 ms after onset",
    "subthreshold oscillations": "1 spike, then peaks that decay",
    "resonator": "spike for the 40 ms doublet only",
    "integrator": "spike for the 5 ms pair only",
    "rebound spike": "1 spike, after the pulse",
    "rebound burst": "1 burst, after the pulse",
    "threshold variability": "spike only after the inhibition",
    "bistability": "pulse 1 starts firing, pulse 2 stops it",
    "depolarizing after-potential": "1 spike, after-potential $\\geq$ 10 mV",
    "accommodation": "no spike on slow ramp, spike on fast",
    "inhibition-induced spiking": "single spikes in the step only",
    "inhibition-induced bursting": "$\\geq$ 2 bursts in the step only",
})


def check_feature(name: str, res: SimulationResult) -> CheckResult:
    """Run the check of the feature ``name`` (as in ``nh.protocols.FEATURES``) on ``res``."""
    if name not in CHECKS:
        raise ValueError(f"unknown feature {name!r}; choose one of: {', '.join(CHECKS)}")
    return CHECKS[name](res)
