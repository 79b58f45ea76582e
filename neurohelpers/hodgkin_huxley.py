r"""Hodgkin-Huxley squid-axon model (Hodgkin & Huxley 1952), in two voltage frames.

.. math::

    C \frac{dV}{dt} = I - \bar g_\mathrm{Na} m^3 h (V - E_\mathrm{Na})
                        - \bar g_\mathrm{K} n^4 (V - E_\mathrm{K}) - g_L (V - E_L),
    \qquad \frac{dx}{dt} = \phi\,[\alpha_x(V) (1 - x) - \beta_x(V) x],\; x \in \{m, h, n\}

Units: V in mV, t in ms, C in uF/cm^2, conductances in mS/cm^2, I in uA/cm^2.
The temperature factor is :math:`\phi = 3^{(T - 6.3)/10}` (Q10 = 3, as in
Hodgkin & Huxley 1952; :math:`\phi = 1` at the default 6.3 degC).

Three voltage frames are in use for this model:

* **1952 original** (Hodgkin & Huxley 1952): V is the displacement from rest
  with depolarisation *negative*: E_Na = -115, E_K = +12, E_L = -10.613 mV.
  Not offered here (its currents and spikes would have the opposite sign too).
* **rest-at-0, sign-flipped** (``convention="rest0"``): the later textbook
  form of the 1952 frame, depolarisation positive and rest at 0 mV:
  E_Na = +115, E_K = -12, E_L = +10.613 mV. Every voltage is the modern one
  plus 65 mV. The old name ``convention="1952"`` still selects this frame but
  is deprecated, because the 1952 paper used the opposite sign.
* **modern** (``convention="modern"``, default): rest near -65 mV,
  E_Na = 50, E_K = -77, E_L = -54.387 mV (Dayan & Abbott 2001, ch. 5).

A spike is an upward crossing of 0 mV (modern) or +65 mV (rest0).

Integration (``simulate``): classical RK4 by default; a step where dt times the
fastest decay rate (a gate's alpha + beta, or g_total / C) would leave RK4's
stability region, as in deep hyperpolarisation, is taken by an exponential
midpoint step instead (each gate relaxes exactly towards x_inf, V towards the
reversal potential of the frozen conductances; second order, stable at any dt).
A state that leaves the valid range stops the run with a ``ValueError``.

Batches run with the time loop outside and the neurons inside, a loop the compiler
vectorises (``_hh_kernel``); one or two neurons run neuron by neuron
(``_hh_rows_kernel``). Both go through the same per-neuron functions, compiled
without fast-math flags so that no multiply-add is fused differently in either
loop: a batch equals its rows run alone bit for bit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from . import _checks
from .integrate import (
    NOT_FINITE,
    UNSTABLE,
    Drive,
    SimulationResult,
    fail,
    prepare_drive,
    push_spike,
    run_kernel,
)

CONVENTIONS = ("modern", "rest0")
#: Deprecated convention names and the name to use instead.
DEPRECATED_CONVENTIONS = {"1952": "rest0"}
#: Offset (mV) added to modern-frame voltages to express them in each convention.
VOLTAGE_SHIFT = {"modern": 0.0, "rest0": 65.0}
_MODERN_REVERSALS = {"E_Na": 50.0, "E_K": -77.0, "E_L": -54.387}

#: Temperature (degC) at which the rate functions hold unscaled, and their Q10.
REFERENCE_TEMPERATURE = 6.3
Q10 = 3.0

METHODS = ("rk4", "exponential", "euler")
#: Largest dt (ms) each scheme accepts without ``allow_unstable``, found by
#: integrating the 2020 step protocol (up to 100 uA/cm^2) and a 200 uA/cm^2 step.
#: The exponential scheme is stable at any dt but only second order: on the
#: 500 ms protocol its spike times are 0.015 ms off at dt 0.01 and 0.06 ms at 0.02
#: (RK4: 2e-7 and 4e-6 ms; against Radau).
MAX_DT = {"rk4": 0.05, "exponential": 0.02, "euler": 0.04}
_SCHEME_CODE = {"euler": 0, "rk4": 1, "exponential": 2}
_PLAIN_RK4 = 3  # RK4 without the stiff fallback; only for tests and measurements

#: A default-method step uses RK4 while dt times every gate rate alpha + beta and
#: the membrane rate g_total / C stays at or below this; beyond it (RK4 is stable
#: on the negative real axis up to 2.785) the step is an exponential-midpoint step.
#: Measured: spiking on the 2020 protocol reaches at most 37.6 /ms (1.88 at dt
#: 0.05 ms), so spikes stay on RK4; the limit is passed below about -139 mV at dt
#: 0.01 ms and -110 mV at 0.05 ms (beta_m), where plain RK4 turned into NaN.
RK4_STIFFNESS_LIMIT = 2.5
#: Modern-frame voltage range (mV) a run may visit. The rate functions were fitted
#: between about -100 and +50 mV; beyond +-2000 mV a run is meaningless (and the
#: exponentials overflow near -7000 mV), so it stops with a ValueError.
V_RANGE = (-2000.0, 2000.0)
_GATE_SLACK = 0.05  # an RK4 step whose gates leave [-0.05, 1.05] is redone exponentially

#: Largest change of V (mV) the injected current alone may cause in one step,
#: max|I| dt / C; beyond it the first fast transient is not resolved (measured
#: against Radau over the first 5 ms of a step: at 20 mV per step the error in V is
#: at most 0.45 mV (+400 uA/cm^2, dt 0.05 ms); +1e4 uA/cm^2 at dt 0.05 ms, 500 mV
#: per step, is up to 65 mV off during the upstroke).
MAX_DV_PER_STEP = 20.0
_V_OUT_OF_RANGE = 20  # kernel status code (the shared codes are in integrate.py)
#: Batches up to this size run neuron by neuron (``_hh_rows_kernel``, the same bits):
#: for them the vectorised loop's set-up per time step costs more than it saves.
ROWS_KERNEL_MAX_BATCH = 2

_E_2_5 = math.exp(2.5)
_E_1 = math.exp(1.0)
_E_3 = math.exp(3.0)
#: Below this |z| the series of z / (exp(z) - 1) is used (truncation < 1e-18).
_SERIES_BELOW = 0.1


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's fma): the multiply-adds are written out, the same
    in every loop, where a compiler allowed to fuse would choose by context."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fma = builder.module.declare_intrinsic("llvm.fma", [double], ir.FunctionType(double, [double] * 3))
        return builder.call(fma, [context.cast(builder, arg, ty, types.float64)
                                  for arg, ty in zip(args, signature.args, strict=True)])

    return sig, codegen


def _brentq():
    """scipy.optimize.brentq, imported on first use: importing scipy.optimize costs about
    0.6 s, which processes that never ask for a resting state or a Hopf point skip."""
    from scipy.optimize import brentq

    return brentq


@njit(cache=True, error_model="numpy", inline="always")
def _ratio_over_expm1(z, exp_z):
    """z / (exp(z) - 1) given exp(z), with no 0/0 at z = 0 and no overflow.

    ``exp_z`` comes from integer powers of one exponential and carries a relative
    error of about 1e-14; ``exp_z - 1`` would magnify it by 1/|z| near z = 0. For
    |z| < 0.1 the Bernoulli series z/(e^z - 1) = 1 - z/2 + z^2/12 - z^4/720
    + z^6/30240 - z^8/1209600 is used instead (truncation below 1e-18 relative),
    so the result is accurate to about 1e-13 relative everywhere.
    """
    # both branches computed and one selected, so a loop over neurons has no branch here
    z2 = z * z
    series = 1.0 - 0.5 * z + z2 * (
        1.0 / 12.0 - z2 * (1.0 / 720.0 - z2 * (1.0 / 30240.0 - z2 * (1.0 / 1209600.0)))
    )
    direct = z / (exp_z - 1.0)
    direct = 0.0 if exp_z == math.inf else direct
    return series if abs(z) < _SERIES_BELOW else direct


@njit(cache=True, error_model="numpy", inline="always")
def _rates(V):
    r"""alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n (1/ms) at modern-frame V (mV), at 6.3 degC.

    The textbook rates (Dayan & Abbott 2001, ch. 5), with x = V + 65 mV:

    .. math::

        \alpha_m = \frac{0.1 (V + 40)}{1 - e^{-(V + 40)/10}}, \quad
        \beta_m = 4 e^{-x/18}, \quad
        \alpha_h = 0.07 e^{-x/20}, \quad
        \beta_h = \frac{1}{1 + e^{-(V + 35)/10}},

        \alpha_n = \frac{0.01 (V + 55)}{1 - e^{-(V + 55)/10}}, \quad
        \beta_n = 0.125 e^{-x/80}.

    Every exponential above is a power of e1 = exp(-x/720): exp(-x/80) = e1^9,
    exp(-x/20) = e1^36, exp(-x/18) = e1^40, exp(-x/10) = e1^72, and
    exp(-(V+40)/10) = e^{2.5} exp(-x/10), exp(-(V+35)/10) = e^3 exp(-x/10),
    exp(-(V+55)/10) = e^1 exp(-x/10). One transcendental call instead of six; the
    powers cost about 1e-14 relative. 0.1 (V+40)/(1 - e^{-(V+40)/10}) is written
    as z/(e^z - 1) with z = -(V+40)/10 (same for alpha_n), so -40 and -55 mV
    are no 0/0.
    """
    x = V + 65.0
    e1 = math.exp(x * (-1.0 / 720.0))
    e2 = e1 * e1
    e4 = e2 * e2
    e8 = e4 * e4
    e16 = e8 * e8
    e32 = e16 * e16
    e_x80 = e8 * e1  # exp(-x/80) = e1^9
    e_x20 = e32 * e4  # exp(-x/20) = e1^36
    e_x18 = e32 * e8  # exp(-x/18) = e1^40
    e_x10 = e32 * e32 * e8  # exp(-x/10) = e1^72
    alpha_m = _ratio_over_expm1((V + 40.0) * -0.1, _E_2_5 * e_x10)
    beta_m = 4.0 * e_x18
    alpha_h = 0.07 * e_x20
    beta_h = 1.0 / (1.0 + _E_3 * e_x10)
    alpha_n = 0.1 * _ratio_over_expm1((V + 55.0) * -0.1, _E_1 * e_x10)
    beta_n = 0.125 * e_x80
    return alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n


@njit(cache=True, error_model="numpy")
def _rates_array(V, phi, out):
    for i in range(V.shape[0]):
        am, bm, ah, bh, an, bn = _rates(V[i])
        out[0, i], out[1, i], out[2, i] = phi * am, phi * bm, phi * ah
        out[3, i], out[4, i], out[5, i] = phi * bh, phi * an, phi * bn


@njit(cache=True, error_model="numpy", inline="always")
def _derivs_from_rates(V, m, h, n, I, p, rates):
    """d(V, m, h, n)/dt in the modern frame given ``rates`` = ``_rates(V)``;
    ``p`` = (C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi)."""
    C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    am, bm, ah, bh, an, bn = rates
    i_ion = _fma(g_Na * m * m * m * h, V - E_Na, _fma(g_K * n * n * n * n, V - E_K, g_L * (V - E_L)))
    return (
        (I - i_ion) * (1.0 / C),
        phi * _fma(am, 1.0 - m, -(bm * m)),
        phi * _fma(ah, 1.0 - h, -(bh * h)),
        phi * _fma(an, 1.0 - n, -(bn * n)),
    )


@njit(cache=True, error_model="numpy", inline="always")
def _derivs(V, m, h, n, I, p):
    """d(V, m, h, n)/dt in the modern frame; ``p`` = (C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi)."""
    return _derivs_from_rates(V, m, h, n, I, p, _rates(V))


@njit(cache=True, error_model="numpy", inline="always")
def _stiffness(m, h, n, p, rates):
    """Largest decay rate (1/ms) of the linearised step given ``rates`` = ``_rates(V)``:
    the gates' phi (alpha + beta) and the membrane's g_total / C, each a diagonal
    entry of the Jacobian."""
    C, g_Na, g_K, g_L, phi = p[0], p[1], p[2], p[3], p[7]
    am, bm, ah, bh, an, bn = rates
    g_total = g_Na * m * m * m * h + g_K * n * n * n * n + g_L
    return max(phi * max(am + bm, ah + bh, an + bn), g_total * (1.0 / C))


@njit(cache=True, error_model="numpy", inline="always")
def _rk4_step(V, m, h, n, I, dt, p, d1):
    """One classical Runge-Kutta step; ``d1`` holds the derivatives at the start."""
    dV1, dm1, dh1, dn1 = d1
    half = 0.5 * dt
    dV2, dm2, dh2, dn2 = _derivs(
        _fma(half, dV1, V), _fma(half, dm1, m), _fma(half, dh1, h), _fma(half, dn1, n), I, p
    )
    dV3, dm3, dh3, dn3 = _derivs(
        _fma(half, dV2, V), _fma(half, dm2, m), _fma(half, dh2, h), _fma(half, dn2, n), I, p
    )
    dV4, dm4, dh4, dn4 = _derivs(_fma(dt, dV3, V), _fma(dt, dm3, m), _fma(dt, dh3, h), _fma(dt, dn3, n), I, p)
    w = dt * (1.0 / 6.0)
    return (
        _fma(w, _fma(2.0, dV2 + dV3, dV1 + dV4), V),
        _fma(w, _fma(2.0, dm2 + dm3, dm1 + dm4), m),
        _fma(w, _fma(2.0, dh2 + dh3, dh1 + dh4), h),
        _fma(w, _fma(2.0, dn2 + dn3, dn1 + dn4), n),
    )


@njit(cache=True, error_model="numpy", inline="always")
def _phi1(z):
    """(exp(z) - 1) / z for z <= 0, equal to 1 at z = 0."""
    if z == 0.0:
        return 1.0
    return math.expm1(z) / z


@njit(cache=True, error_model="numpy", inline="always")
def _frozen_step(V, m, h, n, I, tau, p, Vc, mc, hc, nc):
    """Advance (V, m, h, n) by ``tau`` ms solving, exactly, the linear equations whose
    coefficients are frozen at the state (Vc, mc, hc, nc): each gate relaxes
    exponentially to its x_inf(Vc), V to the reversal potential of the frozen
    conductances. Each result lies between its start value and that target."""
    C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    am, bm, ah, bh, an, bn = _rates(Vc)
    gNa = g_Na * mc * mc * mc * hc
    gK = g_K * nc * nc * nc * nc
    g_total = gNa + gK + g_L
    dV = (I - gNa * (V - E_Na) - gK * (V - E_K) - g_L * (V - E_L)) * (1.0 / C)
    km, kh, kn = phi * (am + bm), phi * (ah + bh), phi * (an + bn)
    return (
        V + tau * dV * _phi1(-g_total * tau * (1.0 / C)),
        m + tau * (phi * am - km * m) * _phi1(-km * tau),
        h + tau * (phi * ah - kh * h) * _phi1(-kh * tau),
        n + tau * (phi * an - kn * n) * _phi1(-kn * tau),
    )


@njit(cache=True, error_model="numpy")
def _exponential_step(V, m, h, n, I, dt, p):
    """Exponential midpoint step (second order, stable for any dt): a frozen-coefficient
    half step from the start gives the midpoint state, whose coefficients then carry
    the full step. Gates stay in [0, 1]; V cannot overshoot its frozen target."""
    V_mid, m_mid, h_mid, n_mid = _frozen_step(V, m, h, n, I, 0.5 * dt, p, V, m, h, n)
    return _frozen_step(V, m, h, n, I, dt, p, V_mid, m_mid, h_mid, n_mid)


@njit(cache=True, error_model="numpy", inline="always")
def _sane(V, m, h, n, slack):
    """True if V is finite and every gate lies in [-slack, 1 + slack] (NaN fails)."""
    low, high = -slack, 1.0 + slack
    # & rather than `and`: no branch in a loop over neurons
    return (
        (abs(V) < math.inf) & (low <= m) & (m <= high) & (low <= h) & (h <= high) & (low <= n) & (n <= high)
    )


@njit(cache=True, error_model="numpy")
def _check_state(V, m, h, n, V_low, V_high):
    """0 (``OK``) if the state is valid, else the kernel status code saying why not."""
    if V_low <= V <= V_high and _sane(V, m, h, n, _GATE_SLACK):
        return 0
    if not (math.isfinite(V) and math.isfinite(m) and math.isfinite(h) and math.isfinite(n)):
        return NOT_FINITE
    if V < V_low or V > V_high:
        return _V_OUT_OF_RANGE
    return UNSTABLE


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy", inline="always")
def _rk4_candidate(V, m, h, n, Ik, dt, p, fallback, thr, V_low, V_high):
    """The RK4 step of one neuron, without a branch that depends on its state.

    Returns the new state, dV/dt at the start (mV/ms), whether the step must be
    retaken by the exponential midpoint step (only with ``fallback``, the default
    method: a rate times dt beyond ``RK4_STIFFNESS_LIMIT``, or an RK4 result outside
    the valid gates), and whether the neuron needs ``_settle`` (that, an invalid new
    state, or an upward crossing of ``thr``).
    """
    low, high = -_GATE_SLACK, 1.0 + _GATE_SLACK
    rates = _rates(V)
    d1 = _derivs_from_rates(V, m, h, n, Ik, p, rates)
    Vn, mn, hn, nn = _rk4_step(V, m, h, n, Ik, dt, p, d1)
    stiff = dt * _stiffness(m, h, n, p, rates) > RK4_STIFFNESS_LIMIT
    again = fallback & (stiff | (not _sane(Vn, mn, hn, nn, _GATE_SLACK)))
    ok = (
        (V_low <= Vn) & (Vn <= V_high) & (low <= mn) & (mn <= high)
        & (low <= hn) & (hn <= high) & (low <= nn) & (nn <= high)
    )
    flagged = again | (not ok) | ((V < thr) & (thr <= Vn))
    return Vn, mn, hn, nn, d1[0], again, flagged


@njit(cache=True, error_model="numpy", inline="always")
def _other_candidate(V, m, h, n, Ik, dt, p, scheme, thr, V_low, V_high):
    """As ``_rk4_candidate`` for forward Euler (``scheme`` 0) and the exponential
    midpoint scheme (2); nothing is retaken."""
    d1 = _derivs(V, m, h, n, Ik, p)
    if scheme == 0:
        Vn, mn, hn, nn = V + dt * d1[0], m + dt * d1[1], h + dt * d1[2], n + dt * d1[3]
    else:
        Vn, mn, hn, nn = _exponential_step(V, m, h, n, Ik, dt, p)
    flagged = (not (V_low <= Vn <= V_high and _sane(Vn, mn, hn, nn, _GATE_SLACK))) | (V < thr <= Vn)
    return Vn, mn, hn, nn, d1[0], flagged


@njit(cache=True, error_model="numpy")
def _settle(V, m, h, n, Vn, mn, hn, nn, Ik, slope, again, dt, p, thr, V_low, V_high):
    """Finish a flagged step from (V, m, h, n) to the candidate (Vn, mn, hn, nn): retake
    it by the exponential midpoint step if ``again``, check the new state, and time an
    upward crossing of ``thr`` on the Hermite interpolant (``slope``: dV/dt at the start).

    Returns the new state, the status code (0 if valid) and the crossing's fraction of
    the step (negative when there is none).
    """
    if again:
        Vn, mn, hn, nn = _exponential_step(V, m, h, n, Ik, dt, p)
    code = _check_state(Vn, mn, hn, nn, V_low, V_high)
    frac = -1.0
    if code == 0 and V < thr <= Vn:
        dV_end = _derivs(Vn, mn, hn, nn, Ik, p)[0]
        frac = _hermite_crossing(V, Vn, slope * dt, dV_end * dt, thr)
    return Vn, mn, hn, nn, code, frac


@njit(cache=True, error_model="numpy", inline="always")
def _first_pass(V, m, h, n, old, slope, drive, redo, event, n_exp, limit, dt, p, scheme, thr, V_low, V_high):
    """One step of every neuron below ``limit``, in place, on contiguous arrays: the
    candidate of ``_rk4_candidate`` (default method and plain RK4) or
    ``_other_candidate``. ``old`` (4, batch) gets the state before the step, ``slope``
    dV/dt there, ``redo`` and ``event`` the candidate's flags; returns the number of
    events. The RK4 loop has no branch that depends on a neuron's state, so the
    compiler vectorises it (the exponentials remain scalar calls).
    """
    n_events = 0
    if scheme == 1 or scheme == _PLAIN_RK4:
        fallback = scheme == 1
        for b in range(limit):
            Vb, mb, hb, nb = V[b], m[b], h[b], n[b]
            Vn, mn, hn, nn, dV1, again, flagged = _rk4_candidate(
                Vb, mb, hb, nb, drive[b], dt, p, fallback, thr, V_low, V_high
            )
            redo[b] = again
            event[b] = flagged
            n_events += flagged
            old[0, b], old[1, b], old[2, b], old[3, b] = Vb, mb, hb, nb
            slope[b] = dV1
            V[b], m[b], h[b], n[b] = Vn, mn, hn, nn
    else:
        for b in range(limit):
            Vb, mb, hb, nb = V[b], m[b], h[b], n[b]
            Vn, mn, hn, nn, dV1, flagged = _other_candidate(
                Vb, mb, hb, nb, drive[b], dt, p, scheme, thr, V_low, V_high
            )
            n_exp[b] += scheme == 2
            redo[b] = False
            event[b] = flagged
            n_events += flagged
            old[0, b], old[1, b], old[2, b], old[3, b] = Vb, mb, hb, nb
            slope[b] = dV1
            V[b], m[b], h[b], n[b] = Vn, mn, hn, nn
    return n_events


@njit(cache=True)
def _trace_block(batch):
    """Time steps per block of the time-major trace scratch (at most 1 MB of it)."""
    return max(4, min(256, 32768 // max(batch, 1)))


@njit(cache=True)
def _flush_traces(scratch, traces, k0, filled, limit, shift):
    """Copy ``filled`` time-major scratch rows (samples k0 .. k0 + filled - 1) into
    ``traces`` (4, batch, n), neuron by neuron, V shifted into the convention's frame."""
    for b in range(limit):
        for k in range(filled):
            traces[0, b, k0 + k] = scratch[0, k, b] + shift
        for i in range(1, 4):
            for k in range(filled):
                traces[i, b, k0 + k] = scratch[i, k, b]


@njit(cache=True, error_model="numpy")
def _second_pass(V, m, h, n, old, slope, drive, redo, event, n_exp, k, dt, p, thr, V_low, V_high, limit,
                 times, owners, used, status):
    """The neurons flagged by the first pass, in neuron order, through ``_settle``: an
    invalid state stops that neuron (``fail``; the new, lower ``limit`` is returned),
    a spike goes to the buffer."""
    for b in range(limit):
        if not event[b]:
            continue
        V[b], m[b], h[b], n[b], code, frac = _settle(
            old[0, b], old[1, b], old[2, b], old[3, b], V[b], m[b], h[b], n[b], drive[b], slope[b], redo[b],
            dt, p, thr, V_low, V_high,
        )
        n_exp[b] += redo[b]
        if code != 0:
            fail(status, code, b, k)
            return times, owners, used, b
        if frac >= 0.0:
            times, owners, used = push_spike(times, owners, used, (k + frac) * dt, b)
    return times, owners, used, limit


@njit(cache=True, error_model="numpy")
def _hh_rows_kernel(
    I, gain, dt, p, x0, shift, threshold, scheme, traces, times, owners, status, n_exp, record
):
    """``_hh_kernel`` neuron by neuron (steps inside), for one or two neurons, where the
    vectorised loop's set-up per step would cost more than it saves. The same
    per-neuron arithmetic (``_rk4_candidate`` or ``_other_candidate``, then ``_settle``
    where flagged), so the same bits."""
    batch = gain.shape[0]
    n_t = I.shape[1]
    shared = I.shape[0] == 1
    thr = threshold - shift
    V_low, V_high = V_RANGE
    rk4 = scheme == 1 or scheme == _PLAIN_RK4
    fallback = scheme == 1
    used = 0
    for j in range(batch):
        V, m, h, n = x0[0, j], x0[1, j], x0[2, j], x0[3, j]
        if record:
            traces[0, j, 0], traces[1, j, 0], traces[2, j, 0], traces[3, j, 0] = V + shift, m, h, n
        for k in range(n_t - 1):
            Ik = gain[j] * I[0 if shared else j, k]
            again = False
            if rk4:
                Vn, mn, hn, nn, dV1, again, flagged = _rk4_candidate(
                    V, m, h, n, Ik, dt, p, fallback, thr, V_low, V_high
                )
            else:
                Vn, mn, hn, nn, dV1, flagged = _other_candidate(
                    V, m, h, n, Ik, dt, p, scheme, thr, V_low, V_high
                )
                n_exp[j] += scheme == 2
            if flagged:
                Vn, mn, hn, nn, code, frac = _settle(V, m, h, n, Vn, mn, hn, nn, Ik, dV1, again, dt, p, thr,
                                                     V_low, V_high)
                n_exp[j] += again
                if code != 0:
                    fail(status, code, j, k)
                    return times, owners, used
                if frac >= 0.0:
                    times, owners, used = push_spike(times, owners, used, (k + frac) * dt, j)
            V, m, h, n = Vn, mn, hn, nn
            if record:
                traces[0, j, k + 1], traces[1, j, k + 1], traces[2, j, k + 1], traces[3, j, k + 1] = (
                    V + shift, m, h, n
                )
        if not record:
            traces[0, j, 0], traces[1, j, 0], traces[2, j, 0], traces[3, j, 0] = V + shift, m, h, n
    return times, owners, used


@njit(cache=True, error_model="numpy")
def _hh_kernel(I, gain, dt, p, x0, shift, threshold, scheme, traces, times, owners, status, n_exp, record):
    """Integrate a batch, time steps outside, neurons inside; spikes go to the flat buffer.

    Per step, ``_first_pass`` advances every neuron on contiguous state arrays and
    flags the few that need more (a fallback step, an invalid state, a spike);
    ``_second_pass`` handles those in neuron order. Each neuron goes through the same
    arithmetic whatever the batch size, so a batch equals its rows run alone bit for
    bit.

    ``p`` = (C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi) in the modern frame; ``x0``
    (4, batch) modern-frame initial V, m, h, n; traces are written in this
    convention's frame (without ``record``, the final state in column 0) through a
    time-major scratch block, so the inner loop writes contiguously; ``n_exp``
    (batch,) counts the exponential steps. A neuron whose state leaves the valid
    range (see ``_check_state``) stops; the run reports the lowest-numbered failing
    neuron and its step, as integrating the neurons one after another would.
    """
    batch = gain.shape[0]
    n_t = I.shape[1]
    shared = I.shape[0] == 1
    thr = threshold - shift
    V_low, V_high = V_RANGE
    used = 0
    V = x0[0].copy()
    m = x0[1].copy()
    h = x0[2].copy()
    n = x0[3].copy()
    old = np.empty((4, batch))
    slope = np.empty(batch)
    drive = np.empty(batch)
    redo = np.zeros(batch, dtype=np.bool_)
    event = np.zeros(batch, dtype=np.bool_)
    block = _trace_block(batch) if record else 1
    scratch = np.empty((4, block, batch))
    if record:
        for b in range(batch):
            scratch[0, 0, b], scratch[1, 0, b], scratch[2, 0, b], scratch[3, 0, b] = V[b], m[b], h[b], n[b]
    filled, k0 = 1, 0
    limit = batch  # neurons from a failed one on are no longer integrated
    for k in range(n_t - 1):
        if shared:
            Ik = I[0, k]
            for b in range(limit):
                drive[b] = gain[b] * Ik
        else:
            for b in range(limit):
                drive[b] = gain[b] * I[b, k]
        n_events = _first_pass(
            V, m, h, n, old, slope, drive, redo, event, n_exp, limit, dt, p, scheme, thr, V_low, V_high
        )
        if n_events:
            times, owners, used, limit = _second_pass(
                V, m, h, n, old, slope, drive, redo, event, n_exp, k, dt, p, thr, V_low, V_high, limit,
                times, owners, used, status,
            )
            if limit == 0:
                return times, owners, used
        if record:
            for b in range(limit):
                scratch[0, filled, b], scratch[1, filled, b] = V[b], m[b]
                scratch[2, filled, b], scratch[3, filled, b] = h[b], n[b]
            filled += 1
            if filled == block:
                _flush_traces(scratch, traces, k0, filled, limit, shift)
                k0 += filled
                filled = 0
    if record:
        _flush_traces(scratch, traces, k0, filled, limit, shift)
    elif status[0] == 0:
        for b in range(batch):
            traces[0, b, 0] = V[b] + shift
            traces[1, b, 0] = m[b]
            traces[2, b, 0] = h[b]
            traces[3, b, 0] = n[b]
    return times, owners, used


@njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})
def _derivs_for_jacobian(V, m, h, n, I, p):
    """``_derivs`` as written and compiled before the batch kernels (issue 14): plain
    expressions under the arcp and contract fast-math flags, where the compiler fuses
    multiply-adds as it likes. The Hopf currents of ``hopf_currents`` come from a
    central-difference Jacobian (step 1e-6) whose rounding noise moves them by about
    1e-5 uA/cm^2 when the last bits of the derivatives change; this keeps their
    validated values bit for bit."""
    C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    am, bm, ah, bh, an, bn = _rates(V)
    i_ion = g_Na * m * m * m * h * (V - E_Na) + g_K * n * n * n * n * (V - E_K) + g_L * (V - E_L)
    return (
        (I - i_ion) / C,
        phi * (am * (1.0 - m) - bm * m),
        phi * (ah * (1.0 - h) - bh * h),
        phi * (an * (1.0 - n) - bn * n),
    )


def _resolve_convention(convention: str, stacklevel: int = 3) -> str:
    """Return the convention's current name; warn for a deprecated one, refuse an unknown one."""
    if convention in DEPRECATED_CONVENTIONS:
        new = DEPRECATED_CONVENTIONS[convention]
        warnings.warn(
            f'convention="{convention}" is deprecated: it selects the rest-at-0, sign-flipped frame '
            f'(E_Na = +115 mV), not the frame of Hodgkin & Huxley (1952), who counted depolarisation '
            f'as negative (E_Na = -115 mV). Use convention="{new}".',
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        return new
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; choose one of {', '.join(CONVENTIONS)}")
    return convention


def temperature_factor(temperature: float) -> float:
    """phi = Q10^((T - 6.3)/10) with Q10 = 3 (Hodgkin & Huxley 1952); T in degC.

    Raises ``ValueError`` unless T is finite and above absolute zero (-273.15 degC).
    """
    T = _checks.finite("temperature", temperature)
    if T <= -273.15:
        raise ValueError(f"temperature must be above -273.15 degC (absolute zero), got {T!r}")
    return Q10 ** ((T - REFERENCE_TEMPERATURE) / 10.0)


def gate_rates(
    V, convention: str = "modern", temperature: float = REFERENCE_TEMPERATURE
) -> dict[str, np.ndarray]:
    """Opening (alpha) and closing (beta) rates of the gates m, h, n.

    Parameters
    ----------
    V : array_like
        Membrane potential, mV, in the given convention.
    convention : {"modern", "rest0"}
        Voltage frame of ``V`` ("1952" is a deprecated name of "rest0").
    temperature : float
        Temperature, degC; the rates are multiplied by 3^((T - 6.3)/10).

    Returns
    -------
    dict
        ``alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n`` in 1/ms, shaped like V
        (formulas in the docstring of ``_rates``; finite at -40 and -55 mV modern).
    """
    convention = _resolve_convention(convention)
    phi = temperature_factor(temperature)
    V = np.asarray(V, dtype=np.float64)
    flat = np.ascontiguousarray(V.ravel()) - VOLTAGE_SHIFT[convention]
    out = np.empty((6, flat.size))
    _rates_array(flat, phi, out)
    names = ("alpha_m", "beta_m", "alpha_h", "beta_h", "alpha_n", "beta_n")
    return {name: out[i].reshape(V.shape) for i, name in enumerate(names)}


def steady_state_gates(
    V, convention: str = "modern", temperature: float = REFERENCE_TEMPERATURE
) -> dict[str, np.ndarray]:
    """Steady-state gate values x_inf = alpha/(alpha+beta) and time constants (ms) at V (mV).

    The x_inf do not depend on temperature; the time constants scale as 1/phi.
    """
    r = gate_rates(V, _resolve_convention(convention), temperature)
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
    convention : {"modern", "rest0"}
        Voltage frame of every voltage in and out: "modern" (default, rest near
        -65 mV) or "rest0" (the rest-at-0, sign-flipped form of the 1952 frame:
        all voltages +65 mV). "1952" still selects "rest0" but is deprecated
        (the 1952 paper counted depolarisation as negative); see the module
        docstring for the three frames.
    C : float
        Membrane capacitance, uF/cm^2.
    g_Na, g_K, g_L : float
        Maximal conductances, mS/cm^2 (120, 36, 0.3).
    E_Na, E_K, E_L : float or None
        Reversal potentials, mV, in the chosen convention; None (default) means
        the convention's standard value (modern 50, -77, -54.387; rest0 115, -12,
        10.613), resolved when used, so ``dataclasses.replace(model,
        convention=...)`` moves defaults to the new frame. The values in use are
        in :attr:`reversal_potentials`.
    temperature : float
        Temperature, degC (default 6.3, that of the 1952 fits); every gate rate is
        multiplied by phi = 3^((T - 6.3)/10).
    """

    convention: str = "modern"
    C: float = 1.0
    g_Na: float = 120.0
    g_K: float = 36.0
    g_L: float = 0.3
    E_Na: float | None = None
    E_K: float | None = None
    E_L: float | None = None
    temperature: float = REFERENCE_TEMPERATURE

    def __post_init__(self) -> None:
        # Only normalisation of given values (the deprecated alias, float
        # conversion); defaults stay None and are resolved in reversal_potentials.
        object.__setattr__(self, "convention", _resolve_convention(self.convention, stacklevel=4))
        object.__setattr__(self, "C", _checks.positive("C", self.C))
        for name in ("g_Na", "g_K", "g_L"):
            object.__setattr__(self, name, _checks.non_negative(name, getattr(self, name)))
        for name in _MODERN_REVERSALS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _checks.finite(name, value))
        temperature_factor(self.temperature)
        object.__setattr__(self, "temperature", float(self.temperature))

    @property
    def shift(self) -> float:
        """Offset of this convention's voltages from the modern frame, mV."""
        return VOLTAGE_SHIFT[self.convention]

    @property
    def spike_threshold(self) -> float:
        """Voltage whose upward crossing counts as a spike, mV (0 modern, 65 rest0)."""
        return 0.0 + self.shift

    @property
    def phi(self) -> float:
        """Temperature factor 3^((T - 6.3)/10) multiplying every gate rate."""
        return temperature_factor(self.temperature)

    @property
    def reversal_potentials(self) -> dict[str, float]:
        """E_Na, E_K, E_L (mV, this convention) in use: given values, else the defaults."""
        out = {}
        for name, modern in _MODERN_REVERSALS.items():
            value = getattr(self, name)
            out[name] = modern + self.shift if value is None else value
        return out

    def _modern_params(self) -> tuple[float, ...]:
        """(C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi), reversal potentials in the modern frame."""
        E = self.reversal_potentials
        s = self.shift
        return (self.C, self.g_Na, self.g_K, self.g_L, E["E_Na"] - s, E["E_K"] - s, E["E_L"] - s, self.phi)

    def resting_state(self, I: float = 0.0) -> dict[str, float]:
        """Steady state for a constant current (uA/cm^2), by ``scipy.optimize.brentq``.

        Returns
        -------
        dict
            ``V`` (mV, this convention), ``m``, ``h``, ``n``. Raises ``ValueError`` if
            the steady state is not unique in [-100, 50] mV (modern frame). The
            steady state does not depend on temperature.
        """
        V = _steady_voltage(self._modern_params()[:7], float(I))
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
                np.array(_derivs_for_jacobian(*up, float(I), p))
                - np.array(_derivs_for_jacobian(*down, float(I), p))
            ) / (2 * step)
        return np.linalg.eigvals(jac)

    def hopf_currents(self, I_max: float = 200.0, resolution: float = 1e-6) -> list[float]:
        """Currents (uA/cm^2) in [0, I_max] where the steady state changes stability.

        Scans I in steps of 0.5 for sign changes of the largest real part of
        :meth:`steady_state_eigenvalues`, then locates each with
        ``scipy.optimize.brentq`` to within ``resolution``.
        """
        def growth(I: float) -> float:
            return float(np.max(self.steady_state_eigenvalues(I).real))

        grid = np.arange(0.0, I_max + 0.5, 0.5)
        values = np.array([growth(I) for I in grid])
        found = []
        for k in np.nonzero(np.diff(np.sign(values)) != 0)[0]:
            found.append(float(_brentq()(growth, grid[k], grid[k + 1], xtol=resolution)))
        return found

    def simulate(
        self,
        I,
        dt: float,
        *,
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
            Injected current density, uA/cm^2 (real); sample ``k`` holds on
            ``[t_k, t_k + dt)``.
        dt : float
            Time step, ms. On the 500 ms 2020 protocol with literal levels, RK4
            spike times are within 2.4e-7 ms of Radau at dt 0.01 ms and 2.1e-4 ms
            at 0.05 ms.
        method : {"rk4", "exponential", "euler"}
            "rk4" (default): classical Runge-Kutta; a step where dt times a gate
            rate (alpha + beta) or the membrane rate g_total/C exceeds
            ``RK4_STIFFNESS_LIMIT`` (deep hyperpolarisation, huge conductances), or
            whose RK4 result is not finite or has a gate outside [-0.05, 1.05], is
            taken by the exponential midpoint step instead; every other step is
            plain RK4. "exponential": that exponential midpoint step throughout
            (second order, stable at any dt). "euler": forward Euler (the 2020
            scheme, to show its artefacts).
        V0, m0, h0, n0 : float or array of shape (batch,), optional
            Initial state (V in this convention's mV; gates in [0, 1]). Defaults:
            the resting steady state at I = 0; a gate left out while V0 is given
            starts at its steady state at V0.
        record : bool
            Keep the traces (default); with False only spike times and the final
            state (``V`` and ``state`` of one sample) are kept.
        allow_unstable : bool
            Allow a dt beyond the scheme's limit (``MAX_DT``) and a current that
            alone moves V by more than ``MAX_DV_PER_STEP`` (20 mV) in one step.
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

            ``dt`` and ``method`` are recorded in the result.

        Raises
        ------
        ValueError
            For bad input (named: a complex or non-finite current, a gate outside
            [0, 1], a dt or current beyond the limits above), and if a run leaves
            the valid state (V outside ``V_RANGE`` in the modern frame, a gate
            outside [-0.05, 1.05], or a non-finite value): the message gives the
            neuron, the time (ms) and the reason. No result holds NaN.
        """
        _checks.method_name(method, METHODS)
        drive = prepare_drive(I, dt, gain)
        _check_time_step(drive, method, self.C, allow_unstable)
        x0 = self._initial_state(drive, V0, m0, h0, n0)
        return self._run(drive, _SCHEME_CODE[method], x0, record, method)[0]

    def _initial_state(self, drive: Drive, V0, m0, h0, n0) -> np.ndarray:
        """(4, batch) modern-frame initial V, m, h, n, validated."""
        batch = drive.batch
        if V0 is None:
            V_start = np.full(batch, self.resting_state()["V"])
        else:
            V_start = drive.initial("V0", V0)
            low, high = (v + self.shift for v in V_RANGE)
            if np.any((V_start < low) | (V_start > high)):
                raise ValueError(f"V0 must lie in [{low:g}, {high:g}] mV in the {self.convention} frame")
        gates = steady_state_gates(V_start, self.convention)
        x0 = np.empty((4, batch))
        x0[0] = V_start - self.shift
        for row, (name, given) in enumerate((("m", m0), ("h", h0), ("n", n0)), start=1):
            if given is None:
                x0[row] = gates[f"{name}_inf"]
                continue
            value = drive.initial(f"{name}0", given)
            if np.any((value < 0.0) | (value > 1.0)):
                raise ValueError(f"{name}0 is a gate (fraction open) and must lie in [0, 1], got {given!r}")
            x0[row] = value
        return x0

    def _run(
        self, drive: Drive, scheme: int, x0: np.ndarray, record: bool, method: str
    ) -> tuple[SimulationResult, np.ndarray]:
        """Run the kernel with the shared recipe; also return the number of exponential
        steps per neuron (for tests and measurements)."""
        params = self._modern_params()
        n_exp = np.zeros(drive.batch, dtype=np.int64)

        compiled = _hh_rows_kernel if drive.batch <= ROWS_KERNEL_MAX_BATCH else _hh_kernel

        def kernel(traces, times, owners, status):
            return compiled(
                drive.I, drive.gains, drive.dt, params, x0, self.shift, self.spike_threshold,
                scheme, traces, times, owners, status, n_exp, record,
            )

        result = run_kernel(kernel, drive, ("V", "m", "h", "n"), record, method, self._reasons(scheme))
        return result, n_exp

    def _reasons(self, scheme: int) -> dict[int, str]:
        """Messages for the kernel's status codes."""
        low, high = (v + self.shift for v in V_RANGE)
        advice = (
            "the input is outside what the model describes (its rate functions were fitted "
            "between about -100 and +50 mV)"
            if scheme in (1, 2)
            else 'the scheme is unstable here: use the default method="rk4" or a smaller dt'
        )
        return {
            NOT_FINITE: f"V, m, h or n became NaN or infinite: {advice}",
            _V_OUT_OF_RANGE: (
                f"V left the valid range [{low:g}, {high:g}] mV ({self.convention} frame): {advice}"
            ),
            UNSTABLE: f"a gate left [0, 1] by more than {_GATE_SLACK:g}: {advice}",
        }


def _check_time_step(drive: Drive, method: str, C: float, allow_unstable: bool) -> None:
    """Unless ``allow_unstable``: dt at most ``MAX_DT[method]`` and the current alone
    moving V by at most ``MAX_DV_PER_STEP`` per step; else ``ValueError``."""
    if allow_unstable or drive.batch == 0:
        return
    dt, limit = drive.dt, MAX_DT[method]
    if dt > limit:
        other = 'or the default method="rk4" (limit 0.05 ms)' if method == "euler" else "(ms)"
        raise ValueError(
            f"dt={dt:g} ms is too coarse for the Hodgkin-Huxley {method} scheme (limit {limit:g} ms): "
            "the sodium upstroke (about 0.5 ms) is then not resolved and spike times and shapes "
            f"are wrong; use a smaller dt {other}. "
            "Pass allow_unstable=True only to show the artefact on purpose."
        )
    peak = float(np.max(np.abs(drive.gains))) * float(np.max(np.abs(drive.I)))
    jump = peak * dt / C
    if jump > MAX_DV_PER_STEP:
        raise ValueError(
            f"I (times gain) reaches {peak:g} uA/cm^2, which alone moves V by {jump:g} mV in one "
            f"step of dt={dt:g} ms (|I| dt / C; at most {MAX_DV_PER_STEP:g} mV): the fast "
            f"transient is not resolved; use dt <= {MAX_DV_PER_STEP * C / peak:.3g} ms or a "
            "weaker current (allow_unstable=True to run anyway)"
        )


@lru_cache(maxsize=64)
def _steady_voltage(params: tuple[float, ...], I: float) -> float:
    """Modern-frame V (mV) where the steady-state ionic current equals I.

    A 0.5 mV grid over [-100, 50] mV must show exactly one sign change; brentq
    then finds the root to about 1e-14 mV.
    """
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
    k = sign_changes[0]
    root = _brentq()(lambda v: float(net(v)), grid[k], grid[k + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps)
    return float(root)
