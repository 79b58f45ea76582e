r"""Hodgkin-Huxley (1952) squid-axon model, in the modern or the 1952 voltage convention.

.. math::

    C \frac{dV}{dt} = I - \bar g_\mathrm{Na} m^3 h (V - E_\mathrm{Na})
                        - \bar g_\mathrm{K} n^4 (V - E_\mathrm{K}) - g_L (V - E_L),
    \qquad \frac{dx}{dt} = \alpha_x(V) (1 - x) - \beta_x(V) x,\; x \in \{m, h, n\}

Units: V in mV, t in ms, C in uF/cm^2, conductances in mS/cm^2, I in uA/cm^2.
Modern convention: rest near -65 mV, E_Na = 50, E_K = -77, E_L = -54.387 mV.
The 1952 convention measures V from rest (all voltages +65 mV: rest 0 mV,
E_Na = 115, E_K = -12, E_L = 10.613 mV). A spike is an upward crossing of
0 mV (modern) or +65 mV (1952).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit

from . import _checks
from .integrate import SimulationResult, package_result, run_with_spike_buffer, sample_times

CONVENTIONS = ("modern", "1952")
#: Offset (mV) added to modern-convention voltages to express them in each convention.
VOLTAGE_SHIFT = {"modern": 0.0, "1952": 65.0}
_MODERN_REVERSALS = {"E_Na": 50.0, "E_K": -77.0, "E_L": -54.387}

METHODS = ("rk4", "euler")
#: Largest dt (ms) each scheme accepts without ``allow_unstable``, found by
#: integrating the 2020 step protocol (up to 100 uA/cm^2) and a 200 uA/cm^2 step.
MAX_DT = {"rk4": 0.05, "euler": 0.04}


_E_2_5 = math.exp(2.5)
_E_1 = math.exp(1.0)
_E_3 = math.exp(3.0)


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _ratio_over_expm1(z, exp_z):
    """z / (exp(z) - 1) given exp(z), with no 0/0 at z = 0 and no overflow.

    Near z = 0 the difference exp(z) - 1 cancels, so a series is used for |z| < 1e-4
    (truncation error below 1e-16 relative); just above that the cancellation
    costs about 1e-11 relative.
    """
    if abs(z) < 1e-4:
        return 1.0 - 0.5 * z + z * z / 12.0
    if exp_z == math.inf:
        return 0.0
    return z / (exp_z - 1.0)


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _rates(V):
    """alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n (1/ms) at modern-convention V (mV).

    All six rates use exponentials of x = V + 65 mV over 10, 18, 20 and 80 mV;
    they are built from a single exp(-x/720) by exact integer powers (72, 40, 36,
    9): one transcendental call instead of six, at a rounding cost of about
    1e-14 relative. Written so that no 0/0 occurs at -40 or -55 mV.
    """
    x = V + 65.0
    e720 = math.exp(-x / 720.0)
    p2 = e720 * e720
    p4 = p2 * p2
    p8 = p4 * p4
    p32 = p8 * p8
    p32 *= p32
    e80 = p8 * e720  # exp(-x/80)
    e20 = p32 * p4  # exp(-x/20)
    e18 = p32 * p8  # exp(-x/18)
    e10 = p32 * p32 * p8  # exp(-x/10)
    alpha_m = _ratio_over_expm1(-(V + 40.0) / 10.0, _E_2_5 * e10)
    beta_m = 4.0 * e18
    alpha_h = 0.07 * e20
    beta_h = 1.0 / (1.0 + _E_3 * e10)
    alpha_n = 0.1 * _ratio_over_expm1(-(V + 55.0) / 10.0, _E_1 * e10)
    beta_n = 0.125 * e80
    return alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _rates_array(V, out):
    for i in range(V.shape[0]):
        out[0, i], out[1, i], out[2, i], out[3, i], out[4, i], out[5, i] = _rates(V[i])


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _derivs(V, m, h, n, I, C, g_Na, g_K, g_L, E_Na, E_K, E_L):
    am, bm, ah, bh, an, bn = _rates(V)
    i_ion = (
        g_Na * m * m * m * h * (V - E_Na)
        + g_K * n * n * n * n * (V - E_K)
        + g_L * (V - E_L)
    )
    return (
        (I - i_ion) / C,
        am * (1.0 - m) - bm * m,
        ah * (1.0 - h) - bh * h,
        an * (1.0 - n) - bn * n,
    )


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _hermite_crossing(y0, y1, slope0, slope1, level):
    """Fraction s in [0, 1] of a step where the cubic Hermite interpolant through
    (y0, slope0) and (y1, slope1) (slopes per whole step) reaches ``level``.

    Newton from the linear guess; the cubic matches the solution to O(dt^4), so
    spike times keep the integrator's accuracy instead of the O(dt^2) of a chord.
    """
    s = (level - y0) / (y1 - y0)
    for _ in range(8):
        s2 = s * s
        s3 = s2 * s
        p = (
            (2.0 * s3 - 3.0 * s2 + 1.0) * y0
            + (s3 - 2.0 * s2 + s) * slope0
            + (-2.0 * s3 + 3.0 * s2) * y1
            + (s3 - s2) * slope1
        )
        dp = (
            (6.0 * s2 - 6.0 * s) * y0
            + (3.0 * s2 - 4.0 * s + 1.0) * slope0
            + (-6.0 * s2 + 6.0 * s) * y1
            + (3.0 * s2 - 2.0 * s) * slope1
        )
        if dp <= 0.0:
            break
        s_new = min(max(s - (p - level) / dp, 0.0), 1.0)
        if abs(s_new - s) < 1e-13:
            s = s_new
            break
        s = s_new
    return s


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _hh_kernel(I, gain, dt, p, x0, shift, threshold, use_rk4, traces, spikes, counts, record):
    """Integrate a batch. ``p`` = (C, g_Na, g_K, g_L, E_Na, E_K, E_L) in the modern frame;
    ``x0`` (4, batch) modern-frame initial V, m, h, n; traces are written shifted."""
    C, g_Na, g_K, g_L, E_Na, E_K, E_L = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    batch = gain.shape[0]
    n_t = I.shape[1]
    shared = I.shape[0] == 1
    capacity = spikes.shape[1]
    thr = threshold - shift
    for j in range(batch):
        V, m, h, n = x0[0, j], x0[1, j], x0[2, j], x0[3, j]
        count = 0
        if record:
            traces[0, j, 0] = V + shift
            traces[1, j, 0] = m
            traces[2, j, 0] = h
            traces[3, j, 0] = n
        for k in range(n_t - 1):
            Ik = gain[j] * I[0 if shared else j, k]
            V_old = V
            dV1, dm1, dh1, dn1 = _derivs(V, m, h, n, Ik, C, g_Na, g_K, g_L, E_Na, E_K, E_L)
            if use_rk4:
                hh = 0.5 * dt
                dV2, dm2, dh2, dn2 = _derivs(
                    V + hh * dV1, m + hh * dm1, h + hh * dh1, n + hh * dn1,
                    Ik, C, g_Na, g_K, g_L, E_Na, E_K, E_L,
                )
                dV3, dm3, dh3, dn3 = _derivs(
                    V + hh * dV2, m + hh * dm2, h + hh * dh2, n + hh * dn2,
                    Ik, C, g_Na, g_K, g_L, E_Na, E_K, E_L,
                )
                dV4, dm4, dh4, dn4 = _derivs(
                    V + dt * dV3, m + dt * dm3, h + dt * dh3, n + dt * dn3,
                    Ik, C, g_Na, g_K, g_L, E_Na, E_K, E_L,
                )
                w = dt / 6.0
                V += w * (dV1 + 2.0 * dV2 + 2.0 * dV3 + dV4)
                m += w * (dm1 + 2.0 * dm2 + 2.0 * dm3 + dm4)
                h += w * (dh1 + 2.0 * dh2 + 2.0 * dh3 + dh4)
                n += w * (dn1 + 2.0 * dn2 + 2.0 * dn3 + dn4)
            else:
                V += dt * dV1
                m += dt * dm1
                h += dt * dh1
                n += dt * dn1
            if V_old < thr <= V:
                if count < capacity:
                    dV_end = _derivs(V, m, h, n, Ik, C, g_Na, g_K, g_L, E_Na, E_K, E_L)[0]
                    frac = _hermite_crossing(V_old, V, dV1 * dt, dV_end * dt, thr)
                    spikes[j, count] = (k + frac) * dt
                count += 1
            if record:
                traces[0, j, k + 1] = V + shift
                traces[1, j, k + 1] = m
                traces[2, j, k + 1] = h
                traces[3, j, k + 1] = n
        counts[j] = count


def gate_rates(V, convention: str = "modern") -> dict[str, np.ndarray]:
    """Opening (alpha) and closing (beta) rates of the gates m, h, n.

    Parameters
    ----------
    V : array_like
        Membrane potential, mV, in the given convention.
    convention : {"modern", "1952"}

    Returns
    -------
    dict
        ``alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n`` in 1/ms, shaped like V.
        Written with a safe form of x/(exp(x)-1): no 0/0 at -40 or -55 mV.
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; choose one of {', '.join(CONVENTIONS)}")
    V = np.asarray(V, dtype=np.float64)
    flat = np.ascontiguousarray(V.ravel()) - VOLTAGE_SHIFT[convention]
    out = np.empty((6, flat.size))
    _rates_array(flat, out)
    names = ("alpha_m", "beta_m", "alpha_h", "beta_h", "alpha_n", "beta_n")
    return {name: out[i].reshape(V.shape) for i, name in enumerate(names)}


def steady_state_gates(V, convention: str = "modern") -> dict[str, np.ndarray]:
    """Steady-state gate values x_inf = alpha/(alpha+beta) and time constants (ms) at V (mV)."""
    r = gate_rates(V, convention)
    out = {}
    for g in ("m", "h", "n"):
        total = r[f"alpha_{g}"] + r[f"beta_{g}"]
        out[f"{g}_inf"] = r[f"alpha_{g}"] / total
        out[f"tau_{g}"] = 1.0 / total
    return out


@dataclass(frozen=True)
class HodgkinHuxley:
    """Hodgkin-Huxley neuron (immutable).

    Parameters
    ----------
    convention : {"modern", "1952"}
        Voltage frame of every voltage in and out (default "modern", rest near -65 mV;
        "1952": V measured from rest, rest 0 mV).
    C : float
        Membrane capacitance, uF/cm^2.
    g_Na, g_K, g_L : float
        Maximal conductances, mS/cm^2 (120, 36, 0.3).
    E_Na, E_K, E_L : float, optional
        Reversal potentials, mV, in the chosen convention; default the standard
        values (modern 50, -77, -54.387; 1952 115, -12, 10.613).
    """

    convention: str = "modern"
    C: float = 1.0
    g_Na: float = 120.0
    g_K: float = 36.0
    g_L: float = 0.3
    E_Na: float | None = None
    E_K: float | None = None
    E_L: float | None = None

    def __post_init__(self) -> None:
        if self.convention not in CONVENTIONS:
            raise ValueError(
                f"unknown convention {self.convention!r}; choose one of {', '.join(CONVENTIONS)}"
            )
        _checks.positive("C", self.C)
        for name in ("g_Na", "g_K", "g_L"):
            _checks.non_negative(name, getattr(self, name))
        for name, modern in _MODERN_REVERSALS.items():
            value = getattr(self, name)
            if value is None:
                value = modern + self.shift
            object.__setattr__(self, name, _checks.finite(name, value))

    @property
    def shift(self) -> float:
        """Offset of this convention's voltages from the modern frame, mV."""
        return VOLTAGE_SHIFT[self.convention]

    @property
    def spike_threshold(self) -> float:
        """Voltage whose upward crossing counts as a spike, mV (0 modern, 65 in 1952)."""
        return 0.0 + self.shift

    def _modern_params(self) -> np.ndarray:
        s = self.shift
        return np.array(
            [self.C, self.g_Na, self.g_K, self.g_L, self.E_Na - s, self.E_K - s, self.E_L - s]
        )

    def resting_state(self, I: float = 0.0) -> dict[str, float]:
        """Steady state for a constant current (uA/cm^2), found by bisection.

        Returns
        -------
        dict
            ``V`` (mV, this convention), ``m``, ``h``, ``n``. Raises ``ValueError`` if
            the steady state is not unique in [-100, 50] mV (modern frame).
        """
        V = _steady_voltage(tuple(self._modern_params()), float(I))
        gates = steady_state_gates(V)
        return {
            "V": V + self.shift,
            "m": float(gates["m_inf"]),
            "h": float(gates["h_inf"]),
            "n": float(gates["n_inf"]),
        }

    def steady_state_eigenvalues(self, I: float = 0.0) -> np.ndarray:
        """Eigenvalues (1/ms) of the linearised model at the steady state for current I.

        The Jacobian of (V, m, h, n) is taken by central differences (step 1e-6);
        the steady state is stable when every real part is negative.
        """
        rest = self.resting_state(I)
        x0 = np.array([rest["V"] - self.shift, rest["m"], rest["h"], rest["n"]])
        p = self._modern_params()
        jac = np.empty((4, 4))
        step = 1e-6
        for col in range(4):
            up, down = x0.copy(), x0.copy()
            up[col] += step
            down[col] -= step
            jac[:, col] = (
                np.array(_derivs(*up, float(I), *p)) - np.array(_derivs(*down, float(I), *p))
            ) / (2 * step)
        return np.linalg.eigvals(jac)

    def hopf_currents(self, I_max: float = 200.0, resolution: float = 1e-6) -> list[float]:
        """Currents (uA/cm^2) in [0, I_max] where the steady state changes stability.

        Scans I in steps of 0.5, then bisects each sign change of the largest real
        part of :meth:`steady_state_eigenvalues` down to ``resolution``.
        """
        def growth(I: float) -> float:
            return float(np.max(self.steady_state_eigenvalues(I).real))

        grid = np.arange(0.0, I_max + 0.5, 0.5)
        signs = np.sign([growth(I) for I in grid])
        found = []
        for k in np.nonzero(np.diff(signs) != 0)[0]:
            lo, hi = grid[k], grid[k + 1]
            s_lo = signs[k]
            while hi - lo > resolution:
                mid = 0.5 * (lo + hi)
                if np.sign(growth(mid)) == s_lo:
                    lo = mid
                else:
                    hi = mid
            found.append(0.5 * (lo + hi))
        return found

    def simulate(
        self,
        I,
        dt: float,
        method: str = "rk4",
        V0=None,
        m0=None,
        h0=None,
        n0=None,
        record: bool = True,
        allow_unstable: bool = False,
        gain=None,
    ) -> SimulationResult:
        """Integrate the model driven by a sampled current.

        Parameters
        ----------
        I : array_like, shape (n,) or (batch, n)
            Injected current density, uA/cm^2; sample ``k`` holds on ``[t_k, t_k + dt)``.
        dt : float
            Time step, ms (RK4 is accurate to about 1e-4 ms in spike time at 0.01 ms).
        method : {"rk4", "euler"}
            Classical Runge-Kutta (default) or forward Euler.
        V0, m0, h0, n0 : float or array of shape (batch,), optional
            Initial state (V in this convention's mV). Defaults: the resting
            steady state at I = 0; a gate left out while V0 is given starts at
            its steady state at V0.
        record : bool
            Keep the traces (default); with False only spike times are kept.
        allow_unstable : bool
            Allow a dt beyond the scheme's limit (``MAX_DT``).
        gain : array_like of shape (batch,), optional
            Run ``len(gain)`` neurons at once, neuron ``b`` driven by ``gain[b] * I``
            (``I`` 1-D): a batch of scaled copies of one waveform without building
            a (batch, n) array. Results equal those of the explicit batch.

        Returns
        -------
        SimulationResult
            ``V`` (mV), ``state["m"], state["h"], state["n"]``, spike times (ms):
            upward crossings of ``spike_threshold``, located on the cubic Hermite
            interpolant of V (values and slopes at both ends of the step).
        """
        _checks.method_name(method, METHODS)
        dt = _checks.time_step(
            dt,
            MAX_DT[method],
            "Hodgkin-Huxley " + method,
            "the fast sodium and membrane dynamics during the spike are then "
            "outside the scheme's stability region",
            allow_unstable,
        )
        I2, gains, was_1d = _checks.drive(I, gain)
        batch, n_t = gains.size, I2.shape[1]
        if V0 is None:
            rest = self.resting_state()
            V_start = np.full(batch, rest["V"])
        else:
            V_start = _checks.initial_value("V0", V0, batch)
        gates = steady_state_gates(V_start, self.convention)
        x0 = np.empty((4, batch))
        x0[0] = V_start - self.shift
        for row, (name, given) in enumerate((("m", m0), ("h", h0), ("n", n0)), start=1):
            x0[row] = gates[f"{name}_inf"] if given is None else _checks.initial_value(
                f"{name}0", given, batch
            )
        params = self._modern_params()

        def call(traces, spikes, counts, rec):
            _hh_kernel(
                I2, gains, dt, params, x0, self.shift, self.spike_threshold, method == "rk4",
                traces, spikes, counts, rec,
            )

        traces, spikes, counts = run_with_spike_buffer(call, batch, n_t, 4, record)
        return package_result(
            sample_times(n_t, dt), traces, spikes, counts, ("m", "h", "n"), was_1d
        )


@lru_cache(maxsize=64)
def _steady_voltage(params: tuple[float, ...], I: float) -> float:
    """Modern-frame V (mV) where the steady-state ionic current equals I, by bisection."""
    _, g_Na, g_K, g_L, E_Na, E_K, E_L = params

    def net(V):
        x = steady_state_gates(V)
        i_ion = (
            g_Na * x["m_inf"] ** 3 * x["h_inf"] * (V - E_Na)
            + g_K * x["n_inf"] ** 4 * (V - E_K)
            + g_L * (V - E_L)
        )
        return i_ion - I

    grid = np.linspace(-100.0, 50.0, 301)
    values = net(grid)
    sign_changes = np.nonzero(np.diff(np.sign(values)) != 0)[0]
    if len(sign_changes) != 1:
        raise ValueError(
            f"no unique steady state for I = {I:g} uA/cm^2 between -100 and 50 mV"
        )
    lo, hi = float(grid[sign_changes[0]]), float(grid[sign_changes[0] + 1])
    lo_positive = bool(values[sign_changes[0]] > 0)
    while hi - lo > 1e-12:
        mid = 0.5 * (lo + hi)
        if (float(net(mid)) > 0) == lo_positive:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
