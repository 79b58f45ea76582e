"""The 2020 algorithms as plain per-step Python loops: the baseline of the benchmarks.

Written from the 2020 report's description (forward Euler for LIF and
Izhikevich, odeint for Hodgkin-Huxley), with the same spike rules as the
neurohelpers schemes they are compared with, so spike counts can be checked.
"""

from __future__ import annotations

import math

import numpy as np


def lif_euler_sweep(amplitudes, steps: int, dt: float, t_on: float, t_off: float) -> list[list[float]]:
    """2020 LIF f-I run: C = 0.003, R = 5, V_th = +30 mV, no refractory period."""
    C, R, V_rest, V_th, V_reset = 0.003, 5.0, -65.0, 30.0, -65.0
    trains = []
    for amp in amplitudes:
        V, spikes = V_rest, []
        for k in range(steps - 1):
            t = k * dt
            I = amp if t_on - 1e-9 <= t < t_off - 1e-9 else 0.0
            V = V + dt * (I - (V - V_rest) / R) / C
            if V >= V_th:
                spikes.append((k + 1) * dt)
                V = V_reset
        trains.append(spikes)
    return trains


def izhikevich_euler(amplitude: float, steps: int, dt: float, t_on: float, t_off: float) -> list[float]:
    """2020 Izhikevich RS run: simultaneous forward Euler for v and u."""
    a, b, c, d = 0.02, 0.2, -65.0, 8.0
    v, u, spikes = -65.0, b * -65.0, []
    for k in range(steps - 1):
        t = k * dt
        I = amplitude if t_on - 1e-9 <= t < t_off - 1e-9 else 0.0
        v_new = v + dt * (0.04 * v * v + 5.0 * v + 140.0 - u + I)
        u = u + dt * a * (b * v - u)
        v = v_new
        if v >= 30.0:
            spikes.append((k + 1) * dt)
            v, u = c, u + d
    return spikes


def hh_rates(V: float) -> tuple[float, float, float, float, float, float]:
    """Textbook Hodgkin-Huxley rates, modern convention (1/ms)."""
    return (
        0.1 * (V + 40.0) / (1.0 - math.exp(-(V + 40.0) / 10.0)),
        4.0 * math.exp(-(V + 65.0) / 18.0),
        0.07 * math.exp(-(V + 65.0) / 20.0),
        1.0 / (1.0 + math.exp(-(V + 35.0) / 10.0)),
        0.01 * (V + 55.0) / (1.0 - math.exp(-(V + 55.0) / 10.0)),
        0.125 * math.exp(-(V + 65.0) / 80.0),
    )


def hh_rhs(x, I: float):
    V, m, h, n = x
    am, bm, ah, bh, an, bn = hh_rates(V)
    dV = I - 120.0 * m**3 * h * (V - 50.0) - 36.0 * n**4 * (V + 77.0) - 0.3 * (V + 54.387)
    return (dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n)


def protocol_current(t: float) -> float:
    """The 2020 step protocol, uA/cm^2 (steps from t >= time)."""
    return 10.0 * (t >= 0) - 10.0 * (t >= 100) + 20.0 * (t >= 200) + 80.0 * (t >= 300) - 100.0 * (t >= 400)


def hh_odeint(x0, t_end: float = 500.0, dt: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """The 2020 method: scipy.integrate.odeint (LSODA, default tolerances) on the protocol."""
    from scipy.integrate import odeint

    t = np.arange(round(t_end / dt) + 1) * dt
    X = odeint(lambda x, tt: hh_rhs(x, protocol_current(tt)), x0, t)
    return t, X[:, 0]


def hh_rk4_loop(x0, steps: int, dt: float) -> list[float]:
    """Per-step Python RK4 on the protocol (the neurohelpers numerics, no compilation)."""
    x, spikes = list(x0), []
    for k in range(steps - 1):
        I = protocol_current(k * dt)
        k1 = hh_rhs(x, I)
        k2 = hh_rhs([xi + 0.5 * dt * ki for xi, ki in zip(x, k1, strict=True)], I)
        k3 = hh_rhs([xi + 0.5 * dt * ki for xi, ki in zip(x, k2, strict=True)], I)
        k4 = hh_rhs([xi + dt * ki for xi, ki in zip(x, k3, strict=True)], I)
        V_old = x[0]
        x = [
            xi + dt / 6.0 * (a + 2 * b + 2 * c + d) for xi, a, b, c, d in zip(x, k1, k2, k3, k4, strict=True)
        ]
        if V_old < 0.0 <= x[0]:
            spikes.append((k + (0.0 - V_old) / (x[0] - V_old)) * dt)
    return spikes


def lif_exact_sweep(amplitudes, steps: int, dt: float, t_on: float, t_off: float) -> list[list[float]]:
    """Per-step Python loop of the neurohelpers exact LIF step, not compiled (the
    kernel's own step function, ``.py_func``), for the textbook neuron (C = 1 nF,
    R = 10 MOhm, -65/-50/-65 mV, t_ref = 2 ms): what compilation alone buys."""
    from neurohelpers.lif import _exact_step

    step = _exact_step.py_func
    C, R, V_rest, V_th, V_reset, t_ref = 1.0, 10.0, -65.0, -50.0, -65.0, 2.0
    decay_dt = math.exp(-dt / (R * C))
    trains = []
    for amp in amplitudes:
        spikes = np.empty((1, steps))
        V, ref, count = V_rest, 0.0, 0
        for k in range(steps - 1):
            t = k * dt
            I = amp if t_on - 1e-9 <= t < t_off - 1e-9 else 0.0
            V, ref, count = step(
                V, ref, I, t, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, spikes, 0, count
            )
        trains.append(list(spikes[0, :count]))
    return trains
