r"""The twenty neuro-computational features of Izhikevich (2004), Fig. 1, as named protocols.

Izhikevich E.M. (2004) "Which model to use for cortical spiking neurons?",
IEEE Trans. Neural Netw. 15:1063-1070. Each panel of its Fig. 1 is produced by
the author's published script (``figure1.m``) with its own parameters
``a, b, c, d``, initial state, input waveform, duration and Euler step. The
protocols below hold those facts, read from the script; the code is ours.

The model (``nh.Izhikevich``) is

.. math::

    \frac{dv}{dt} = k_2 v^2 + k_1 v + k_0 - u + I, \qquad
    \frac{du}{dt} = a (b v - u) \quad\text{or (accommodation)}\quad a b (v + 65),

with ``k2, k1, k0 = 0.04, 5, 140`` except class 1 excitability and the
integrator (``0.04, 4.1, 108``). Accommodation uses the second u equation; the
inhibition-induced panels have negative ``a`` and ``b``.

Input waveforms are functions of time (ms); a run samples them at the step
starts ``t_k = k dt`` and holds each sample over ``[t_k, t_k + dt)``, which is
what the script does (it evaluates its ``if`` tests at the loop time ``t``).
Times are rounded to 1e-9 ms before the tests, so a pulse edge that falls on
the grid compares as in exact arithmetic. The script's tests are mostly strict
(``t > T1``, ``t < T1 + 5``), so a sampled pulse starts at the first grid time
after its nominal onset and ends at its nominal offset: on a grid through the
onset it is one step shorter than nominal.

>>> import neurohelpers as nh
>>> res = nh.protocols.run_feature("tonic spiking")          # published scheme, dt 0.25 ms
>>> res_rk4 = nh.protocols.run_feature("tonic spiking", method="rk4")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ..integrate import SimulationResult
from ..izhikevich import MAX_DT, Izhikevich
from ..stimulus import time_axis

__all__ = [
    "FEATURES",
    "PUBLISHED_METHOD",
    "RK4_STOP",
    "Feature",
    "feature_current",
    "feature_table",
    "get_feature",
    "run_feature",
    "run_features",
]

#: The published script's update: Euler for v, then u from the new v, spike when v > 30 mV.
PUBLISHED_METHOD = "izhikevich2004"


def _grid(t) -> np.ndarray:
    """Times (ms) rounded to 1e-9 ms, so grid points equal the script's round numbers."""
    return np.round(np.asarray(t, dtype=np.float64), 9)


def _inside(t: np.ndarray, windows, closed: bool = False) -> np.ndarray:
    """True where ``start < t < stop`` (``start <= t <= stop`` if ``closed``) for one of the
    ``(start, stop)`` windows."""
    hit = np.zeros(t.shape, dtype=bool)
    for start, stop in windows:
        hit |= ((t >= start) & (t <= stop)) if closed else ((t > start) & (t < stop))
    return hit


@dataclass(frozen=True)
class Pulses:
    """Input ``amplitude`` inside windows ``(start, stop)`` (ms), ``baseline`` elsewhere.

    The windows are open (``start < t < stop``, the script's pulses) unless
    ``closed`` (``start <= t <= stop``, the script's inhibition-induced panels).
    ``stop`` may be ``inf`` (a step that stays on). Extra ``(start, stop, value)``
    entries in ``others`` (open windows) set other levels (threshold
    variability's inhibitory pulse).
    """

    amplitude: float
    windows: tuple[tuple[float, float], ...]
    baseline: float = 0.0
    others: tuple[tuple[float, float, float], ...] = ()
    closed: bool = False

    def __call__(self, t) -> np.ndarray:
        t = _grid(t)
        out = np.where(_inside(t, self.windows, self.closed), self.amplitude, self.baseline)
        for start, stop, value in self.others:
            out = np.where(_inside(t, [(start, stop)]), value, out)
        return out


@dataclass(frozen=True)
class Ramp:
    """``offset`` up to ``start`` (ms, inclusive), then ``offset + slope (t - start)`` (slope per ms)."""

    start: float
    slope: float
    offset: float = 0.0

    def __call__(self, t) -> np.ndarray:
        t = _grid(t)
        return np.where(t > self.start, self.offset + self.slope * (t - self.start), self.offset)


@dataclass(frozen=True)
class Window:
    """``amplitude`` where ``|t - centre| < half_width`` (ms), else 0 (the DAP panel's 2 ms pulse)."""

    centre: float
    half_width: float
    amplitude: float

    def __call__(self, t) -> np.ndarray:
        t = _grid(t)
        return np.where(np.abs(t - self.centre) < self.half_width, self.amplitude, 0.0)


@dataclass(frozen=True)
class TwoRamps:
    """The accommodation panel: ``t / 25`` for t < 200 ms, 0 until 300 ms,
    ``4 (t - 300) / 12.5`` for t < 312.5 ms (a fast ramp to 4), then 0."""

    def __call__(self, t) -> np.ndarray:
        t = _grid(t)
        return np.select(
            [t < 200.0, t < 300.0, t < 312.5],
            [t / 25.0, 0.0 * t, (t - 300.0) / 12.5 * 4.0],
            default=0.0,
        )


@dataclass(frozen=True)
class Feature:
    """One panel of Izhikevich (2004), Fig. 1: model, initial state, input, published step.

    Attributes
    ----------
    letter : str
        Panel letter, "A" to "T".
    name : str
        Feature name, e.g. ``"tonic spiking"``.
    a, b, c, d : float
        Model parameters (a in 1/ms, c in mV).
    v0 : float
        Initial v, mV.
    u0 : float or None
        Initial u; None means ``b * v0`` (the script's ``u = b*V``).
    dt : float
        The script's step ``tau``, ms.
    duration : float
        Simulated time, ms (the script's ``tspan`` ends there).
    stimulus : callable
        Input as a function of time: ``stimulus(t)`` for an array of times (ms)
        gives the input (model units).
    stimulus_text : str
        The input in words, for tables.
    variant : mapping
        Extra keyword arguments of :class:`~neurohelpers.Izhikevich` (``k1``, ``k0``,
        ``recovery``), empty for the standard model.
    method : str
        Default integration scheme: the published one.
    """

    letter: str
    name: str
    a: float
    b: float
    c: float
    d: float
    v0: float
    dt: float
    duration: float
    stimulus: Callable[[np.ndarray], np.ndarray]
    stimulus_text: str
    u0: float | None = None
    variant: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    method: str = PUBLISHED_METHOD

    @property
    def model(self) -> Izhikevich:
        """The :class:`~neurohelpers.Izhikevich` neuron of this panel."""
        return Izhikevich(a=self.a, b=self.b, c=self.c, d=self.d, **self.variant)

    @property
    def initial_u(self) -> float:
        """Initial u (``u0``, or ``b * v0`` when unset)."""
        return self.b * self.v0 if self.u0 is None else float(self.u0)


def _f(letter, name, abcd, v0, dt, duration, stimulus, text, **extra) -> Feature:
    a, b, c, d = abcd
    return Feature(letter, name, a, b, c, d, v0, dt, duration, stimulus, text, **extra)


_INF = float("inf")
_CLASS1 = MappingProxyType({"k1": 4.1, "k0": 108.0})
_ACCOMMODATION = MappingProxyType({"recovery": "accommodation"})
_INHIBITION = Pulses(75.0, ((50.0, 250.0),), baseline=80.0, closed=True)
_INTEGRATOR_T1 = 100.0 / 11.0

_ALL = [
    _f("A", "tonic spiking", (0.02, 0.2, -65.0, 6.0), -70.0, 0.25, 100.0,
       Pulses(14.0, ((10.0, _INF),)), "step to 14 at 10 ms"),
    _f("B", "phasic spiking", (0.02, 0.25, -65.0, 6.0), -64.0, 0.25, 200.0,
       Pulses(0.5, ((20.0, _INF),)), "step to 0.5 at 20 ms"),
    _f("C", "tonic bursting", (0.02, 0.2, -50.0, 2.0), -70.0, 0.25, 220.0,
       Pulses(15.0, ((22.0, _INF),)), "step to 15 at 22 ms"),
    _f("D", "phasic bursting", (0.02, 0.25, -55.0, 0.05), -64.0, 0.2, 200.0,
       Pulses(0.6, ((20.0, _INF),)), "step to 0.6 at 20 ms"),
    _f("E", "mixed mode", (0.02, 0.2, -55.0, 4.0), -70.0, 0.25, 160.0,
       Pulses(10.0, ((16.0, _INF),)), "step to 10 at 16 ms"),
    _f("F", "spike frequency adaptation", (0.01, 0.2, -65.0, 8.0), -70.0, 0.25, 85.0,
       Pulses(30.0, ((8.5, _INF),)), "step to 30 at 8.5 ms"),
    _f("G", "class 1 excitable", (0.02, -0.1, -55.0, 6.0), -60.0, 0.25, 300.0,
       Ramp(30.0, 0.075), "ramp 0.075/ms from 30 ms", variant=_CLASS1),
    _f("H", "class 2 excitable", (0.2, 0.26, -65.0, 0.0), -64.0, 0.25, 300.0,
       Ramp(30.0, 0.015, offset=-0.5), "-0.5, ramp 0.015/ms from 30 ms"),
    _f("I", "spike latency", (0.02, 0.2, -65.0, 6.0), -70.0, 0.2, 100.0,
       Pulses(7.04, ((10.0, 13.0),)), "7.04 for 10-13 ms"),
    _f("J", "subthreshold oscillations", (0.05, 0.26, -60.0, 0.0), -62.0, 0.25, 200.0,
       Pulses(2.0, ((20.0, 25.0),)), "2 for 20-25 ms"),
    _f("K", "resonator", (0.1, 0.26, -60.0, -1.0), -62.0, 0.25, 400.0,
       Pulses(0.65, ((40.0, 44.0), (60.0, 64.0), (280.0, 284.0), (320.0, 324.0))),
       "0.65 for 4 ms at 40, 60, 280, 320 ms"),
    _f("L", "integrator", (0.02, -0.1, -55.0, 6.0), -60.0, 0.25, 100.0,
       Pulses(9.0, ((_INTEGRATOR_T1, _INTEGRATOR_T1 + 2.0), (_INTEGRATOR_T1 + 5.0, _INTEGRATOR_T1 + 7.0),
                    (70.0, 72.0), (80.0, 82.0))),
       "9 for 2 ms at 9.09, 14.09, 70, 80 ms", variant=_CLASS1),
    _f("M", "rebound spike", (0.03, 0.25, -60.0, 4.0), -64.0, 0.2, 200.0,
       Pulses(-15.0, ((20.0, 25.0),)), "-15 for 20-25 ms"),
    _f("N", "rebound burst", (0.03, 0.25, -52.0, 0.0), -64.0, 0.2, 200.0,
       Pulses(-15.0, ((20.0, 25.0),)), "-15 for 20-25 ms"),
    _f("O", "threshold variability", (0.03, 0.25, -60.0, 4.0), -64.0, 0.25, 100.0,
       Pulses(1.0, ((10.0, 15.0), (80.0, 85.0)), others=((70.0, 75.0, -6.0),)),
       "1 at 10-15 and 80-85 ms, -6 at 70-75 ms"),
    _f("P", "bistability", (0.1, 0.26, -60.0, 0.0), -61.0, 0.25, 300.0,
       Pulses(1.24, ((37.5, 42.5), (216.0, 221.0)), baseline=0.24),
       "0.24, 1.24 for 5 ms at 37.5 and 216 ms"),
    _f("Q", "depolarizing after-potential", (1.0, 0.2, -60.0, -21.0), -70.0, 0.1, 50.0,
       Window(10.0, 1.0, 20.0), "20 for 9-11 ms"),
    _f("R", "accommodation", (0.02, 1.0, -55.0, 4.0), -65.0, 0.5, 400.0,
       TwoRamps(), "ramp to 8 over 200 ms; ramp to 4 over 12.5 ms at 300 ms",
       u0=-16.0, variant=_ACCOMMODATION),
    _f("S", "inhibition-induced spiking", (-0.02, -1.0, -60.0, 8.0), -63.8, 0.5, 350.0,
       _INHIBITION, "80, 75 for 50-250 ms"),
    _f("T", "inhibition-induced bursting", (-0.026, -1.0, -45.0, -2.0), -63.8, 0.5, 350.0,
       _INHIBITION, "80, 75 for 50-250 ms"),
]

#: The twenty features in the published order (A-T), keyed by name; read-only.
FEATURES: Mapping[str, Feature] = MappingProxyType({f.name: f for f in _ALL})


def get_feature(key: str) -> Feature:
    """A feature by name (``"tonic spiking"``) or panel letter (``"A"``), case-insensitive."""
    text = str(key).strip()
    for feature in FEATURES.values():
        if text.lower() == feature.name or text.upper() == feature.letter:
            return feature
    raise ValueError(f"unknown feature {key!r}; choose a letter A-T or one of: {', '.join(FEATURES)}")


def feature_current(
    feature: Feature | str, dt: float | None = None, duration: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Time axis (ms) and sampled input of a feature.

    ``dt`` (ms) defaults to the published step, ``duration`` (ms) to the published one.
    """
    feature = feature if isinstance(feature, Feature) else get_feature(feature)
    t = time_axis(feature.duration if duration is None else duration, feature.dt if dt is None else dt)
    return t, np.asarray(feature.stimulus(t), dtype=np.float64)


def run_feature(
    feature: Feature | str,
    method: str | None = None,
    dt: float | None = None,
    duration: float | None = None,
) -> SimulationResult:
    """Run one feature's protocol.

    Parameters
    ----------
    feature : Feature or str
        A :class:`Feature`, its name or its panel letter.
    method : str, optional
        Integration scheme of :meth:`Izhikevich.simulate`; default the
        published one (``"izhikevich2004"``).
    dt : float, optional
        Step, ms; default the published step of the panel.
    duration : float, optional
        Stop the run early, ms (default: the published duration).

    Returns
    -------
    SimulationResult
        v (mV), u, spike times (ms).
    """
    feature = feature if isinstance(feature, Feature) else get_feature(feature)
    step = feature.dt if dt is None else dt
    _, current = feature_current(feature, step, duration)
    return feature.model.simulate(
        current,
        step,
        method=feature.method if method is None else method,
        v0=feature.v0,
        u0=feature.initial_u,
    )


#: RK4 runs of these features stop early (ms). Inhibition-induced bursting runs away
#: under accurate integration: each spike lowers u by |d| = 2, the spike rate grows
#: without bound (ISI below 1e-3 ms by 250 ms) and the full 350 ms run holds millions
#: of spikes (7.4 million at dt = 0.25 ms). The run to the end of the
#: hyperpolarising step shows this and is cheap.
RK4_STOP: Mapping[str, float] = MappingProxyType({"inhibition-induced bursting": 250.0})


def run_features(
    method: str | None = None, dt: float | None = None, stop: Mapping[str, float] | None = None
) -> dict[str, SimulationResult]:
    """Run all twenty protocols; a dict keyed by feature name in the published order.

    Parameters
    ----------
    method : str, optional
        Scheme; default the published one.
    dt : float, optional
        Step for every feature, ms; default each panel's published step. A
        published step above the scheme's ``MAX_DT`` (RK4: 0.25 ms) is lowered to it.
    stop : mapping of str to float, optional
        Stop these features early (ms); default ``RK4_STOP`` for ``method="rk4"``,
        none otherwise.
    """
    method = PUBLISHED_METHOD if method is None else method
    limit = MAX_DT.get(method, np.inf)
    if stop is None:
        stop = RK4_STOP if method == "rk4" else {}
    return {
        name: run_feature(f, method, min(f.dt, limit) if dt is None else dt, stop.get(name))
        for name, f in FEATURES.items()
    }


def _verdict(check) -> str:
    return ("yes: " if check.passed else "**no**: ") + check.measured


def feature_table(
    methods: tuple[str, ...] = (PUBLISHED_METHOD, "rk4"), fine_dt: float = 0.05
) -> tuple[list[str], list[list[str]]]:
    """Does each feature survive the accurate integration? Headers and rows of a table.

    Each feature's protocol is run with every scheme of ``methods`` at the
    published step (lowered to the scheme's ``MAX_DT``: RK4 runs the 0.5 ms
    panels at 0.25 ms); RK4 is also run at ``fine_dt`` (0.05 ms). RK4 runs of
    ``RK4_STOP`` features stop early (the cell says so). Each run is judged by
    :func:`neurohelpers.feature_checks.check_feature`.

    Returns
    -------
    headers : list of str
    rows : list of list of str
        One row per feature (A-T): feature, ``a, b, c, d`` (and the model
        variant), the published step (ms), the check's criterion, then for each
        run "yes: ..." or "**no**: ..." with the measured quantity.
    """
    from ..feature_checks import CRITERIA, check_feature

    runs: list[tuple[str, dict[str, SimulationResult], Mapping[str, float]]] = []
    for method in methods:
        label = _METHOD_LABELS.get(method, method)
        suffix = _PUBLISHED_DT.get(method, f", published $\\Delta t$ ($\\leq$ {MAX_DT[method]:g} ms)")
        stop = RK4_STOP if method == "rk4" else {}
        runs.append((label + suffix, run_features(method, stop=stop), stop))
        if method == "rk4":
            runs.append((f"{label}, $\\Delta t$ = {fine_dt:g} ms", run_features(method, fine_dt, stop), stop))
    headers = ["Feature", "$a, b, c, d$", "$\\Delta t$ (ms)", "Criterion", *(run[0] for run in runs)]
    rows = []
    for name, f in FEATURES.items():
        cells = [_verdict(check_feature(name, results[name]))
                 + (f" (run to {stop[name]:g} ms)" if name in stop else "")
                 for _, results, stop in runs]
        rows.append([f"({f.letter}) {name}", _parameters_cell(f), f"{f.dt:g}", CRITERIA[name], *cells])
    return headers, rows


_METHOD_LABELS = {PUBLISHED_METHOD: "Published scheme", "rk4": "RK4"}
_PUBLISHED_DT = {PUBLISHED_METHOD: " and $\\Delta t$"}


def _parameters_cell(f: Feature) -> str:
    text = f"{f.a:g}, {f.b:g}, {f.c:g}, {f.d:g}"
    if "k1" in f.variant:
        text += f"; $dv/dt$ with ${f.variant['k1']:g}v + {f.variant['k0']:g}$"
    if f.variant.get("recovery") == "accommodation":
        text += "; $du/dt = ab(v+65)$"
    return text
