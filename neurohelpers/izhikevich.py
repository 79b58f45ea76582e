r"""Izhikevich (2003) simple spiking neuron and the model variants of Izhikevich (2004).

.. math::

    \frac{dv}{dt} = 0.04 v^2 + 5 v + 140 - u + I, \qquad
    \frac{du}{dt} = a (b v - u)

When ``v >= v_peak`` (30 mV): spike, ``v <- c``, ``u <- u + d``. v in mV, t in
ms, u and I in the model's own units (mV/ms), as in Izhikevich (2003),
IEEE Trans. Neural Netw. 14:1569. The 2004 variants (Izhikevich 2004, IEEE Trans.
Neural Netw. 15:1063, script figure1.m) change the quadratic's coefficients
(``k2, k1, k0``), the u equation (``recovery="accommodation"``: du/dt = a b (v + 65)),
allow a < 0 and d < 0, and add the script's own Euler ordering (``"izhikevich2004"``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numba import njit

from . import _checks
from .integrate import (
    MAX_EVENTS_PER_STEP,
    NOT_FINITE,
    OK,
    TOO_MANY_SPIKES,
    TOO_STIFF,
    UNSTABLE,
    SimulationResult,
    fail,
    grow_spike_buffer,
    prepare_drive,
    run_kernel,
)

#: (a, b, c, d) of the seven cell classes of Izhikevich (2003), Fig. 2 (read-only).
PRESETS: Mapping[str, tuple[float, float, float, float]] = MappingProxyType({
    "RS": (0.02, 0.2, -65.0, 8.0),  # regular spiking
    "IB": (0.02, 0.2, -55.0, 4.0),  # intrinsically bursting
    "CH": (0.02, 0.2, -50.0, 2.0),  # chattering
    "FS": (0.1, 0.2, -65.0, 2.0),  # fast spiking
    "LTS": (0.02, 0.25, -65.0, 2.0),  # low-threshold spiking
    "TC": (0.02, 0.25, -65.0, 0.05),  # thalamo-cortical
    "RZ": (0.1, 0.26, -65.0, 2.0),  # resonator
})

METHODS = ("rk4", "euler", "izhikevich2003", "izhikevich2004")
_SCHEME = {"rk4": 0, "euler": 1, "izhikevich2003": 2, "izhikevich2004": 3}
#: Largest dt (ms) each scheme accepts without ``allow_unstable``.
MAX_DT = {"rk4": 0.25, "euler": 1.0, "izhikevich2003": 1.0, "izhikevich2004": 1.0}
#: Recovery equations: "standard" du/dt = a (b v - u); "accommodation" du/dt = a b (v + 65).
RECOVERY = ("standard", "accommodation")
#: v (mV) at which the accommodation variant's u stops changing (Izhikevich 2004, figure1.m).
ACCOMMODATION_V = -65.0

_NEWTON_STEPS = 20
_BISECTIONS = 200
#: |v(s) - v_peak| (relative to max(1, |v_peak|)) below which Newton's crossing is accepted.
_CROSSING_TOLERANCE = 1e-6
#: Largest ``-(2 k2 v + k1) h`` at the lowest RK4 stage of a whole step of length h: the
#: quadratic's decay rate times h. Ordinary runs stay below it on whole steps (at
#: dt = 0.25 ms it is reached only below v = -112.5 mV), so their results are unchanged.
STIFFNESS_LIMIT = 1.0
#: The same bound for the sub-steps of a step that exceeded it (strong hyperpolarising
#: input), tighter for accuracy: within 0.003 mV of a Radau reference where it applies
#: (I = -1000 to -3000 from rest at dt = 0.25 ms; -2000, -3000 at 0.1 ms). A whole step
#: just inside STIFFNESS_LIMIT is less accurate: 0.18 mV off after the first 0.1 ms of
#: I = -1000 at dt = 0.1 ms (tests/test_robustness.py).
SUBSTEP_STIFFNESS_LIMIT = 0.25
#: Largest ``|a| h`` of an RK4 sub-step (u's own rate).
RECOVERY_LIMIT = 1.0
#: Most RK4 trial sub-steps within one time step, and the shortest sub-step (a fraction
#: of dt), before the run is refused as too stiff.
MAX_TRIALS_PER_STEP = 1 << 20
MIN_SUBSTEP = 1e-12


@njit(cache=True)
def _dv(v, u, I, q):
    """dv/dt = k2 v^2 + k1 v + k0 - u + I with q = (k2, k1, k0)."""
    return q[0] * v * v + q[1] * v + q[2] - u + I


@njit(cache=True)
def _dv_published(v, u, I, q):
    """dv/dt evaluated as in figure1.m of Izhikevich (2004), ``k2*v^2 + k1*v + k0 - u + I``
    (v^2 first: other rounding than :func:`_dv`)."""
    return q[0] * (v * v) + q[1] * v + q[2] - u + I


@njit(cache=True)
def _u_drive(v, u, b, accommodation):
    """du/dt divided by a: ``b v - u`` (standard) or ``b (v + 65)`` (accommodation)."""
    if accommodation:
        return b * (v - ACCOMMODATION_V)
    return b * v - u


@njit(cache=True)
def _du(v, u, a, b, accommodation):
    """du/dt."""
    return a * _u_drive(v, u, b, accommodation)


@njit(cache=True)
def _rk4(v, u, I, a, b, h, q, acc):
    """One classical Runge-Kutta step of length ``h`` (ms) from (v, u).

    Returns the new (v, u) and the lowest v among the stages (for the stiffness check).
    """
    kv1 = _dv(v, u, I, q)
    ku1 = _du(v, u, a, b, acc)
    v2 = v + 0.5 * h * kv1
    u2 = u + 0.5 * h * ku1
    kv2 = _dv(v2, u2, I, q)
    ku2 = _du(v2, u2, a, b, acc)
    v3 = v + 0.5 * h * kv2
    u3 = u + 0.5 * h * ku2
    kv3 = _dv(v3, u3, I, q)
    ku3 = _du(v3, u3, a, b, acc)
    v4 = v + h * kv3
    u4 = u + h * ku3
    kv4 = _dv(v4, u4, I, q)
    ku4 = _du(v4, u4, a, b, acc)
    v_low = min(min(v, v2), min(v3, v4))
    return (
        v + h / 6.0 * (kv1 + 2.0 * kv2 + 2.0 * kv3 + kv4),
        u + h / 6.0 * (ku1 + 2.0 * ku2 + 2.0 * ku3 + ku4),
        v_low,
    )


@njit(cache=True)
def _trusted(v_end, u_end, v_low, h, a, q, limit):
    """Whether an RK4 trial step of length ``h`` can be accepted: finite, the quadratic's
    decay rate at the lowest stage, ``-(2 k2 v + k1)``, times h at most ``limit``, and u's
    rate ``|a|`` times h at most ``RECOVERY_LIMIT`` (beyond them RK4 is inaccurate, then
    unstable)."""
    if not (np.isfinite(v_end) and np.isfinite(u_end)):
        return False
    return (2.0 * q[0] * v_low + q[1]) * h >= -limit and abs(a) * h <= RECOVERY_LIMIT


@njit(cache=True)
def _crossing(v, u, I, a, b, h, v_end, v_peak, dt, q, acc):
    """Sub-step ``s`` in [0, h] (ms) at which RK4 from (v, u) reaches ``v_peak``, given
    v < v_peak <= v_end after h, and u there.

    Newton iteration on s (v(s) = v_peak, dv/ds = f(v(s), u(s))); if it does not land on
    v_peak (a trial that overshoots by orders of magnitude), bisection on the sign of
    v(s) - v_peak, which always brackets the crossing.
    """
    s = h * (v_peak - v) / (v_end - v)
    u_hit = u
    for _ in range(_NEWTON_STEPS):
        v_s, u_hit, _ = _rk4(v, u, I, a, b, s, q, acc)
        step = (v_s - v_peak) / _dv(v_s, u_hit, I, q)
        s_new = min(max(s - step, 0.0), h)
        if abs(s_new - s) <= 1e-14 * dt:
            s = s_new
            break
        s = s_new
    v_s, u_hit, _ = _rk4(v, u, I, a, b, s, q, acc)
    if np.isfinite(v_s) and abs(v_s - v_peak) <= _CROSSING_TOLERANCE * max(1.0, abs(v_peak)):
        return s, u_hit
    low, high = 0.0, h
    for _ in range(_BISECTIONS):
        mid = 0.5 * (low + high)
        if mid <= low or mid >= high:
            break
        v_mid, _, _ = _rk4(v, u, I, a, b, mid, q, acc)
        if v_mid < v_peak:
            low = mid
        else:
            high = mid
    _, u_hit, _ = _rk4(v, u, I, a, b, high, q, acc)
    return high, u_hit


@njit(cache=True)
def _rk4_step_with_reset(v, u, I, t0, dt, p, q, acc, spikes, row, count):
    """One time step [t0, t0 + dt) (ms) of RK4 with the spikes inside it.

    The crossing of v_peak is located inside the step (:func:`_crossing`), the reset
    applied there and the rest of the step integrated. A trial step that is not
    :func:`_trusted` (the quadratic is stiff far below rest, or blows up) is halved until
    it is; ordinary runs never need that and take whole steps. Spike times go to
    ``spikes[row, count], ...`` while they fit; all are counted.

    Parameters
    ----------
    p : tuple
        (a, b, c, d, v_peak).
    q : tuple
        (k2, k1, k0).

    Returns
    -------
    v, u, count, code
        New state, spike count, and a status code (``OK``, or ``TOO_STIFF`` /
        ``TOO_MANY_SPIKES`` when the step cannot be completed; the state is then partial).
    """
    a, b, c, d, v_peak = p
    capacity = spikes.shape[1]
    start = count
    trials = 0
    left = dt  # time still to integrate in this step, ms
    h_max = dt  # longest sub-step to try next
    limit = STIFFNESS_LIMIT
    while left > 0.0:
        if v >= v_peak:
            s = 0.0
            u_hit = u
        else:
            h = min(left, h_max)
            v_end, u_end, v_low = _rk4(v, u, I, a, b, h, q, acc)
            trials += 1
            while not _trusted(v_end, u_end, v_low, h, a, q, limit):
                limit = SUBSTEP_STIFFNESS_LIMIT
                h *= 0.5
                trials += 1
                if trials > MAX_TRIALS_PER_STEP or h < MIN_SUBSTEP * dt:
                    return v, u, count, TOO_STIFF
                v_end, u_end, v_low = _rk4(v, u, I, a, b, h, q, acc)
            if h < left:
                h_max = 2.0 * h
            if v_end < v_peak:
                v = v_end
                u = u_end
                left -= h
                continue
            s, u_hit = _crossing(v, u, I, a, b, h, v_end, v_peak, dt, q, acc)
        if count < capacity:
            spikes[row, count] = t0 + (dt - left) + s
        count += 1
        if count - start > MAX_EVENTS_PER_STEP:
            return v, u, count, TOO_MANY_SPIKES
        v = c
        u = u_hit + d
        left -= s
    return v, u, count, OK


@njit(cache=True)
def _euler_unstable(v, h, q):
    """Whether forward Euler of length ``h`` from ``v`` is unstable: its linearised factor
    ``1 + (2 k2 v + k1) h`` below -1 (the trace would oscillate and diverge, or settle on
    a spurious cycle)."""
    return (2.0 * q[0] * v + q[1]) * h < -2.0


@njit(cache=True)
def _explicit_step(v, u, I, dt, p, q, acc, scheme, check_stability):
    """One step of a grid scheme (1 "euler", 2 "izhikevich2003", 3 "izhikevich2004").

    Returns (v, u, spiked, code); code ``UNSTABLE`` when ``check_stability`` and a forward
    Euler update of v (one of length dt, or each of the two half steps of 2003) starts
    where it is unstable (:func:`_euler_unstable`), ``NOT_FINITE`` on overflow.
    """
    a, b, c, d, v_peak = p
    if scheme == 1:
        if check_stability and _euler_unstable(v, dt, q):
            return v, u, False, UNSTABLE
        v_new = v + dt * _dv(v, u, I, q)
        u = u + dt * a * _u_drive(v, u, b, acc)
        v = v_new
    elif scheme == 2:
        for _ in range(2):
            if check_stability and _euler_unstable(v, 0.5 * dt, q):
                return v, u, False, UNSTABLE
            v = v + 0.5 * dt * _dv(v, u, I, q)
        u = u + dt * a * _u_drive(v, u, b, acc)
    else:
        if check_stability and _euler_unstable(v, dt, q):
            return v, u, False, UNSTABLE
        v = v + dt * _dv_published(v, u, I, q)
        u = u + dt * a * _u_drive(v, u, b, acc)
    if v != v or not np.isfinite(u):
        return v, u, False, NOT_FINITE
    if v > v_peak if scheme == 3 else v >= v_peak:
        return c, u + d, True, OK
    return v, u, False, OK


#: Values of each traced variable held in the time-major scratch block before it is
#: transposed into the (batch, n) traces: 256 kB per variable, at least 8 steps.
_TRACE_BLOCK = 32768
#: Batches smaller than this run neuron by neuron (:func:`_izh_rows_kernel`), for RK4 and
#: for the grid schemes: there a pass over the batch per step costs more than it saves.
_ROWS_BELOW_RK4 = 2
_ROWS_BELOW_GRID = 3


#: Words of 8 event flags OR-ed together before pass 2 looks at their neurons.
_WORDS_PER_CHECK = 8
#: Neurons whose new v is counted at once before :func:`_euler_spikers` looks at them.
_SCAN_BLOCK = 64


@njit(cache=True)
def _finite(x):
    """Whether x is finite, as arithmetic (inf - inf and NaN - NaN are NaN): vectorisable."""
    return x - x == 0.0


@njit(cache=True)
def _lowest_v_not_below(h, q, bound):
    """A v (mV) such that ``(2 k2 w + k1) h < bound`` is false for every w >= v.

    The expression is evaluated exactly as in :func:`_euler_unstable` and :func:`_trusted`;
    it is non-decreasing in w (k2 > 0, h > 0, and rounding is monotone), so a v where it is
    false bounds the whole range. The pass then flags ``w < v`` for the scalar code, a
    superset of the neurons the exact test would flag (the scalar step decides).
    """
    x = (bound / h - q[1]) / (2.0 * q[0])
    if not np.isfinite(x):
        x = -1.7976931348623157e308
    step = max(abs(x), 1.0) * 1e-12
    while (2.0 * q[0] * x + q[1]) * h < bound:
        x += step
        step *= 2.0
    return x


@njit(cache=True)
def _drive_row(I, gain, k, shared, drive, active):
    """The per-neuron factor and the scalar of step k: ``gain`` and ``I[0, k]`` for a shared
    waveform (input ``gain[j] * I[0, k]``); else ``drive[j] = gain[j] * I[j, k]`` and 1.0
    (``x * 1.0 == x`` exactly)."""
    if shared:
        return gain, I[0, k]
    for j in range(active):
        drive[j] = gain[j] * I[j, k]
    return drive, 1.0


@njit(cache=True)
def _euler_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active):
    """Forward Euler ("euler") for neurons 0 .. active-1 (input ``src[j] * scale``),
    branch-free, from (V, U) into (V_next, U_next): the update where it neither spikes nor
    may need a check (v below ``v_lo``, see :func:`_lowest_v_not_below`; non-finite), else
    the old state and ``event`` set (one byte per neuron). Returns whether any neuron has
    an event. (Separate output arrays: an in-place select compiles
    to a masked store, slow on AMD.)"""
    a, b, _, _, v_peak = p
    events = 0
    for j in range(active):
        v = V[j]
        u = U[j]
        v_new = v + dt * _dv(v, u, src[j] * scale, q)
        u_new = u + dt * a * _u_drive(v, u, b, acc)
        ev = (v < v_lo) | (v_new >= v_peak) | ~_finite(v_new + u_new)
        V_next[j] = v if ev else v_new
        U_next[j] = u if ev else u_new
        event[j] = ev
        events |= ev
    return events


@njit(cache=True)
def _euler_select_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, active):
    """Forward Euler ("euler") for neurons 0 .. active-1 with the spike reset as a select
    (as the vectorised C loop does): into (V_next, U_next) the update, or ``(c, u + d)``
    where it reaches v_peak. No per-neuron flags: returns the number of spikes and
    whether any neuron may need the scalar step (v below ``v_lo``, or a non-finite or
    overflowing new state); on such a step the caller discards this pass and takes the
    step with :func:`_euler_pass` and the scalar step (the same results)."""
    a, b, c, d, v_peak = p
    fired = 0
    checks = 0
    for j in range(active):
        v = V[j]
        u = U[j]
        v_new = v + dt * _dv(v, u, src[j] * scale, q)
        u_new = u + dt * a * _u_drive(v, u, b, acc)
        spike = v_new >= v_peak
        u_sel = u_new + d if spike else u_new
        # v + 0 (x * 0.0 is +-0 for finite x, NaN otherwise): below v_lo, NaN, or the new
        # state non-finite or overflowing, in one comparison
        checks += not (v + 0.0 * (v_new + u_sel) >= v_lo)  # counted: cheaper than OR-ing bools
        fired += spike
        V_next[j] = c if spike else v_new
        U_next[j] = u_sel
    return fired, checks > 0


@njit(cache=True)
def _izhikevich2004_select_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, active):
    """The 2004 script's scheme (see :func:`_izhikevich2004_pass`) with the spike reset as a
    select; as :func:`_euler_select_pass`."""
    a, b, c, d, v_peak = p
    fired = 0
    checks = 0
    for j in range(active):
        v = V[j]
        u = U[j]
        v_new = v + dt * _dv_published(v, u, src[j] * scale, q)
        u_new = u + dt * a * _u_drive(v_new, u, b, acc)
        spike = v_new > v_peak
        u_sel = u_new + d if spike else u_new
        checks += not (v + 0.0 * (v_new + u_sel) >= v_lo)
        fired += spike
        V_next[j] = c if spike else v_new
        U_next[j] = u_sel
    return fired, checks > 0


@njit(cache=True)
def _euler_spikers(V, U, V_next, src, scale, dt, p, q, active, fired, t_spike, times, owners, used,
                   published):
    """Append the ``fired`` spikes of a :func:`_euler_select_pass` step (time ``t_spike``,
    ms) to (times, owners), which have room for them: the neurons whose new v is the reset
    value c and whose update from the old state (V, U) reached v_peak (the same arithmetic
    as the pass; ``published``: :func:`_izhikevich2004_select_pass`'s update and strict
    test), in neuron order. Returns the new fill."""
    c = p[2]
    v_peak = p[4]
    found = 0
    for j0 in range(0, active, _SCAN_BLOCK):
        if found == fired:
            break
        j1 = min(j0 + _SCAN_BLOCK, active)
        candidates = 0
        for j in range(j0, j1):  # a vectorised count first: most blocks have no spike
            candidates += V_next[j] == c
        if candidates == 0:
            continue
        for j in range(j0, j1):
            if V_next[j] != c:
                continue
            if published:
                spiked = V[j] + dt * _dv_published(V[j], U[j], src[j] * scale, q) > v_peak
            else:
                spiked = V[j] + dt * _dv(V[j], U[j], src[j] * scale, q) >= v_peak
            if spiked:
                times[used + found] = t_spike
                owners[used + found] = j
                found += 1
    return used + found


@njit(cache=True)
def _izhikevich2003_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active):
    """The 2003 scheme (two half steps for v, then u) for neurons 0 .. active-1, branch-free;
    as :func:`_euler_pass` (``v_lo`` for half steps, tested on both)."""
    a, b, _, _, v_peak = p
    events = 0
    for j in range(active):
        v = V[j]
        u = U[j]
        Ij = src[j] * scale
        v_half = v + 0.5 * dt * _dv(v, u, Ij, q)
        v_new = v_half + 0.5 * dt * _dv(v_half, u, Ij, q)
        u_new = u + dt * a * _u_drive(v_new, u, b, acc)
        ev = (v < v_lo) | (v_half < v_lo) | (v_new >= v_peak) | ~_finite(v_new + u_new)
        V_next[j] = v if ev else v_new
        U_next[j] = u if ev else u_new
        event[j] = ev
        events |= ev
    return events


@njit(cache=True)
def _izhikevich2004_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active):
    """The 2004 script's scheme (v with ``k2*(v*v)``, then u from the new v, spike when
    v > v_peak) for neurons 0 .. active-1, branch-free; as :func:`_euler_pass`."""
    a, b, _, _, v_peak = p
    events = 0
    for j in range(active):
        v = V[j]
        u = U[j]
        v_new = v + dt * _dv_published(v, u, src[j] * scale, q)
        u_new = u + dt * a * _u_drive(v_new, u, b, acc)
        ev = (v < v_lo) | (v_new > v_peak) | ~_finite(v_new + u_new)
        V_next[j] = v if ev else v_new
        U_next[j] = u if ev else u_new
        event[j] = ev
        events |= ev
    return events


@njit(cache=True)
def _rk4_accept(v, u, v_end, u_end, v_low, v_peak, v_lo):
    """The state after a trial step from (v, u) and whether the neuron has an event: the
    trial if it is accepted whole (see :func:`_rk4_pass`), else the old state."""
    whole = (v < v_peak) & (v_end < v_peak) & _finite(v_end + u_end) & (v_low >= v_lo)
    return (v_end if whole else v), (u_end if whole else u), not whole


@njit(cache=True)
def _rk4_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active):
    """The trial RK4 step of length dt for neurons 0 .. active-1, branch-free, accepted
    where :func:`_rk4_step_with_reset` surely accepts it whole: below v_peak before and
    after, finite, the lowest stage at or above ``v_lo`` (:func:`_lowest_v_not_below` for
    ``STIFFNESS_LIMIT``; +inf when ``|a| dt`` exceeds ``RECOVERY_LIMIT``). The other
    neurons get their old state in (V_next, U_next) and ``event`` set; counted as in
    :func:`_euler_pass`. Neurons j and j + half are integrated together."""
    a, b, _, _, v_peak = p
    h = dt
    events = 0
    half = active // 2
    for j in range(half):
        # :func:`_rk4` for neurons j and m, operations interleaved in program order (each
        # neuron's arithmetic exactly that of _rk4): one neuron's RK4 chain is latency-bound,
        # two independent chains overlap (10-15 % faster here). Written out in the loop: as
        # a helper it is vectorised only when inlined by numba, which costs compile time.
        m = j + half
        va = V[j]
        ua = U[j]
        Ia = src[j] * scale
        vb = V[m]
        ub = U[m]
        Ib = src[m] * scale
        kv1a = _dv(va, ua, Ia, q)
        kv1b = _dv(vb, ub, Ib, q)
        ku1a = _du(va, ua, a, b, acc)
        ku1b = _du(vb, ub, a, b, acc)
        v2a = va + 0.5 * h * kv1a
        v2b = vb + 0.5 * h * kv1b
        u2a = ua + 0.5 * h * ku1a
        u2b = ub + 0.5 * h * ku1b
        kv2a = _dv(v2a, u2a, Ia, q)
        kv2b = _dv(v2b, u2b, Ib, q)
        ku2a = _du(v2a, u2a, a, b, acc)
        ku2b = _du(v2b, u2b, a, b, acc)
        v3a = va + 0.5 * h * kv2a
        v3b = vb + 0.5 * h * kv2b
        u3a = ua + 0.5 * h * ku2a
        u3b = ub + 0.5 * h * ku2b
        kv3a = _dv(v3a, u3a, Ia, q)
        kv3b = _dv(v3b, u3b, Ib, q)
        ku3a = _du(v3a, u3a, a, b, acc)
        ku3b = _du(v3b, u3b, a, b, acc)
        v4a = va + h * kv3a
        v4b = vb + h * kv3b
        u4a = ua + h * ku3a
        u4b = ub + h * ku3b
        kv4a = _dv(v4a, u4a, Ia, q)
        kv4b = _dv(v4b, u4b, Ib, q)
        ku4a = _du(v4a, u4a, a, b, acc)
        ku4b = _du(v4b, u4b, a, b, acc)
        ea = va + h / 6.0 * (kv1a + 2.0 * kv2a + 2.0 * kv3a + kv4a)
        eb = vb + h / 6.0 * (kv1b + 2.0 * kv2b + 2.0 * kv3b + kv4b)
        fa = ua + h / 6.0 * (ku1a + 2.0 * ku2a + 2.0 * ku3a + ku4a)
        fb = ub + h / 6.0 * (ku1b + 2.0 * ku2b + 2.0 * ku3b + ku4b)
        la = min(min(va, v2a), min(v3a, v4a))
        lb = min(min(vb, v2b), min(v3b, v4b))
        va, ua, ev_a = _rk4_accept(va, ua, ea, fa, la, v_peak, v_lo)
        vb, ub, ev_b = _rk4_accept(vb, ub, eb, fb, lb, v_peak, v_lo)
        V_next[j] = va
        U_next[j] = ua
        V_next[m] = vb
        U_next[m] = ub
        event[j] = ev_a
        event[m] = ev_b
        events |= ev_a | ev_b
    for j in range(2 * half, active):
        v = V[j]
        u = U[j]
        v_end, u_end, v_low = _rk4(v, u, src[j] * scale, a, b, dt, q, acc)
        V_next[j], U_next[j], ev = _rk4_accept(v, u, v_end, u_end, v_low, v_peak, v_lo)
        event[j] = ev
        events |= ev
    return events


@njit(cache=True)
def _pass(scheme, acc, V, U, V_next, U_next, src, scale, dt, p, q, v_lo, event, active):
    """The branch-free pass of ``scheme`` (0 RK4, 1 "euler", 2 "izhikevich2003", 3
    "izhikevich2004"). The RK4 pass gets ``acc`` as a literal, so that the recovery
    equation is fixed at compile time: compiled with a branch on it, its loop kept the
    branch at every stage (LLVM does not unswitch a loop that large); the grid passes are
    unswitched by LLVM and compiled once (a literal would double their compile time)."""
    if scheme == 0:
        if acc:
            return _rk4_pass(V, U, V_next, U_next, src, scale, dt, p, q, True, v_lo, event, active)
        return _rk4_pass(V, U, V_next, U_next, src, scale, dt, p, q, False, v_lo, event, active)
    if scheme == 1:
        return _euler_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active)
    if scheme == 2:
        return _izhikevich2003_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active)
    return _izhikevich2004_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo, event, active)


@njit(cache=True)
def _flush_traces(traces, block, k0, steps, batch):
    """Copy ``steps`` rows of the time-major block (2, steps, batch) into
    ``traces[:, :, k0:k0 + steps]`` (each neuron's samples contiguous)."""
    for var in range(2):
        for j in range(batch):
            for t in range(steps):
                traces[var, j, k0 + t] = block[var, t, j]


#: Internal status of :func:`_row_steps`: stopped before a step for want of room in the
#: spike buffer or the RK4 scratch (not a failure; never reported).
_NEED_ROOM = -1


@njit(cache=True)
def _row_steps(I, r, g, j, k0, v, u, dt, p, q, acc, scheme, check_stability, traces, record,
               times, owners, used, scratch):
    """Steps k0 .. n-2 of neuron j from (v, u), input ``g * I[r, k]``; spikes appended to
    (times, owners) as neuron j. The arrays are never replaced here (a loop that rebinds
    them pays reference counting on every step): when a step needs more room than
    ``times`` or ``scratch`` has, it stops before that step.

    Returns
    -------
    v, u, used, k, code, need
        State and buffer fill; ``code`` ``OK`` (k = n - 1), a failure at step k, or
        ``_NEED_ROOM``: step k not taken, it needs ``need`` free slots and an RK4
        scratch of ``need`` columns.
    """
    n = I.shape[1]
    for k in range(k0, n - 1):
        Ik = g * I[r, k]
        if scheme == 0:
            v_new, u_new, fired, code = _rk4_step_with_reset(v, u, Ik, k * dt, dt, p, q, acc, scratch, 0, 0)
            if code == OK:
                if fired > scratch.shape[1] or used + fired > times.size:
                    return v, u, used, k, _NEED_ROOM, fired
                for i in range(fired):
                    times[used + i] = scratch[0, i]
                    owners[used + i] = j
                used += fired
            v, u = v_new, u_new
        else:
            if used == times.size:
                return v, u, used, k, _NEED_ROOM, 1
            v, u, spiked, code = _explicit_step(v, u, Ik, dt, p, q, acc, scheme, check_stability)
            if spiked:
                times[used] = (k + 1) * dt
                owners[used] = j
                used += 1
        if code == OK and not (np.isfinite(v) and np.isfinite(u)):
            code = NOT_FINITE
        if code != OK:
            return v, u, used, k, code, 0
        if record:
            traces[0, j, k + 1] = v
            traces[1, j, k + 1] = u
    return v, u, used, n - 1, OK, 0


@njit(cache=True)
def _izh_rows_kernel(
    I, gain, dt, p, q, acc, v0, u0, scheme, check_stability, traces, times, owners, status, record
):
    """Neurons outer, steps inner (for a few neurons, where a pass over the batch per step
    costs more than it saves); spikes go to the flat buffer (times, owners), grown here
    between calls of :func:`_row_steps` (the same steps and spikes as growing it inside)."""
    batch = gain.shape[0]
    shared = I.shape[0] == 1
    used = 0
    scratch = np.empty((1, 64))
    for j in range(batch):
        v = v0[j]
        u = u0[j]
        if record:
            traces[0, j, 0] = v
            traces[1, j, 0] = u
        k = 0
        while True:
            v, u, used, k, code, need = _row_steps(
                I, 0 if shared else j, gain[j], j, k, v, u, dt, p, q, acc, scheme, check_stability,
                traces, record, times, owners, used, scratch,
            )
            if code != _NEED_ROOM:
                break
            if need > scratch.shape[1]:
                scratch = np.empty((1, need))
            if used + need > times.size:
                times, owners = grow_spike_buffer(times, owners, used, used + need)
        if code != OK:
            fail(status, code, j, k)
            return times, owners, used
        if not record:
            traces[0, j, 0] = v
            traces[1, j, 0] = u
    return times, owners, used


@njit(cache=True)
def _izh_kernel(
    I, gain, dt, p, q, acc, v0, u0, scheme, check_stability, traces, times, owners, status, record
):
    """Integrate the batch: :func:`_izh_batch_kernel`, or :func:`_izh_rows_kernel` for
    batches below ``_ROWS_BELOW_RK4`` / ``_ROWS_BELOW_GRID`` neurons (the same results)."""
    if gain.shape[0] < (_ROWS_BELOW_RK4 if scheme == 0 else _ROWS_BELOW_GRID):
        return _izh_rows_kernel(
            I, gain, dt, p, q, acc, v0, u0, scheme, check_stability, traces, times, owners, status, record
        )
    return _izh_batch_kernel(
        I, gain, dt, p, q, acc, v0, u0, scheme, check_stability, traces, times, owners, status, record
    )


@njit(cache=True)
def _by_owner(times, owners, used, batch):
    """The first ``used`` spikes (times, owners) ordered by owner, each neuron's spikes in
    their order (a stable counting sort): the order :func:`split_spikes` would sort into."""
    start = np.zeros(batch + 1, dtype=np.int64)
    for i in range(used):
        start[owners[i] + 1] += 1
    for j in range(batch):
        start[j + 1] += start[j]
    sorted_t = np.empty(max(used, 1))
    sorted_o = np.empty(max(used, 1), dtype=np.int64)
    for i in range(used):
        o = owners[i]
        sorted_t[start[o]] = times[i]
        sorted_o[start[o]] = o
        start[o] += 1
    return sorted_t, sorted_o


@njit(cache=True)
def _redo_events(V, U, src, scale, k, dt, p, q, acc, scheme, check_stability, words, event, active, j_start,
                 times, owners, used, scratch):
    """Pass 2 of step k: the neurons j >= ``j_start`` (below ``active``) with an event flag
    redone with the scalar step (:func:`_rk4_step_with_reset`, :func:`_explicit_step`) from
    their old state in (V, U), which they get back updated; their spikes appended to
    (times, owners). Flags are read a word (8 neurons) at a time, ``_WORDS_PER_CHECK``
    words OR-ed first. The arrays are never replaced here (see :func:`_row_steps`).

    Returns
    -------
    used, code, j, need
        ``OK``; a failure of neuron j (its state not updated); or ``_NEED_ROOM``: neuron j
        not redone, it needs ``need`` free slots and an RK4 scratch of ``need`` columns.
    """
    for w0 in range((j_start // (8 * _WORDS_PER_CHECK)) * _WORDS_PER_CHECK, words.size, _WORDS_PER_CHECK):
        any_event = 0
        for w in range(w0, min(w0 + _WORDS_PER_CHECK, words.size)):
            any_event |= words[w]
        if any_event == 0:
            continue
        for w in range(w0, min(w0 + _WORDS_PER_CHECK, words.size)):
            if words[w] == 0:
                continue
            for j in range(max(8 * w, j_start), min(8 * w + 8, active)):
                if event[j] == 0:
                    continue
                v = V[j]
                u = U[j]
                Ij = src[j] * scale
                if scheme == 0:
                    v, u, fired, code = _rk4_step_with_reset(v, u, Ij, k * dt, dt, p, q, acc, scratch, 0, 0)
                    if code == OK:
                        if fired > scratch.shape[1] or used + fired > times.size:
                            return used, _NEED_ROOM, j, fired
                        for i in range(fired):
                            times[used + i] = scratch[0, i]
                            owners[used + i] = j
                        used += fired
                else:
                    if used == times.size:
                        return used, _NEED_ROOM, j, 1
                    v, u, spiked, code = _explicit_step(v, u, Ij, dt, p, q, acc, scheme, check_stability)
                    if spiked:
                        times[used] = (k + 1) * dt
                        owners[used] = j
                        used += 1
                if code == OK and not (np.isfinite(v) and np.isfinite(u)):
                    code = NOT_FINITE
                if code != OK:
                    return used, code, j, 0
                V[j] = v
                U[j] = u
    return used, OK, active, 0


@njit(cache=True)
def _izh_batch_kernel(
    I, gain, dt, p, q, acc, v0, u0, scheme, check_stability, traces, times, owners, status, record
):
    """Steps outer, neurons inner. Per step a branch-free pass (vectorised by the compiler)
    takes every neuron's ordinary update (see ``_*_pass``); the few neurons with an event
    (a spike, an RK4 step to split, an unstable or non-finite update) are then redone one
    by one with the scalar step (:func:`_rk4_step_with_reset`, :func:`_explicit_step`).
    "euler" and "izhikevich2004" reset spiking neurons inside the pass
    (:func:`_euler_select_pass`, :func:`_izhikevich2004_select_pass`; spikes found by
    :func:`_euler_spikers`) and take that path only on steps with a neuron to check.
    The same arithmetic as integrating one neuron at a time, so the results are those of
    each row run alone. Spikes go to the flat buffer (times, owners), returned ordered by
    owner (:func:`_by_owner`). When neuron j fails the run goes on for neurons 0 .. j-1
    only, and the reported failure is that of the lowest failing neuron (its first
    failing step), as if neurons were run in order. Traces go through a time-major
    block, transposed into ``traces`` when full."""
    batch = gain.shape[0]
    n = I.shape[1]
    shared = I.shape[0] == 1
    used = 0
    scratch = np.empty((1, 64))
    V = v0.copy()
    U = u0.copy()
    V_next = np.empty(batch)  # the passes write here (a plain store, not a masked one)
    U_next = np.empty(batch)
    drive = np.empty(batch)
    words = np.zeros((batch + 7) // 8, dtype=np.uint64)  # the event flags, 8 bytes to a word
    event = words.view(np.uint8)
    rows = max(8, min(256, _TRACE_BLOCK // max(batch, 1))) if record else 1
    block = np.empty((2, rows, batch))
    filled = 0
    active = batch
    if scheme == 0:
        v_lo = _lowest_v_not_below(dt, q, -STIFFNESS_LIMIT)
        if not abs(p[0]) * dt <= RECOVERY_LIMIT:
            v_lo = np.inf
    elif not check_stability:
        v_lo = -np.inf
    else:
        v_lo = _lowest_v_not_below(0.5 * dt if scheme == 2 else dt, q, -2.0)
    if record:
        for j in range(batch):
            traces[0, j, 0] = V[j]
            traces[1, j, 0] = U[j]
    for k in range(n - 1):
        src, scale = _drive_row(I, gain, k, shared, drive, active)
        events = 1
        if scheme == 1 or scheme == 3:
            if scheme == 1:
                fired, check = _euler_select_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc, v_lo,
                                                  active)
            else:
                fired, check = _izhikevich2004_select_pass(V, U, V_next, U_next, src, scale, dt, p, q, acc,
                                                           v_lo, active)
            if not check:
                events = 0
                if fired > 0:
                    if used + fired > times.size:
                        times, owners = grow_spike_buffer(times, owners, used, used + fired)
                    used = _euler_spikers(V, U, V_next, src, scale, dt, p, q, active, fired, (k + 1) * dt,
                                          times, owners, used, scheme == 3)
        if events != 0:
            events = _pass(scheme, acc, V, U, V_next, U_next, src, scale, dt, p, q, v_lo, event, active)
        V, U, V_next, U_next = V_next, U_next, V, U
        j_start = 0
        while events != 0:
            used, code, j, need = _redo_events(
                V, U, src, scale, k, dt, p, q, acc, scheme, check_stability, words, event, active, j_start,
                times, owners, used, scratch,
            )
            if code == _NEED_ROOM:  # grown here, then neuron j's step is redone
                if need > scratch.shape[1]:
                    scratch = np.empty((1, need))
                if used + need > times.size:
                    times, owners = grow_spike_buffer(times, owners, used, used + need)
                j_start = j
                continue
            if code != OK:
                fail(status, code, j, k)
                active = j
            break
        if active == 0:
            return times, owners, used
        if record:
            for j in range(active):
                block[0, filled, j] = V[j]
                block[1, filled, j] = U[j]
            filled += 1
            if filled == rows or k == n - 2:
                _flush_traces(traces, block, k + 2 - filled, filled, active)
                filled = 0
    if not record:
        for j in range(batch):
            traces[0, j, 0] = V[j]
            traces[1, j, 0] = U[j]
    times, owners = _by_owner(times, owners, used, batch)
    return times, owners, used


_COARSE = (
    "the quadratic v equation blows up between samples and the fast "
    "recovery after a reset is no longer resolved"
)


def _reasons(method: str) -> dict[int, str]:
    """Messages for the kernel's status codes."""
    return {
        TOO_MANY_SPIKES: (
            f"more than {MAX_EVENTS_PER_STEP} spikes within one time step: the input drives "
            "the neuron faster than the scheme can resolve; use a weaker current or a smaller dt"
        ),
        NOT_FINITE: (
            "v or u overflowed to a non-finite value: the input is outside what the model can represent"
        ),
        TOO_STIFF: (
            "the input drives v so far from rest that RK4 would need sub-steps shorter than "
            f"{MIN_SUBSTEP:g} dt (or more than {MAX_TRIALS_PER_STEP} per step) to stay accurate "
            "(the decay rate -(2 k2 v + k1) of the quadratic grows with |v|): the input is "
            "outside what the scheme can integrate; use a weaker current"
        ),
        UNSTABLE: (
            f"the {method} scheme is unstable here: v reached a range where its factor "
            "1 + (2 k2 v + k1) dt is below -1, so the trace would oscillate and diverge "
            "(a wrong trace, not the model's); use a smaller dt or the default method 'rk4', "
            "or allow_unstable=True to reproduce the artefact on purpose"
        ),
    }


def _real_if_real(z) -> float | complex:
    """A float for a real eigenvalue, a complex for a complex one."""
    z = complex(z)
    return z.real if z.imag == 0 else z


@dataclass(frozen=True)
class Izhikevich:
    r"""Izhikevich (2003) neuron and its 2004 variants (immutable).

    .. math::

        \frac{dv}{dt} = k_2 v^2 + k_1 v + k_0 - u + I, \qquad
        \frac{du}{dt} = a (b v - u) \ \text{(standard)} \ \text{or} \ a b (v + 65)
        \ \text{(accommodation)}

    Parameters
    ----------
    a : float
        Rate of the recovery variable u, 1/ms (finite, nonzero; negative in the
        inhibition-induced panels of Izhikevich 2004). For a > 0, 1/a is its time constant.
    b : float
        Sensitivity of u to the subthreshold v (dimensionless).
    c : float
        Reset value of v after a spike, mV.
    d : float
        Increment of u after a spike (model units; may be negative).
    v_peak : float
        Spike cut-off, mV (default 30).
    k2, k1, k0 : float
        Coefficients of the quadratic, 1/(mV ms), 1/ms, mV/ms (defaults 0.04, 5, 140
        as in the 2003 paper; 0.04, 4.1, 108 in the class-1 panel of the 2004
        script figure1.m). k2 > 0.
    recovery : {"standard", "accommodation"}
        The u equation: ``a (b v - u)`` (default) or ``a b (v + 65)`` (the
        accommodation panel of Izhikevich 2004, no -u term).

    Examples
    --------
    >>> rs = Izhikevich.preset("RS")   # a, b, c, d = 0.02, 0.2, -65, 8
    >>> class1 = Izhikevich(a=0.02, b=-0.1, c=-55.0, d=6.0, k1=4.1, k0=108.0)
    """

    a: float = 0.02
    b: float = 0.2
    c: float = -65.0
    d: float = 8.0
    v_peak: float = 30.0
    k2: float = 0.04
    k1: float = 5.0
    k0: float = 140.0
    recovery: str = "standard"

    def __post_init__(self) -> None:
        _checks.store_floats(self, ("a", "b", "c", "d", "v_peak", "k2", "k1", "k0"))
        _checks.nonzero("a", self.a)
        _checks.positive("k2", self.k2)
        if self.recovery not in RECOVERY:
            raise ValueError(f"recovery must be one of {', '.join(RECOVERY)}; got {self.recovery!r}")
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

    @property
    def _accommodation(self) -> bool:
        return self.recovery == "accommodation"

    def nullclines(self, v, I: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """u on the v-nullcline (dv/dt = 0) and on the u-nullcline (du/dt = 0) at ``v`` (mV).

        v-nullcline: ``u = k2 v^2 + k1 v + k0 + I``; u-nullcline: ``u = b v``. With
        ``recovery="accommodation"`` the u-nullcline is the vertical line v = -65 mV,
        not a function of v: the second array is then all NaN.
        """
        v = np.asarray(v, dtype=np.float64)
        u_v = self.k2 * v * v + self.k1 * v + self.k0 + I
        if self._accommodation:
            return u_v, np.full_like(v, np.nan)
        return u_v, self.b * v

    def _jacobian(self, v: float) -> np.ndarray:
        du_dv, du_du = (self.a * self.b, 0.0) if self._accommodation else (self.a * self.b, -self.a)
        return np.array([[2.0 * self.k2 * v + self.k1, -1.0], [du_dv, du_du]])

    def _equilibria(self, I: float) -> list[tuple[float, float]]:
        """(v, u) of each equilibrium for constant ``I``, lowest v first."""
        if self._accommodation:
            v = ACCOMMODATION_V
            return [(v, self.k2 * v * v + self.k1 * v + self.k0 + I)]
        disc = (self.k1 - self.b) ** 2 - 4.0 * self.k2 * (self.k0 + I)
        if disc < 0:
            return []
        two_k2 = 2.0 * self.k2
        roots = sorted({(-(self.k1 - self.b) - np.sqrt(disc)) / two_k2,
                        (-(self.k1 - self.b) + np.sqrt(disc)) / two_k2})
        return [(v, self.b * v) for v in roots]

    def fixed_points(self, I: float = 0.0) -> list[dict[str, float]]:
        """Equilibria for a constant input ``I`` and their linear stability.

        Returns
        -------
        list of dict
            One per equilibrium, lowest v first: ``v`` (mV), ``u``, the two
            eigenvalues of the Jacobian (1/ms, real parts ``lambda_slow`` and
            ``lambda_fast`` or complex) and ``stable`` (both real parts < 0).
            Standard recovery: empty when I is above the saddle-node current
            ``(k1 - b)^2 / (4 k2) - k0``. Accommodation: always the one point v = -65 mV.
        """
        out = []
        for v, u in self._equilibria(I):
            eig = np.linalg.eigvals(self._jacobian(v))
            eig = eig[np.argsort(np.abs(eig))]
            out.append({
                "v": float(v),
                "u": float(u),
                "lambda_slow": _real_if_real(eig[0]),
                "lambda_fast": _real_if_real(eig[1]),
                "stable": bool(np.all(eig.real < 0)),
            })
        return out

    @property
    def saddle_node_current(self) -> float | None:
        """Input at which the resting state disappears, ``(k1 - b)^2 / (4 k2) - k0``
        (``(5 - b)^2 / 0.16 - 140`` for the 2003 quadratic). None with
        ``recovery="accommodation"``, whose single equilibrium exists for every I.
        """
        if self._accommodation:
            return None
        return (self.k1 - self.b) ** 2 / (4.0 * self.k2) - self.k0

    @property
    def hopf_current(self) -> float | None:
        """Input of the Andronov-Hopf bifurcation of the resting state, or None.

        At an equilibrium ``v*`` the Jacobian is ``[[2 k2 v* + k1, -1], [a b, -a]]``.
        With ``D = (k1 - b)^2 - 4 k2 (k0 + I)`` the equilibria are
        ``v* = (-(k1 - b) -+ sqrt(D)) / (2 k2)``, where ``2 k2 v* + k1 = b -+ sqrt(D)``, so
        ``trace = b - a -+ sqrt(D)`` and ``det = +-a sqrt(D)``. The trace vanishes with
        ``det > 0`` (a pair of imaginary eigenvalues) when ``sqrt(D) = |b - a|`` and
        ``a (b - a) > 0``, i.e. at

        ``I_H = ((k1 - b)^2 - (b - a)^2) / (4 k2) - k0``,

        below the saddle-node current ``(k1 - b)^2 / (4 k2) - k0`` (for the 2003
        quadratic: ``((5 - b)^2 - (b - a)^2) / 0.16 - 140``, 3.7975 for RS/IB/CH and
        3.9375 for FS). For ``a > 0`` and ``b > a`` the lower equilibrium, the rest, is a
        stable focus below ``I_H`` and an unstable one above it. For ``a < 0`` and
        ``b < a`` the upper equilibrium is the rest, stable only *above* ``I_H``
        (inhibition-induced spiking). Otherwise (``a (b - a) <= 0``) the rest is lost
        at the saddle-node only and this is None; also None with
        ``recovery="accommodation"`` (trace ``k1 - 130 k2`` does not depend on I).
        """
        if self._accommodation or self.a * (self.b - self.a) <= 0.0:
            return None
        return ((self.k1 - self.b) ** 2 - (self.b - self.a) ** 2) / (4.0 * self.k2) - self.k0

    def bifurcations(self) -> dict[str, float | str | None]:
        """Where the resting state of the constant-input system changes, as a summary.

        Returns
        -------
        dict
            ``"saddle_node"``: current at which rest and saddle merge and vanish
            (model units), or None. ``"hopf"``: Andronov-Hopf current (see
            :attr:`hopf_current`) or None. ``"hopf_v"``: v at the Hopf point, mV.
            ``"hopf_frequency"``: frequency of the linear oscillation there,
            ``1000 sqrt(a (b - a)) / (2 pi)`` in Hz. ``"rest_lost_by"``:
            ``"Andronov-Hopf"`` or ``"saddle-node"`` (None if neither), the bifurcation
            at which the stable rest ends as I moves towards the saddle-node current.
            ``"rest_lost_at"``: its current.
        """
        hopf, sn = self.hopf_current, self.saddle_node_current
        out: dict[str, float | str | None] = {
            "saddle_node": sn, "hopf": hopf, "hopf_v": None, "hopf_frequency": None,
            "rest_lost_by": None if sn is None else "saddle-node", "rest_lost_at": sn,
        }
        if hopf is not None:
            root = abs(self.b - self.a) if self.a > 0 else -abs(self.b - self.a)
            out["hopf_v"] = (-(self.k1 - self.b) - root) / (2.0 * self.k2)
            out["hopf_frequency"] = 1000.0 * math.sqrt(self.a * (self.b - self.a)) / (2.0 * math.pi)
            out["rest_lost_by"] = "Andronov-Hopf"
            out["rest_lost_at"] = hopf
        return out

    def simulate(
        self,
        I,
        dt: float,
        *,
        method: str = "rk4",
        V0: float | np.ndarray | None = None,
        u0: float | np.ndarray | None = None,
        record: bool = True,
        allow_unstable: bool = False,
        gain=None,
        v0: float | np.ndarray | None = None,
    ) -> SimulationResult:
        """Integrate the neuron driven by a sampled current.

        Parameters
        ----------
        I : array_like, shape (n,) or (batch, n)
            Input, model units; sample ``k`` holds on ``[t_k, t_k + dt)``.
        dt : float
            Time step, ms.
        method : {"rk4", "euler", "izhikevich2003", "izhikevich2004"}
            ``"rk4"`` (default): classical Runge-Kutta, the crossing of ``v_peak``
            found inside the step by Newton iteration (bisection if Newton misses),
            the reset applied there and the rest of the step integrated (spike times
            converge at 4th order). A step whose trial is stiff (v far below rest,
            ``-(2 k2 v + k1) dt > STIFFNESS_LIMIT``) or overflows is split into
            shorter sub-steps; ordinary runs never are.
            ``"euler"``: forward Euler for v and u from the old state (the 2020
            scheme). ``"izhikevich2003"``: the published 2003 scheme, two half steps
            for v, then u from the new v, spike when ``v >= v_peak``.
            ``"izhikevich2004"``: the scheme of the 2004 script figure1.m, one Euler
            step for v (``k2*v^2`` evaluated as written there), then u from the new v,
            spike only when ``v > v_peak`` (strict). The explicit schemes put spikes
            on the grid.
        V0 : float or array of shape (batch,), optional
            Initial v, mV (default -65); the same name as for the other models.
        u0 : float or array of shape (batch,), optional
            Initial u; default ``b * V0`` as in the 2003 paper (also for
            ``recovery="accommodation"``, whose rest is ``u = k2 65^2 - 65 k1 + k0 + I``:
            -16 for the 2003 quadratic and I = 0; pass it explicitly).
        record : bool
            Keep the traces (default); with False only spikes and the final state
            (``V`` and ``state["u"]`` of shape (..., 1)).
        allow_unstable : bool
            Allow a dt beyond the scheme's limit (``MAX_DT``), and let the grid schemes
            run where they are unstable (below). For reproducing artefacts only.
        gain : array_like of shape (batch,), optional
            Run ``len(gain)`` neurons at once, neuron ``b`` driven by ``gain[b] * I``
            (``I`` 1-D): a batch of scaled copies of one waveform without building
            a (batch, n) array. Results equal those of the explicit batch.
        v0 : float or array of shape (batch,), optional
            Older spelling of ``V0``, still accepted (not both).

        Returns
        -------
        SimulationResult
            ``V`` = v (mV), ``state["u"]``, spike times (ms), ``dt`` and ``method``.

        Raises
        ------
        ValueError
            For bad arguments (named), and where the input is outside what the scheme
            can integrate, with the neuron and the time: more than ``MAX_EVENTS_PER_STEP``
            spikes in one step; an RK4 step that would need sub-steps below
            ``MIN_SUBSTEP * dt``; a grid scheme at a v where it is unstable (its factor
            ``1 + (2 k2 v + k1) h`` below -1; not with ``allow_unstable``); any non-finite
            state. RK4 splits a step into shorter sub-steps where the quadratic is stiff
            (strong hyperpolarising input, see ``STIFFNESS_LIMIT``), so such input is
            integrated accurately rather than into a wrong trace.
        """
        _checks.method_name(method, METHODS)
        drive = prepare_drive(I, dt, gain)
        _checks.time_step(drive.dt, MAX_DT[method], method, _COARSE, allow_unstable)
        if method != "rk4" and not allow_unstable and not self._accommodation and self.a * drive.dt > 2.0:
            raise ValueError(
                f"a * dt = {self.a * drive.dt:g} > 2: the {method} update of u, factor 1 - a dt, "
                "oscillates and diverges; use a smaller dt or the default method 'rk4'"
            )
        if V0 is not None and v0 is not None:
            raise ValueError("pass the initial potential once, as V0 (v0 is its older spelling)")
        if v0 is not None:
            v_start = drive.initial("v0", v0)
        else:
            v_start = drive.initial("V0", -65.0 if V0 is None else V0)
        u_start = drive.initial("u0", self.b * v_start if u0 is None else u0)
        p = (self.a, self.b, self.c, self.d, self.v_peak)
        q = (self.k2, self.k1, self.k0)

        def kernel(traces, times, owners, status):
            return _izh_kernel(
                drive.I, drive.gains, drive.dt, p, q, self._accommodation, v_start, u_start,
                _SCHEME[method], not allow_unstable, traces, times, owners, status, record,
            )

        return run_kernel(kernel, drive, ("V", "u"), record, method, _reasons(method))
