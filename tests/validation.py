"""The validation table: headline numbers of the notebooks against independent values.

One source of truth for two uses:

- ``tests/test_validation.py`` fails if any row disagrees beyond its tolerance, or if
  ``report/validation.md`` differs from the table generated here;
- ``python tests/validation.py --write`` regenerates ``report/validation.md`` (the
  Validation chapter of the report).

Each row holds our value (computed by ``neurohelpers``, the code under test), an
independent value and where it comes from: a reference written from the textbook
equations in ``tests/reference_models.py`` (SciPy, no ``neurohelpers`` import), a
closed form written out in the row's function below, or a published value with its
citation. The independent value never comes from the code under test.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # reference_models, when run as a script
import reference_models as ref

import neurohelpers as nh

REPORT = Path(__file__).resolve().parents[1] / "report" / "validation.md"
UA = r"$\mu$A/cm$^2$"
RINZEL_MILLER = "[Rinzel & Miller (1980)](#ref-rinzel-miller-1980)"
IZHIKEVICH_2003 = "[Izhikevich (2003)](#ref-izhikevich-2003)"


@dataclass(frozen=True)
class Row:
    """One line of the table.

    ``error`` is the measured disagreement between ours and the independent value, in
    ``unit`` (or relative, dimensionless, with ``relative=True``); the row agrees when
    ``error <= tolerance``.
    """

    quantity: str
    ours: str
    independent: str
    source: str
    error: float
    tolerance: float
    unit: str = ""
    relative: bool = False

    @property
    def agrees(self) -> bool:
        return math.isfinite(self.error) and self.error <= self.tolerance


def sig(x: float, digits: int) -> str:
    """``x`` with ``digits`` significant figures, fixed-point (no exponent), minus as '-'."""
    if x == 0 or not math.isfinite(x):
        return f"{x:.{max(digits - 1, 0)}f}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    return f"{x:.{decimals}f}"


def power_of_ten(x: float) -> str:
    """Markdown math for the tolerance or bound ``x`` as a power of ten where it is one."""
    if x == 0:
        return "0"
    exponent = math.log10(x)
    if abs(exponent - round(exponent)) < 1e-9:
        return f"$10^{{{round(exponent)}}}$"
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"


# disagreements below this are rounding noise; shown as one bound so the chapter is machine independent
NOISE_FLOOR = 1e-12


def bound(error: float, tolerance: float | None = None) -> str:
    """The disagreement as the next power of ten above it (stable across machines).

    When that power of ten is above a ``tolerance`` the error meets, the bound
    shown is the tolerance itself, so the text never suggests a failing row.
    """
    if tolerance and 0 < error <= tolerance and 10.0 ** (math.floor(math.log10(error)) + 1) > tolerance:
        return "$\\Delta \\le " + power_of_ten(tolerance).strip("$") + "$"
    if error == 0:
        return "$\\Delta = 0$"
    if not math.isfinite(error):
        return "no value"
    if error < NOISE_FLOOR:
        return f"$\\Delta < 10^{{{round(math.log10(NOISE_FLOOR))}}}$"
    return f"$\\Delta < 10^{{{math.floor(math.log10(error)) + 1}}}$"


# --------------------------------------------------------------------------- rows


def hh_resting_state() -> list[Row]:
    """HH rest at I = 0 against brentq on an independently written steady-state current."""
    rest = nh.HodgkinHuxley().resting_state()
    ours = np.array([rest["V"], rest["m"], rest["h"], rest["n"]])
    independent = ref.hh_resting_state(0.0)
    return [Row("HH resting state, $I = 0$: $V$ (mV), $m$, $h$, $n$",
                f"{ours[0]:.6f}, " + ", ".join(f"{x:.8f}" for x in ours[1:]),
                f"{independent[0]:.6f}, " + ", ".join(f"{x:.8f}" for x in independent[1:]),
                "brentq on the steady-state current (`hh_resting_state`)",
                float(np.max(np.abs(ours - independent))), 1e-9)]


def hh_rest_eigenvalues() -> list[Row]:
    """Eigenvalues of the linearised HH model at rest (I = 0) against an independent Jacobian."""
    ours = np.sort_complex(nh.HodgkinHuxley().steady_state_eigenvalues(0.0))
    independent = np.sort_complex(ref.hh_rest_eigenvalues(0.0))
    return [Row("HH eigenvalues at rest, $I = 0$ (1/ms)", _complex_list(ours), _complex_list(independent),
                "central-difference Jacobian at rest (`hh_rest_eigenvalues`)",
                float(np.max(np.abs(ours - independent))), 1e-6, "/ms")]


def _complex_list(values: np.ndarray) -> str:
    parts = []
    for z in values:
        if abs(z.imag) < 1e-12:
            parts.append(f"{z.real:.4f}")
        elif z.imag > 0:
            parts.append(f"{z.real:.4f} $\\pm$ {z.imag:.4f}i")
    return ", ".join(parts)


def hh_hopf() -> list[Row]:
    """Both HH Hopf currents against eigenvalues of an independent finite-difference Jacobian
    and against the values published by Rinzel & Miller (1980) at their printed precision."""
    ours = np.array(nh.HodgkinHuxley().hopf_currents())
    independent = np.array(ref.hh_hopf_currents())
    both = f"HH Hopf currents, lower and upper ({UA})"
    rows = [
        Row(both, ", ".join(f"{x:.7f}" for x in ours), ", ".join(f"{x:.7f}" for x in independent),
            "eigenvalues of a central-difference Jacobian at rest, brentq on the largest real part "
            "(`hh_hopf_currents`)", float(np.max(np.abs(ours - independent))), 1e-5, UA),
    ]
    # published to 3 and 4 significant figures: agreement means equality after rounding
    for name, o, published, half_digit in zip(("lower", "upper"), ours, (9.78, 154.5), (0.005, 0.05),
                                              strict=True):
        rows.append(Row(f"HH Hopf current, {name} ({UA}), published", f"{o:.5f}", f"{published}",
                        f"{RINZEL_MILLER}, as printed (rounded)", abs(o - published), half_digit, UA))
    return rows


def _hh_step_fires(x0: np.ndarray, window: tuple[float, float]) -> Callable[[float], bool]:
    """Reference: does a step of amplitude I from rest at 10 ms (run to 510 ms) spike in window?"""

    def fires(I: float) -> bool:
        spikes = ref.hh_spike_times(x0, [(0.0, 10.0, 0.0), (10.0, 510.0, I)], rtol=1e-7, atol=1e-8)
        return bool(np.any((spikes >= window[0]) & (spikes < window[1])))

    return fires


def hh_thresholds() -> list[Row]:
    """One-spike and sustained thresholds of a step from rest (onset 10 ms, 500 ms step):
    neurohelpers' batched bisection (RK4, dt 0.02 ms) against plain bisection with
    solve_ivp (DOP853, rtol 1e-7) on the reference model; both brackets 1e-4 wide."""
    hh = nh.HodgkinHuxley()
    x0 = ref.hh_resting_state(0.0)
    rows = []
    for kind, label, high, window in (
        ("one", "one-spike threshold (a spike after onset)", 10.0, (10.0, 510.02)),
        ("sustained", "sustained-firing threshold (a spike in the last 100 ms)", 20.0, (410.0, 510.02)),
    ):
        ours = nh.rheobase(hh, kind=kind, low=0.0, high=high, tol=1e-4, dt=0.02)
        low_ref, high_ref = ref.bisect_threshold(_hh_step_fires(x0, window), 0.0, high, 1e-4)
        mid = 0.5 * (low_ref + high_ref)
        source = (f"bisection from [0, {high:g}] to a $10^{{-4}}$ bracket, solve_ivp DOP853, "
                  "rtol $10^{-7}$ (`hh_spike_times`)")
        rows.append(Row(f"HH {label}, step from rest ({UA})", f"{ours:.4f}", f"{mid:.4f}",
                        source, abs(ours - mid), 3e-4, UA))
    return rows


def hh_q35_spike_times() -> list[Row]:
    """The 2020 step protocol (Question 3.5) from rest: every spike time against solve_ivp."""
    dt = 0.01
    t = nh.time_axis(500.0, dt)
    drive = nh.step_current(t, [(0, 10), (100, -10), (200, 20), (300, 80), (400, -100)])
    ours = nh.HodgkinHuxley().simulate(drive, dt, record=False).spike_times
    segments = [(0.0, 100.0, 10.0), (100.0, 200.0, 0.0), (200.0, 300.0, 20.0), (300.0, 400.0, 100.0),
                (400.0, 500.0, 0.0)]
    independent = ref.hh_spike_times(ref.hh_resting_state(0.0), segments, rtol=1e-9, atol=1e-10)
    error = float(np.max(np.abs(ours - independent))) if ours.size == independent.size else math.inf
    return [Row(
        "HH Question 3.5 protocol (levels 10, 0, 20, 100, 0 " + UA + ", RK4 dt 0.01 ms): spike times, "
        "largest difference (ms)",
        f"{ours.size} spikes, {ours[0]:.3f} to {ours[-1]:.3f} ms",
        f"{independent.size} spikes, {independent[0]:.3f} to {independent[-1]:.3f} ms",
        "solve_ivp DOP853, rtol $10^{-9}$, event-located crossings (`hh_spike_times`)",
        error, 1e-5, "ms",
    )]


def hh_fi_rates() -> list[Row]:
    """Steady HH rates (step from rest at 10 ms, RK4 dt 0.02 ms, rate from the intervals in
    210-510 ms, the notebook's f-I protocol) against solve_ivp spike trains."""
    currents = np.array([6.27, 6.5, 10.0, 20.0, 50.0])
    ours = nh.fi_curve(nh.HodgkinHuxley(), currents, dt=0.02, duration=510.0, onset=10.0, offset=510.0,
                       window=(210.0, 510.0), measure="isi")
    x0 = ref.hh_resting_state(0.0)
    independent = []
    for I in currents:
        spikes = ref.hh_spike_times(x0, [(0.0, 10.0, 0.0), (10.0, 510.0, I)], rtol=1e-8, atol=1e-9)
        inside = spikes[(spikes >= 210.0) & (spikes < 510.0)]
        independent.append(1000.0 * (inside.size - 1) / (inside[-1] - inside[0]))
    independent = np.array(independent)
    return [Row(
        f"HH steady rate at {', '.join(f'{i:g}' for i in currents)} {UA} (Hz)",
        ", ".join(f"{r:.2f}" for r in ours), ", ".join(f"{r:.2f}" for r in independent),
        "solve_ivp DOP853, rtol $10^{-8}$, same protocol (`hh_spike_times`)",
        float(np.max(np.abs(ours - independent) / independent)), 1e-6, relative=True,
    )]


def hh_temperature() -> list[Row]:
    """HH steady rate at I = 10 uA/cm^2 at 10, 15 and 20 degC (every rate times
    phi = 3^((T - 6.3)/10)): neurohelpers' ``temperature`` against solve_ivp of the textbook
    right-hand side with the rates scaled by phi written in reference_models."""
    temperatures = (10.0, 15.0, 20.0)
    x0 = ref.hh_resting_state(0.0)
    ours, independent = [], []
    for T in temperatures:
        ours.append(nh.fi_curve(nh.HodgkinHuxley(temperature=T), [10.0], dt=0.01, duration=510.0,
                                onset=10.0, offset=510.0, window=(210.0, 510.0), measure="isi")[0])
        spikes = ref.hh_spike_times_phi(x0, [(0.0, 10.0, 0.0), (10.0, 510.0, 10.0)],
                                        3.0 ** ((T - 6.3) / 10.0))
        inside = spikes[(spikes >= 210.0) & (spikes < 510.0)]
        independent.append(1000.0 * (inside.size - 1) / (inside[-1] - inside[0]))
    ours, independent = np.array(ours), np.array(independent)
    return [Row(
        f"HH steady rate at 10 {UA} and {', '.join(f'{t:g}' for t in temperatures)} $^\\circ$C, "
        "$Q_{10} = 3$, RK4 dt 0.01 ms (Hz)",
        ", ".join(f"{r:.2f}" for r in ours), ", ".join(f"{r:.2f}" for r in independent),
        "solve_ivp DOP853, rtol $10^{-8}$, rates times $3^{(T - 6.3)/10}$ (`hh_spike_times_phi`)",
        float(np.max(np.abs(ours - independent) / independent)), 1e-6, relative=True,
    )]


def _lif_closed_form(I: np.ndarray, C: float, R: float, dV: float, t_ref: float) -> np.ndarray:
    """Rate (Hz) of a LIF (reset to rest) or perfect IF (R = inf) under constant I (nA):
    the time to climb dV from rest, plus t_ref. LIF: tau ln(R I / (R I - dV)) for R I > dV;
    IF: C dV / I."""
    if math.isinf(R):
        climb = C * dV / I
    else:
        climb = R * C * np.log(R * I / (R * I - dV))
    return 1000.0 / (t_ref + climb)


def lif_rates() -> list[Row]:
    """LIF and IF rates from the simulated spike trains (fi_curve, interval measure, exact
    scheme, dt 0.1 ms, 1 s) against the closed form written in ``_lif_closed_form``."""
    currents = np.array([1.6, 2.0, 3.0, 5.0, 10.0, 40.0])
    rows = []
    for label, R, t_ref in (("LIF, $t_\\mathrm{ref}$ = 2 ms", 10.0, 2.0),
                            ("LIF, $t_\\mathrm{ref}$ = 0", 10.0, 0.0),
                            ("perfect IF, $t_\\mathrm{ref}$ = 2 ms", math.inf, 2.0)):
        model = nh.LIF(C=1.0, R=R, V_rest=-65.0, V_th=-50.0, V_reset=-65.0, t_ref=t_ref)
        ours = nh.fi_curve(model, currents, dt=0.1, duration=1000.0, onset=0.0, offset=1000.0,
                           measure="isi")
        closed = _lif_closed_form(currents, C=1.0, R=R, dV=15.0, t_ref=t_ref)
        rel = float(np.max(np.abs(ours - closed) / closed))
        rows.append(Row(
            f"{label}: rate at {', '.join(f'{i:g}' for i in currents)} nA (Hz)",
            ", ".join(sig(r, 4) for r in ours),
            ", ".join(sig(r, 4) for r in closed),
            "closed form $1/(t_\\mathrm{ref} + \\tau_m \\ln(RI/(RI - 15\\,\\mathrm{mV})))$"
            if math.isfinite(R) else "closed form $1/(t_\\mathrm{ref} + C \\cdot 15\\,\\mathrm{mV}/I)$",
            rel, 1e-9, relative=True,
        ))
    return rows


def izhikevich_bifurcations() -> list[Row]:
    """Izhikevich rest: Hopf and saddle-node currents against closed forms derived here.

    Equilibria of v' = 0.04 v^2 + 5 v + 140 - u + I, u' = a (b v - u) have u = b v, so
    0.04 v^2 + (5 - b) v + 140 + I = 0. Saddle-node (double root, discriminant 0):
    I_sn = (5 - b)^2 / (4 * 0.04) - 140. Jacobian [[0.08 v + 5, -1], [a b, -a]]: trace
    0.08 v + 5 - a = 0 gives v* = (a - 5) / 0.08, and the equilibrium condition gives
    I_H = b v* - (0.04 v*^2 + 5 v* + 140); det = a (b - 0.08 v* - 5) = a (b - a) > 0
    there for b > a, so it is a Hopf point.
    """
    rows = []
    for name in ("RS", "FS"):
        cell = nh.Izhikevich.preset(name)
        a, b = cell.a, cell.b
        v_star = (a - 5.0) / 0.08
        closed_hopf = b * v_star - (0.04 * v_star**2 + 5.0 * v_star + 140.0)
        closed_sn = (5.0 - b) ** 2 / (4 * 0.04) - 140.0
        ours = (cell.hopf_current, cell.saddle_node_current)
        rows.append(Row(
            f"Izhikevich {name} ($a$ = {a:g}, $b$ = {b:g}): Andronov-Hopf and saddle-node currents",
            f"{ours[0]:.6f}, {ours[1]:.6f}", f"{closed_hopf:.6f}, {closed_sn:.6f}",
            "closed forms: trace $0.08 v^* + 5 - a = 0$, $I_H = b v^* - (0.04 v^{*2} + 5 v^* + 140)$; "
            "$I_{sn} = (5 - b)^2 / (4 \\cdot 0.04) - 140$",
            max(abs(ours[0] - closed_hopf), abs(ours[1] - closed_sn)), 1e-9,
        ))
    return rows


def lif_charging() -> list[Row]:
    """Question 2.1: first spike of the perfect IF neuron, C dV / I after the start, and the
    LIF membrane under a sub-threshold current, V_rest + R I (1 - exp(-t / tau)), against
    the exact-scheme simulations (dt 0.02 ms)."""
    dt, dV = 0.02, 15.0
    currents = np.array([1.2, 0.5, 0.1])
    perfect = nh.LIF(C=1.0, R=math.inf, V_rest=-65.0, V_th=-50.0, V_reset=-65.0, t_ref=2.0)
    t = nh.time_axis(200.0, dt)
    ours_first = np.array([perfect.simulate(np.full(nh.time_axis(160.0, dt).size, I), dt,
                                            record=False).spike_times[0] for I in currents])
    closed_first = 1.0 * dV / currents
    lif = nh.LIF(C=1.0, R=10.0, V_rest=-65.0, V_th=-50.0, V_reset=-65.0, t_ref=2.0)
    ours_v = lif.simulate(np.full(t.size, 1.2), dt).V[-1]
    closed_v = -65.0 + 10.0 * 1.2 * (1.0 - math.exp(-t[-1] / 10.0))
    return [
        Row(f"IF first spike at {', '.join(f'{i:g}' for i in currents)} nA (ms)",
            ", ".join(f"{x:.6f}" for x in ours_first), ", ".join(f"{x:.6f}" for x in closed_first),
            "closed form $C (V_\\mathrm{th} - V_\\mathrm{rest}) / I$",
            float(np.max(np.abs(ours_first - closed_first))), 1e-9, "ms"),
        Row("LIF at 1.2 nA (below rheobase): $V$ at 200 ms (mV)", f"{ours_v:.6f}", f"{closed_v:.6f}",
            "closed form $V_\\mathrm{rest} + RI(1 - e^{-t/\\tau_m})$", abs(ours_v - closed_v), 1e-9, "mV"),
    ]


def izhikevich_rest() -> list[Row]:
    """RS resting state at I = 0 and its eigenvalues at I = 3.9 (between the Hopf and the
    saddle-node current), against closed forms.

    The rest is the lower root of 0.04 v^2 + (5 - b) v + 140 + I = 0, u = b v; the Jacobian
    there is [[0.08 v + 5, -1], [a b, -a]] with eigenvalues tr/2 +- sqrt(tr^2/4 - det).
    """
    rs = nh.Izhikevich.preset("RS")
    a, b = rs.a, rs.b

    def closed_rest(I: float) -> tuple[float, float]:
        v = (-(5.0 - b) - math.sqrt((5.0 - b) ** 2 - 4 * 0.04 * (140.0 + I))) / (2 * 0.04)
        return v, b * v

    rows = []
    v0, u0 = closed_rest(0.0)
    ours = rs.fixed_points(0.0)[0]
    rows.append(Row("Izhikevich RS resting state, $I = 0$: $v$ (mV), $u$",
                    f"{ours['v']:.6f}, {ours['u']:.6f}", f"{v0:.6f}, {u0:.6f}",
                    "closed form: lower root of $0.04 v^2 + (5 - b) v + 140 + I = 0$, $u = b v$",
                    max(abs(ours["v"] - v0), abs(ours["u"] - u0)), 1e-9))
    v, _ = closed_rest(3.9)
    trace, det = 0.08 * v + 5.0 - a, -a * (0.08 * v + 5.0) + a * b
    closed = np.sort_complex(np.array([trace / 2 + np.sqrt(complex(trace**2 / 4 - det)),
                                       trace / 2 - np.sqrt(complex(trace**2 / 4 - det))]))
    rest = rs.fixed_points(3.9)[0]
    ours_eig = np.sort_complex(np.array([complex(rest["lambda_slow"]), complex(rest["lambda_fast"])]))
    rows.append(Row("Izhikevich RS rest at $I = 3.9$: eigenvalues (1/ms)", _complex_list(ours_eig),
                    _complex_list(closed), "closed form: eigenvalues of the $2 \\times 2$ Jacobian at rest",
                    float(np.max(np.abs(ours_eig - closed))), 1e-9, "/ms"))
    return rows


def izhikevich_rs_spike_times() -> list[Row]:
    """Question 3.4(a): RS neuron, I = 30 from 10 to 90 ms, 100 ms, RK4 dt 0.02 ms."""
    rs = nh.Izhikevich.preset("RS")
    dt = 0.02
    t = nh.time_axis(100.0, dt)
    ours = rs.simulate(nh.pulse_current(t, [(10.0, 90.0, 30.0)]), dt, record=False).spike_times
    independent = ref.izhikevich_segment_spike_times(
        0.02, 0.2, -65.0, 8.0, [(0.0, 10.0, 0.0), (10.0, 90.0, 30.0), (90.0, 100.0, 0.0)])
    error = float(np.max(np.abs(ours - independent))) if ours.size == independent.size else math.inf
    return [Row(
        "Izhikevich RS, Question 3.4(a) ($I$ = 30 from 10 to 90 ms, RK4 dt 0.02 ms): spike times, "
        "largest difference (ms)",
        f"{ours.size} spikes, {ours[0]:.4f} to {ours[-1]:.4f} ms",
        f"{independent.size} spikes, {independent[0]:.4f} to {independent[-1]:.4f} ms",
        "solve_ivp DOP853, rtol $10^{-12}$, reset at each located crossing "
        "(`izhikevich_segment_spike_times`)",
        error, 1e-5, "ms",
    )]


def izhikevich_rs_recovery() -> list[Row]:
    """Question 3.4(b): RS neuron, I = 30 from 10 to 50 ms, 200 ms, RK4 dt 0.02 ms: the
    recovery of v and u after the last spike, sample by sample, against solve_ivp."""
    rs = nh.Izhikevich.preset("RS")
    dt = 0.02
    t = nh.time_axis(200.0, dt)
    run = rs.simulate(nh.pulse_current(t, [(10.0, 50.0, 30.0)]), dt)
    spikes, v, u = ref.izhikevich_segment_trace(
        0.02, 0.2, -65.0, 8.0, [(0.0, 10.0, 0.0), (10.0, 50.0, 30.0), (50.0, 200.0, 0.0)], t)
    after = t >= spikes[-1] + 1.0
    error = max(float(np.max(np.abs(run.V[after] - v[after]))),
                float(np.max(np.abs(run.state["u"][after] - u[after]))))
    if run.spike_times.size != spikes.size:
        error = math.inf
    return [Row(
        "Izhikevich RS, Question 3.4(b) ($I$ = 30 from 10 to 50 ms): after the last spike, "
        "minimum $v$; $v$, $u$ at 200 ms (mV)",
        f"{run.V[after].min():.4f}; {run.V[-1]:.4f}, {run.state['u'][-1]:.4f}",
        f"{v[after].min():.4f}; {v[-1]:.4f}, {u[-1]:.4f}",
        "dense output of the event-located solve_ivp run (`izhikevich_segment_trace`), "
        "largest difference over every sample",
        error, 1e-5, "mV",
    )]


def izhikevich_2003_scheme() -> list[Row]:
    """The published 1 ms scheme, RS, I = 10 for 5 s: neurohelpers' ``izhikevich2003``
    method against the loop of the 2003 paper written out in reference_models."""
    rs = nh.Izhikevich.preset("RS")
    n = 5001
    ours = rs.simulate(np.full(n, 10.0), 1.0, method="izhikevich2003", record=False).spike_times
    independent = ref.izhikevich_2003_scheme_spike_times(0.02, 0.2, -65.0, 8.0, 10.0, n)
    isi, isi_ref = np.diff(ours), np.diff(independent)
    error = float(np.max(np.abs(isi - isi_ref))) if isi.size == isi_ref.size else math.inf

    def summary(x: np.ndarray) -> str:
        return (f"{x.size} intervals, mean {x.mean():.2f} ms, {x.min():g}-{x.max():g} ms "
                f"({x[1:].min():g}-{x[1:].max():g} after the first)")

    return [Row(
        "Izhikevich RS, published scheme at $dt$ = 1 ms, $I$ = 10 for 5 s: interspike intervals",
        summary(isi), summary(isi_ref),
        f"the loop printed in {IZHIKEVICH_2003} (`izhikevich_2003_scheme_spike_times`)",
        error, 1e-9, "ms",
    )]


def izhikevich_published_parameters() -> list[Row]:
    """The RS preset and the model constants against the values printed in Izhikevich (2003)."""
    rs = nh.Izhikevich.preset("RS")
    ours = (rs.a, rs.b, rs.c, rs.d)
    published = (0.02, 0.2, -65.0, 8.0)
    constants = (rs.k2, rs.k1, rs.k0, rs.v_peak)
    published_constants = (0.04, 5.0, 140.0, 30.0)
    return [
        Row("Izhikevich RS parameters $a, b, c, d$", ", ".join(f"{x:g}" for x in ours),
            ", ".join(f"{x:g}" for x in published), IZHIKEVICH_2003,
            float(np.max(np.abs(np.subtract(ours, published)))), 0.0),
        Row("Izhikevich model: $v^2$, $v$, constant coefficients, spike peak (mV)",
            ", ".join(f"{x:g}" for x in constants), ", ".join(f"{x:g}" for x in published_constants),
            IZHIKEVICH_2003, float(np.max(np.abs(np.subtract(constants, published_constants)))), 0.0),
    ]


# (function, slow, section): slow groups take tens of seconds (their tests are marked slow)
GROUPS: list[tuple[Callable[[], list[Row]], bool, str]] = [
    (hh_resting_state, False, "Hodgkin-Huxley"),
    (hh_rest_eigenvalues, False, "Hodgkin-Huxley"),
    (hh_thresholds, True, "Hodgkin-Huxley"),
    (hh_hopf, False, "Hodgkin-Huxley"),
    (hh_q35_spike_times, False, "Hodgkin-Huxley"),
    (hh_fi_rates, True, "Hodgkin-Huxley"),
    (hh_temperature, True, "Hodgkin-Huxley"),
    (lif_charging, False, "Leaky integrate-and-fire"),
    (lif_rates, False, "Leaky integrate-and-fire"),
    (izhikevich_rest, False, "Izhikevich"),
    (izhikevich_bifurcations, False, "Izhikevich"),
    (izhikevich_rs_spike_times, False, "Izhikevich"),
    (izhikevich_rs_recovery, False, "Izhikevich"),
    (izhikevich_2003_scheme, False, "Izhikevich"),
    (izhikevich_published_parameters, False, "Izhikevich"),
]


@cache
def rows_of(group: Callable[[], list[Row]]) -> tuple[Row, ...]:
    """The rows of one group, computed once per process."""
    return tuple(group())


def all_rows() -> list[Row]:
    return [row for group, _, _ in GROUPS for row in rows_of(group)]


def sections() -> dict[str, list[Row]]:
    """The rows by section (model), in chapter order."""
    out: dict[str, list[Row]] = {}
    for group, _, section in GROUPS:
        out.setdefault(section, []).extend(rows_of(group))
    return out


# ------------------------------------------------------------------------ Markdown

INTRO = """# Validation

Every headline number the notebooks compute, side by side with a value obtained
independently of `neurohelpers`: a reference model written from the textbook equations
and integrated with SciPy, a closed form, or a published value. Functions named in the
source column are in `tests/reference_models.py`; the closed forms are derived in
`tests/validation.py`. $\\Delta$ is the absolute difference between the two columns
(relative where the tolerance says so); a row agrees when $\\Delta$ is at most the
tolerance, given in brackets in the last column. The same rows drive the test suite
(`tests/test_validation.py`), which fails if any row disagrees or if this chapter
differs from the table it generates (`python tests/validation.py --write`).
"""


def _tolerance_text(row: Row) -> str:
    if row.tolerance == 0:
        return "exact"
    text = power_of_ten(row.tolerance)
    if row.relative:
        return text + " (relative)"
    return f"{text} {row.unit}".rstrip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# relative column widths (pandoc reads them from the dashes): quantity, ours, independent,
# source, agreement (tolerance)
_WIDTHS = (24, 14, 14, 26, 16)


def markdown(by_section: dict[str, list[Row]]) -> str:
    """The Validation chapter as Markdown: the introduction, then one table per model."""
    lines = [INTRO]
    for section, rows in by_section.items():
        lines += [f"## {section}", "", "| quantity | ours | independent | source | agreement (tolerance) |",
                  "|" + "|".join(" " + "-" * w + " " for w in _WIDTHS) + "|"]
        for row in rows:
            verdict = (("yes, " if row.agrees else "**NO**, ") + bound(row.error, row.tolerance)
                       + f" ({_tolerance_text(row)})")
            cells = (row.quantity, row.ours, row.independent, row.source, verdict)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    rows = [r for group in by_section.values() for r in group]
    failing = sum(not r.agrees for r in rows)
    lines.append(f"{len(rows)} rows; {len(rows) - failing} agree within their tolerance"
                 + (f", {failing} do not." if failing else "."))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.name} into report/")
    args = parser.parse_args(argv)
    text = markdown(sections())
    if args.write:
        REPORT.write_text(text, encoding="utf-8")
        print(f"wrote {REPORT}")
    else:
        print(text)
    return 0 if all(r.agrees for r in all_rows()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
