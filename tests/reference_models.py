"""Independent reference solutions written from the textbook equations with SciPy.

Nothing here imports neurohelpers: these are the truth the tests compare to.
"""

import math

import numpy as np
from scipy.integrate import solve_ivp

# Hodgkin-Huxley, modern convention (Gerstner et al. 2014, Table 2.1 / Dayan & Abbott)
G_NA, G_K, G_L = 120.0, 36.0, 0.3
E_NA, E_K, E_L = 50.0, -77.0, -54.387


def hh_rates(V):
    """Textbook alpha/beta (1/ms); V in mV (modern). Not for V exactly -40 or -55."""
    am = 0.1 * (V + 40) / (1 - math.exp(-(V + 40) / 10))
    bm = 4 * math.exp(-(V + 65) / 18)
    ah = 0.07 * math.exp(-(V + 65) / 20)
    bh = 1 / (1 + math.exp(-(V + 35) / 10))
    an = 0.01 * (V + 55) / (1 - math.exp(-(V + 55) / 10))
    bn = 0.125 * math.exp(-(V + 65) / 80)
    return am, bm, ah, bh, an, bn


def hh_rhs(_t, x, I):
    V, m, h, n = x
    am, bm, ah, bh, an, bn = hh_rates(V)
    dV = I - G_NA * m**3 * h * (V - E_NA) - G_K * n**4 * (V - E_K) - G_L * (V - E_L)
    return [dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]


def hh_spike_times(x0, segments, rtol=1e-9, atol=1e-10, threshold=0.0):
    """Integrate constant-current segments [(t_start, t_stop, I), ...] one by one
    with solve_ivp (DOP853) and return upward crossings of ``threshold`` (ms)."""

    def crossing(_t, x, _I):
        return x[0] - threshold

    crossing.direction = 1.0
    spikes = []
    x = np.asarray(x0, dtype=float)
    for t0, t1, I in segments:
        sol = solve_ivp(hh_rhs, (t0, t1), x, method="DOP853", rtol=rtol, atol=atol,
                        events=crossing, args=(I,))
        spikes.extend(sol.t_events[0])
        x = sol.y[:, -1]
    return np.array(spikes)


def izhikevich_spike_times(a, b, c, d, I, t_stop, v0=-65.0, v_peak=30.0, rtol=1e-12, atol=1e-12):
    """Izhikevich (2003) with constant I from t = 0, integrated event to event:
    solve_ivp stops at v = v_peak, applies the reset and restarts."""

    def rhs(_t, x):
        v, u = x
        return [0.04 * v * v + 5 * v + 140 - u + I, a * (b * v - u)]

    def peak(_t, x):
        return x[0] - v_peak

    peak.terminal = True
    peak.direction = 1.0
    t, x, spikes = 0.0, [v0, b * v0], []
    while t < t_stop:
        sol = solve_ivp(rhs, (t, t_stop), x, method="DOP853", rtol=rtol, atol=atol, events=peak)
        if sol.status != 1:
            break
        t = sol.t_events[0][0]
        spikes.append(t)
        x = [c, sol.y_events[0][0][1] + d]
    return np.array(spikes)


def hh_rates_exact(V):
    """Textbook alpha/beta (1/ms) at modern V (mV), with ``math.expm1`` so that the
    removable singularities at -40 and -55 mV cost no accuracy (limits 1 and 0.1)."""
    zm = -(V + 40.0) / 10.0
    zn = -(V + 55.0) / 10.0
    am = 1.0 if zm == 0.0 else 0.1 * (V + 40.0) / -math.expm1(zm)
    an = 0.1 if zn == 0.0 else 0.01 * (V + 55.0) / -math.expm1(zn)
    bm = 4.0 * math.exp(-(V + 65.0) / 18.0)
    ah = 0.07 * math.exp(-(V + 65.0) / 20.0)
    bh = 1.0 / (1.0 + math.exp(-(V + 35.0) / 10.0))
    bn = 0.125 * math.exp(-(V + 65.0) / 80.0)
    return am, bm, ah, bh, an, bn


def hh_rhs_phi(_t, x, I, phi=1.0, g_na=G_NA):
    """HH right-hand side (modern frame) with every rate multiplied by the
    temperature factor ``phi`` (Hodgkin & Huxley 1952: Q10 = 3 about 6.3 degC)
    and a sodium conductance ``g_na`` (mS/cm^2)."""
    V, m, h, n = x
    am, bm, ah, bh, an, bn = (phi * r for r in hh_rates_exact(V))
    dV = I - g_na * m**3 * h * (V - E_NA) - G_K * n**4 * (V - E_K) - G_L * (V - E_L)
    return [dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]


def hh_radau(x0, segments, phi=1.0, rtol=1e-10, atol=1e-10, threshold=0.0, sample_dt=None, g_na=G_NA):
    """Hodgkin-Huxley with piecewise-constant current [(t_start, t_stop, I), ...],
    integrated by the implicit, L-stable Radau IIA method of ``solve_ivp``.

    Returns a dict: ``spike_times`` (upward crossings of ``threshold`` mV, ms),
    ``V_min`` (mV, the minimum over the run from the dense output on a 0.01 ms grid
    and the step points), ``final`` (V, m, h, n at the end) and, if ``sample_dt``
    is given, ``t`` and ``V`` sampled every ``sample_dt`` ms.
    """

    def crossing(_t, x, _I, _phi, _g):
        return x[0] - threshold

    crossing.direction = 1.0
    spikes, v_min, ts, vs = [], np.inf, [], []
    x = np.asarray(x0, dtype=float)
    for t0, t1, I in segments:
        sol = solve_ivp(hh_rhs_phi, (t0, t1), x, method="Radau", rtol=rtol, atol=atol,
                        events=crossing, args=(I, phi, g_na), dense_output=True)
        if sol.status != 0:
            raise RuntimeError(f"Radau failed on segment {t0}-{t1} ms: {sol.message}")
        spikes.extend(sol.t_events[0])
        grid = np.linspace(t0, t1, max(2, round((t1 - t0) / 0.01) + 1))
        v_min = min(v_min, float(np.min(sol.sol(grid)[0])), float(np.min(sol.y[0])))
        if sample_dt is not None:
            k0 = math.ceil(t0 / sample_dt - 1e-9)
            k1 = math.ceil(t1 / sample_dt - 1e-9)
            tk = np.arange(k0, k1) * sample_dt
            ts.append(tk)
            vs.append(sol.sol(tk)[0])
        x = sol.y[:, -1]
    out = {"spike_times": np.array(spikes), "V_min": v_min, "final": x}
    if sample_dt is not None:
        out["t"] = np.concatenate(ts)
        out["V"] = np.concatenate(vs)
    return out


# --- references for the validation table (tests/validation.py) ---


def hh_resting_state(I=0.0):
    """(V, m, h, n) where the HH model (modern, hh_rates) is at rest under constant I
    (uA/cm^2): the gates at their steady state and the total ionic current equal to I,
    V found by scipy's brentq in [-100, 50] mV."""
    from scipy.optimize import brentq

    def gates(V):
        am, bm, ah, bh, an, bn = hh_rates(V)
        return am / (am + bm), ah / (ah + bh), an / (an + bn)

    def net(V):
        m, h, n = gates(V)
        return I - G_NA * m**3 * h * (V - E_NA) - G_K * n**4 * (V - E_K) - G_L * (V - E_L)

    V = brentq(net, -100.0, 50.0, xtol=1e-13, rtol=1e-15)
    return np.array([V, *gates(V)])


def hh_rest_eigenvalues(I, step=1e-6):
    """Eigenvalues (1/ms) of the Jacobian of ``hh_rhs`` at the resting state for current I,
    the Jacobian taken by central differences."""
    x0 = hh_resting_state(I)
    jac = np.empty((4, 4))
    for col in range(4):
        up, down = x0.copy(), x0.copy()
        up[col] += step
        down[col] -= step
        jac[:, col] = (np.array(hh_rhs(0.0, up, I)) - np.array(hh_rhs(0.0, down, I))) / (2 * step)
    return np.linalg.eigvals(jac)


def hh_rest_growth_rate(I, step=1e-6):
    """Largest real part (1/ms) of ``hh_rest_eigenvalues``."""
    return float(np.max(hh_rest_eigenvalues(I, step).real))


def hh_hopf_currents(I_max=200.0, spacing=1.0):
    """Currents (uA/cm^2) in [0, I_max] where the rest changes stability: sign changes of
    ``hh_rest_growth_rate`` on a grid of the given spacing, each refined by brentq."""
    from scipy.optimize import brentq

    grid = np.arange(0.0, I_max + spacing / 2, spacing)
    growth = np.array([hh_rest_growth_rate(I) for I in grid])
    change = np.nonzero(np.sign(growth[:-1]) != np.sign(growth[1:]))[0]
    return [brentq(hh_rest_growth_rate, grid[k], grid[k + 1], xtol=1e-10) for k in change]


def bisect_threshold(fires, low, high, tol):
    """Plain bisection for the smallest amplitude with ``fires(amplitude)`` True; checks
    that ``low`` does not fire and ``high`` does. Returns the final (low, high)."""
    if fires(low) or not fires(high):
        raise ValueError(f"[{low}, {high}] does not bracket a threshold")
    while high - low > tol:
        mid = 0.5 * (low + high)
        if fires(mid):
            high = mid
        else:
            low = mid
    return low, high


def izhikevich_segment_spike_times(a, b, c, d, segments, v0=-65.0, u0=None, v_peak=30.0,
                                   rtol=1e-12, atol=1e-12):
    """Izhikevich (2003) driven by piecewise-constant current [(t_start, t_stop, I), ...],
    integrated event to event with solve_ivp (DOP853): each crossing of v_peak is
    located, the reset v = c, u += d applied there and the integration restarted."""

    def peak(_t, x, _I):
        return x[0] - v_peak

    peak.terminal = True
    peak.direction = 1.0

    def rhs(_t, x, I):
        v, u = x
        return [0.04 * v * v + 5 * v + 140 - u + I, a * (b * v - u)]

    x = [v0, b * v0 if u0 is None else u0]
    spikes = []
    for t0, t1, I in segments:
        t = t0
        while t < t1:
            sol = solve_ivp(rhs, (t, t1), x, method="DOP853", rtol=rtol, atol=atol, events=peak,
                            args=(I,))
            if sol.status == 1:
                t = sol.t_events[0][0]
                spikes.append(t)
                x = [c, sol.y_events[0][0][1] + d]
            else:
                t, x = t1, list(sol.y[:, -1])
    return np.array(spikes)


def izhikevich_segment_trace(a, b, c, d, segments, sample_times, v0=-65.0, u0=None, v_peak=30.0,
                             rtol=1e-12, atol=1e-12):
    """As ``izhikevich_segment_spike_times``, also returning v and u at ``sample_times`` (ms)
    from the dense output of each piece between resets. Returns (spikes, v, u)."""

    def peak(_t, x, _I):
        return x[0] - v_peak

    peak.terminal = True
    peak.direction = 1.0

    def rhs(_t, x, I):
        v, u = x
        return [0.04 * v * v + 5 * v + 140 - u + I, a * (b * v - u)]

    sample_times = np.asarray(sample_times, dtype=float)
    v_out = np.full(sample_times.size, np.nan)
    u_out = np.full(sample_times.size, np.nan)
    x = [v0, b * v0 if u0 is None else u0]
    spikes = []
    for t0, t1, I in segments:
        t = t0
        while t < t1:
            sol = solve_ivp(rhs, (t, t1), x, method="DOP853", rtol=rtol, atol=atol, events=peak,
                            args=(I,), dense_output=True)
            end = sol.t_events[0][0] if sol.status == 1 else t1
            inside = (sample_times >= t) & (sample_times < end)
            if t1 == segments[-1][1] and sol.status != 1:
                inside |= sample_times == t1
            if inside.any():
                v_out[inside], u_out[inside] = sol.sol(sample_times[inside])
            if sol.status == 1:
                spikes.append(end)
                x = [c, sol.y_events[0][0][1] + d]
            else:
                x = list(sol.y[:, -1])
            t = end
    return np.array(spikes), v_out, u_out


def izhikevich_2003_scheme_spike_times(a, b, c, d, I, n_steps, dt=1.0, v0=-65.0, u0=None):
    """The integration loop printed in Izhikevich (2003), written out for one neuron with
    constant I: at step k a spike is recorded (time k dt) if v >= 30, then v = c, u += d;
    v advances by two half steps, then u from the new v."""
    v = v0
    u = b * v0 if u0 is None else u0
    spikes = []
    for k in range(n_steps):
        if v >= 30.0:
            spikes.append(k * dt)
            v, u = c, u + d
        v += 0.5 * dt * (0.04 * v * v + 5 * v + 140 - u + I)
        v += 0.5 * dt * (0.04 * v * v + 5 * v + 140 - u + I)
        u += dt * a * (b * v - u)
    return np.array(spikes)


def hh_spike_times_phi(x0, segments, phi, rtol=1e-8, atol=1e-9, threshold=0.0):
    """As ``hh_spike_times`` (DOP853, event-located upward crossings of ``threshold``), for
    the model with every rate multiplied by the temperature factor ``phi`` (``hh_rhs_phi``)."""

    def crossing(_t, x, _I, _phi):
        return x[0] - threshold

    crossing.direction = 1.0
    spikes = []
    x = np.asarray(x0, dtype=float)
    for t0, t1, I in segments:
        sol = solve_ivp(hh_rhs_phi, (t0, t1), x, method="DOP853", rtol=rtol, atol=atol,
                        events=crossing, args=(I, phi))
        spikes.extend(sol.t_events[0])
        x = sol.y[:, -1]
    return np.array(spikes)
