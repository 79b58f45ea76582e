r"""Izhikevich (2003) simple spiking neuron.

.. math::

    \frac{dv}{dt} = 0.04 v^2 + 5 v + 140 - u + I, \qquad
    \frac{du}{dt} = a (b v - u)

When ``v >= v_peak`` (30 mV): spike, ``v <- c``, ``u <- u + d``. v in mV, t in
ms, u and I in the model's own units (mV/ms), as in Izhikevich (2003),
IEEE Trans. Neural Netw. 14:1569.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from . import _checks
from .integrate import SimulationResult, package_result, run_with_spike_buffer, sample_times

#: (a, b, c, d) of the seven cell classes of Izhikevich (2003), Fig. 2.
PRESETS: dict[str, tuple[float, float, float, float]] = {
    "RS": (0.02, 0.2, -65.0, 8.0),  # regular spiking
    "IB": (0.02, 0.2, -55.0, 4.0),  # intrinsically bursting
    "CH": (0.02, 0.2, -50.0, 2.0),  # chattering
    "FS": (0.1, 0.2, -65.0, 2.0),  # fast spiking
    "LTS": (0.02, 0.25, -65.0, 2.0),  # low-threshold spiking
    "TC": (0.02, 0.25, -65.0, 0.05),  # thalamo-cortical
    "RZ": (0.1, 0.26, -65.0, 2.0),  # resonator
}

METHODS = ("rk4", "euler", "izhikevich2003")
_SCHEME = {"rk4": 0, "euler": 1, "izhikevich2003": 2}
#: Largest dt (ms) each scheme accepts without ``allow_unstable``.
MAX_DT = {"rk4": 0.25, "euler": 1.0, "izhikevich2003": 1.0}

_NEWTON_STEPS = 20


@njit(cache=True)
def _dv(v, u, I):
    return 0.04 * v * v + 5.0 * v + 140.0 - u + I


@njit(cache=True)
def _rk4(v, u, I, a, b, h):
    kv1 = _dv(v, u, I)
    ku1 = a * (b * v - u)
    v2 = v + 0.5 * h * kv1
    u2 = u + 0.5 * h * ku1
    kv2 = _dv(v2, u2, I)
    ku2 = a * (b * v2 - u2)
    v3 = v + 0.5 * h * kv2
    u3 = u + 0.5 * h * ku2
    kv3 = _dv(v3, u3, I)
    ku3 = a * (b * v3 - u3)
    v4 = v + h * kv3
    u4 = u + h * ku3
    kv4 = _dv(v4, u4, I)
    ku4 = a * (b * v4 - u4)
    return (
        v + h / 6.0 * (kv1 + 2.0 * kv2 + 2.0 * kv3 + kv4),
        u + h / 6.0 * (ku1 + 2.0 * ku2 + 2.0 * ku3 + ku4),
    )


@njit(cache=True)
def _izh_kernel(I, gain, dt, a, b, c, d, v_peak, v0, u0, scheme, traces, spikes, counts, record):
    batch = gain.shape[0]
    n = I.shape[1]
    shared = I.shape[0] == 1
    capacity = spikes.shape[1]
    for j in range(batch):
        v = v0[j]
        u = u0[j]
        count = 0
        if record:
            traces[0, j, 0] = v
            traces[1, j, 0] = u
        for k in range(n - 1):
            Ik = gain[j] * I[0 if shared else j, k]
            if scheme == 0:
                left = dt
                while left > 0.0:
                    if v >= v_peak:
                        s = 0.0
                        u_hit = u
                    else:
                        v_end, u_end = _rk4(v, u, Ik, a, b, left)
                        if v_end < v_peak:
                            v = v_end
                            u = u_end
                            break
                        # Newton on the sub-step length s: v(s) = v_peak, dv/ds = f(v(s), u(s))
                        s = left * (v_peak - v) / (v_end - v)
                        u_hit = u
                        for _ in range(_NEWTON_STEPS):
                            v_s, u_hit = _rk4(v, u, Ik, a, b, s)
                            step = (v_s - v_peak) / _dv(v_s, u_hit, Ik)
                            s_new = min(max(s - step, 0.0), left)
                            if abs(s_new - s) <= 1e-14 * dt:
                                s = s_new
                                break
                            s = s_new
                        v_s, u_hit = _rk4(v, u, Ik, a, b, s)
                    if count < capacity:
                        spikes[j, count] = k * dt + (dt - left) + s
                    count += 1
                    v = c
                    u = u_hit + d
                    left -= s
            else:
                if scheme == 1:
                    v_new = v + dt * _dv(v, u, Ik)
                    u = u + dt * a * (b * v - u)
                    v = v_new
                else:
                    v = v + 0.5 * dt * _dv(v, u, Ik)
                    v = v + 0.5 * dt * _dv(v, u, Ik)
                    u = u + dt * a * (b * v - u)
                if v >= v_peak:
                    if count < capacity:
                        spikes[j, count] = (k + 1) * dt
                    count += 1
                    v = c
                    u = u + d
            if record:
                traces[0, j, k + 1] = v
                traces[1, j, k + 1] = u
        counts[j] = count


def _real_if_real(z) -> float | complex:
    """A float for a real eigenvalue, a complex for a complex one."""
    z = complex(z)
    return z.real if z.imag == 0 else z


@dataclass(frozen=True)
class Izhikevich:
    """Izhikevich (2003) neuron (immutable).

    Parameters
    ----------
    a : float
        Rate of the recovery variable u, 1/ms (> 0); 1/a is its time constant.
    b : float
        Sensitivity of u to the subthreshold v (dimensionless).
    c : float
        Reset value of v after a spike, mV.
    d : float
        Increment of u after a spike (model units).
    v_peak : float
        Spike cut-off, mV (default 30).

    Examples
    --------
    >>> rs = Izhikevich.preset("RS")   # a, b, c, d = 0.02, 0.2, -65, 8
    """

    a: float = 0.02
    b: float = 0.2
    c: float = -65.0
    d: float = 8.0
    v_peak: float = 30.0

    def __post_init__(self) -> None:
        _checks.positive("a", self.a)
        for name in ("b", "c", "d", "v_peak"):
            _checks.finite(name, getattr(self, name))
        if self.c >= self.v_peak:
            raise ValueError(f"c ({self.c:g} mV) must be below v_peak ({self.v_peak:g} mV)")

    @classmethod
    def preset(cls, name: str) -> Izhikevich:
        """Neuron of a named cell class of Izhikevich (2003), Fig. 2.

        Parameters
        ----------
        name : {"RS", "IB", "CH", "FS", "LTS", "TC", "RZ"}
            Case-insensitive.
        """
        key = str(name).upper()
        if key not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
        return cls(*PRESETS[key])

    def nullclines(self, v, I: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """u on the v-nullcline (dv/dt = 0) and on the u-nullcline (du/dt = 0) at ``v`` (mV).

        v-nullcline: ``u = 0.04 v^2 + 5 v + 140 + I``; u-nullcline: ``u = b v``.
        """
        v = np.asarray(v, dtype=np.float64)
        return 0.04 * v * v + 5.0 * v + 140.0 + I, self.b * v

    def fixed_points(self, I: float = 0.0) -> list[dict[str, float]]:
        """Equilibria for a constant input ``I`` and their linear stability.

        Returns
        -------
        list of dict
            One per equilibrium, lowest v first: ``v`` (mV), ``u``, the two
            eigenvalues of the Jacobian (1/ms, real parts ``lambda_slow`` and
            ``lambda_fast`` or complex) and ``stable`` (both real parts < 0).
            Empty when I is above the saddle-node current ``(5 - b)^2 / 0.16 - 140``.
        """
        disc = (5.0 - self.b) ** 2 - 0.16 * (140.0 + I)
        if disc < 0:
            return []
        roots = sorted({(-(5.0 - self.b) - np.sqrt(disc)) / 0.08, (-(5.0 - self.b) + np.sqrt(disc)) / 0.08})
        out = []
        for v in roots:
            jac = np.array([[0.08 * v + 5.0, -1.0], [self.a * self.b, -self.a]])
            eig = np.linalg.eigvals(jac)
            eig = eig[np.argsort(np.abs(eig))]
            out.append({
                "v": float(v),
                "u": float(self.b * v),
                "lambda_slow": _real_if_real(eig[0]),
                "lambda_fast": _real_if_real(eig[1]),
                "stable": bool(np.all(eig.real < 0)),
            })
        return out

    @property
    def saddle_node_current(self) -> float:
        """Input at which the resting state disappears, ``(5 - b)^2 / 0.16 - 140``."""
        return (5.0 - self.b) ** 2 / 0.16 - 140.0

    @property
    def hopf_current(self) -> float | None:
        """Input of the Andronov-Hopf bifurcation of the resting state, or None.

        At an equilibrium ``v*`` the Jacobian is ``[[0.08 v* + 5, -1], [a b, -a]]``.
        With ``D = (5 - b)^2 - 0.16 (140 + I)`` the equilibria are
        ``v* = (-(5 - b) -+ sqrt(D)) / 0.08``, where ``0.08 v* + 5 = b -+ sqrt(D)``, so
        ``trace = b - a -+ sqrt(D)`` and ``det = +-a sqrt(D)``. The trace vanishes with
        ``det > 0`` (a pair of imaginary eigenvalues) when ``sqrt(D) = |b - a|`` and
        ``a (b - a) > 0``, i.e. at

        ``I_H = ((5 - b)^2 - (b - a)^2) / 0.16 - 140``,

        below the saddle-node current ``(5 - b)^2 / 0.16 - 140``. For ``a > 0`` and
        ``b > a`` (RS, IB, CH, FS, LTS, TC, RZ) the lower equilibrium, the rest, is a
        stable focus below ``I_H`` and an unstable one above it. For ``a < 0`` and
        ``b < a`` the upper equilibrium is the rest, stable only *above* ``I_H``
        (inhibition-induced spiking). Otherwise (``a (b - a) <= 0``) the rest is lost
        at the saddle-node only and this is None.
        """
        if self.a * (self.b - self.a) <= 0.0:
            return None
        return ((5.0 - self.b) ** 2 - (self.b - self.a) ** 2) / 0.16 - 140.0

    def bifurcations(self) -> dict[str, float | str | None]:
        """Where the resting state of the constant-input system changes, as a summary.

        Returns
        -------
        dict
            ``"saddle_node"``: current at which rest and saddle merge and vanish
            (model units). ``"hopf"``: Andronov-Hopf current (see
            :attr:`hopf_current`) or None. ``"hopf_v"``: v at the Hopf point, mV.
            ``"hopf_frequency"``: frequency of the linear oscillation there,
            ``sqrt(|a (b - a)|) / (2 pi)`` in Hz. ``"rest_lost_by"``:
            ``"Andronov-Hopf"`` or ``"saddle-node"``, the bifurcation at which a stable
            rest stops existing as I is swept towards the saddle-node current.
            ``"rest_lost_at"``: its current.
        """
        hopf = self.hopf_current
        sn = self.saddle_node_current
        out: dict[str, float | str | None] = {
            "saddle_node": sn, "hopf": hopf, "hopf_v": None, "hopf_frequency": None,
            "rest_lost_by": "saddle-node", "rest_lost_at": sn,
        }
        if hopf is not None:
            root = abs(self.b - self.a) if self.a > 0 else -abs(self.b - self.a)
            out["hopf_v"] = (-(5.0 - self.b) - root) / 0.08
            out["hopf_frequency"] = 1000.0 * math.sqrt(abs(self.a * (self.b - self.a))) / (2.0 * math.pi)
            out["rest_lost_by"] = "Andronov-Hopf"
            out["rest_lost_at"] = hopf
        return out

    def simulate(
        self,
        I,
        dt: float,
        method: str = "rk4",
        v0: float | np.ndarray = -65.0,
        u0: float | np.ndarray | None = None,
        record: bool = True,
        allow_unstable: bool = False,
        gain=None,
    ) -> SimulationResult:
        """Integrate the neuron driven by a sampled current.

        Parameters
        ----------
        I : array_like, shape (n,) or (batch, n)
            Input, model units; sample ``k`` holds on ``[t_k, t_k + dt)``.
        dt : float
            Time step, ms.
        method : {"rk4", "euler", "izhikevich2003"}
            ``"rk4"`` (default): classical Runge-Kutta, the crossing of ``v_peak``
            found inside the step by Newton iteration, the reset applied there
            and the rest of the step integrated (spike times converge at 4th order).
            ``"euler"``: forward Euler for v and u from the old state (the 2020
            scheme). ``"izhikevich2003"``: the published scheme, two half steps
            for v, then u from the new v. Both explicit schemes put spikes on the grid.
        v0 : float or array of shape (batch,)
            Initial v, mV (default -65).
        u0 : float or array of shape (batch,), optional
            Initial u; default ``b * v0`` as in the 2003 paper.
        record : bool
            Keep the traces (default); with False only spikes and final state.
        allow_unstable : bool
            Allow a dt beyond the scheme's limit (``MAX_DT``).
        gain : array_like of shape (batch,), optional
            Run ``len(gain)`` neurons at once, neuron ``b`` driven by ``gain[b] * I``
            (``I`` 1-D): a batch of scaled copies of one waveform without building
            a (batch, n) array. Results equal those of the explicit batch.

        Returns
        -------
        SimulationResult
            ``V`` = v (mV), ``state["u"]``, spike times (ms).
        """
        _checks.method_name(method, METHODS)
        dt = _checks.time_step(
            dt,
            MAX_DT[method],
            method,
            "the quadratic v equation blows up between samples and the fast "
            "recovery after a reset is no longer resolved",
            allow_unstable,
        )
        I2, gains, was_1d = _checks.drive(I, gain)
        batch, n = gains.size, I2.shape[1]
        v_start = _checks.initial_value("v0", v0, batch)
        u_start = _checks.initial_value("u0", self.b * v_start if u0 is None else u0, batch)

        def call(traces, spikes, counts, rec):
            _izh_kernel(
                I2, gains, dt, float(self.a), float(self.b), float(self.c), float(self.d),
                float(self.v_peak), v_start, u_start, _SCHEME[method],
                traces, spikes, counts, rec,
            )

        traces, spikes, counts = run_with_spike_buffer(call, batch, n, 2, record)
        return package_result(sample_times(n, dt), traces, spikes, counts, ("u",), was_1d)
