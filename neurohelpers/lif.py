r"""Leaky (and perfect) integrate-and-fire neuron.

.. math::

    C \frac{dV}{dt} = -\frac{V - V_\mathrm{rest}}{R} + I(t)

When ``V`` reaches ``V_th`` a spike is emitted, ``V`` is set to ``V_reset`` and
held there for the refractory period ``t_ref``. Units: C in nF, R in MOhm
(so tau = R*C in ms), I in nA, V in mV, t in ms. ``R = math.inf`` gives the
perfect (non-leaky) integrate-and-fire neuron ``C dV/dt = I``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from . import _checks
from .integrate import (
    MAX_EVENTS_PER_STEP,
    NOT_FINITE,
    TOO_MANY_SPIKES,
    SimulationResult,
    fail,
    grow_spike_buffer,
    prepare_drive,
    run_kernel,
)

METHODS = ("exact", "euler")


@njit(cache=True)
def _exact_step(V, ref, Ik, t0, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, spikes, b, count):
    """One exact step [t0, t0 + dt) of neuron b with spikes and refractoriness
    resolved inside it; returns the new (V, ref, count). Spike times go to
    ``spikes[b, count], ...`` while they fit; all are counted. It stops after
    ``MAX_EVENTS_PER_STEP`` + 1 spikes (the caller then refuses the run): with
    t_ref = 0 and a huge current the sub-step to the next spike can fall below the
    float resolution of the step and the remaining time would never shrink."""
    leaky = R < math.inf
    tau = R * C
    capacity = spikes.shape[1]
    start = count
    left = dt  # time still to integrate in this step, ms
    while left > 0.0:
        if ref > 0.0:
            V = V_reset
            if ref >= left:
                ref -= left
                break
            left -= ref
            ref = 0.0
        if V >= V_th:
            s = 0.0
        else:
            if leaky:
                V_inf = V_rest + R * Ik
                decay = decay_dt if left == dt else math.exp(-left / tau)
                V_end = V_inf + (V - V_inf) * decay
            else:
                V_end = V + Ik * left / C
            if V_end < V_th:
                V = V_end
                break
            if leaky:
                s = tau * math.log((V_inf - V) / (V_inf - V_th))
            else:
                s = C * (V_th - V) / Ik
            s = min(max(s, 0.0), left)
        if count < capacity:
            spikes[b, count] = t0 + (dt - left) + s
        count += 1
        if count - start > MAX_EVENTS_PER_STEP:
            break
        V = V_reset
        ref = t_ref
        left -= s
    return V, ref, count


@njit(cache=True)
def _euler_pass(V, ref, V_next, ref_next, src, scale, dt, g, C, V_rest, V_th, V_reset, t_ref, event):
    """Forward Euler for the batch, branch-free: held at V_reset for round(t_ref / dt) whole
    steps after a spike; a proposal at or above threshold is a spike on the grid (reset,
    ``event[b]`` set); else the proposal. Writes (V_next, ref_next); returns (spikes, number
    of neurons whose proposal is -inf or NaN: the caller stops the run)."""
    spikes = 0
    bad = 0
    for b in range(V.shape[0]):
        v = V[b]
        r = ref[b]
        proposal = v + dt * (src[b] * scale - g * (v - V_rest)) / C
        hold = r > 0.5 * dt
        spike = (not hold) & (proposal >= V_th)
        V_next[b] = V_reset if hold | spike else proposal
        ref_next[b] = r - dt if hold else (t_ref if spike else r)
        event[b] = spike
        spikes += spike
        bad += (not hold) & (not (proposal > -math.inf))
    return spikes, bad


#: Most slots a growth of the spike buffer adds beyond what is needed (4M: 64 MiB, touched only as used).
_EXTRA_SLOTS_CAP = 2**22


@njit(cache=True)
def _grown_for_run(times, owners, used, need, k, n, dt):
    """The flat spike buffer grown (:func:`grow_spike_buffer`) at step ``k`` of ``n - 1`` to
    at least ``need`` slots and, so that a spike-dense run regrows once or twice rather than
    doubling again and again (each growth copies and touches fresh memory), to the spikes so
    far extrapolated at their rate since the first one over the steps left (at most
    ``_EXTRA_SLOTS_CAP`` more). The buffer's first entry is the earliest spike."""
    if used > 0:
        first = min(max(int(times[0] / dt), 0), k)
        more = used / (k + 1 - first) * (n - 1 - k)
        need = max(need, used + int(min(more, _EXTRA_SLOTS_CAP)))
    return grow_spike_buffer(times, owners, used, need)


@njit(cache=True)
def _exact_event(V, ref, Ik, k, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, scratch):
    """The exact step of one neuron with a spike or refractoriness inside it (its spike
    times in ``scratch[0, :fired]``, regrown if needed); returns (V, ref, fired, scratch)."""
    t0 = k * dt
    V_new, ref_new, fired = _exact_step(
        V, ref, Ik, t0, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, scratch, 0, 0
    )
    if MAX_EVENTS_PER_STEP >= fired > scratch.shape[1]:  # more spikes than slots: redo the step
        scratch = np.empty((1, fired))
        V_new, ref_new, fired = _exact_step(
            V, ref, Ik, t0, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, scratch, 0, 0
        )
    return V_new, ref_new, fired, scratch


@njit(cache=True)
def _lif_one(I, gain, dt, C, R, V_rest, V_th, V_reset, t_ref, V0, ref0, exact, traces, times, owners,
             status, record):
    """One neuron, a scalar loop over the steps: the arithmetic of :func:`_lif_kernel`'s
    passes and event handling, without a pass over a batch per step."""
    n = I.shape[1]
    leaky = R < math.inf
    g = 0.0 if not leaky else 1.0 / R
    decay_dt = math.exp(-dt / (R * C)) if leaky else 1.0
    scratch = np.empty((1, 64))
    used = 0
    v = V0[0]
    r = ref0[0]
    gb = gain[0]
    if record:
        traces[0, 0, 0] = v
    for k in range(n - 1):
        d = gb * I[0, k]
        if exact:
            if leaky:
                V_inf = V_rest + R * d
                proposal = V_inf + (v - V_inf) * decay_dt
                odd = False
            else:
                proposal = v + d * dt / C
                odd = proposal == -math.inf
            if r >= dt:
                v = V_reset
                r -= dt
            elif (r > 0.0) | (v >= V_th) | (not (proposal < V_th)) | odd:
                v, r, fired, scratch = _exact_event(
                    v, r, d, k, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, scratch
                )
                if fired > MAX_EVENTS_PER_STEP:
                    fail(status, TOO_MANY_SPIKES, 0, k)
                    return times, owners, used
                if used + fired > times.size:
                    times, owners = _grown_for_run(times, owners, used, used + fired, k, n, dt)
                for i in range(fired):
                    times[used + i] = scratch[0, i]
                    owners[used + i] = 0
                used += fired
                if not math.isfinite(v):
                    fail(status, NOT_FINITE, 0, k)
                    return times, owners, used
            else:
                v = proposal
        else:
            proposal = v + dt * (d - g * (v - V_rest)) / C
            if r > 0.5 * dt:
                v = V_reset
                r -= dt
            elif proposal >= V_th:
                if used == times.size:
                    times, owners = _grown_for_run(times, owners, used, used + 1, k, n, dt)
                times[used] = (k + 1) * dt
                owners[used] = 0
                used += 1
                v = V_reset
                r = t_ref
            elif proposal > -math.inf:
                v = proposal
            else:
                fail(status, NOT_FINITE, 0, k)
                return times, owners, used
        if record:
            traces[0, 0, k + 1] = v
    if not record:
        traces[0, 0, 0] = v
    return times, owners, used


@njit(cache=True)
def _lif_kernel(
    I, gain, dt, C, R, V_rest, V_th, V_reset, t_ref, V0, ref0, exact, traces, times, owners, status, record
):
    """Steps outer, neurons inner. Per step a branch-free pass (which the compiler
    vectorises) takes every neuron's ordinary update, the refractory hold and (Euler) the
    spike on the grid; the few neurons with a spike inside an exact step are then redone
    one by one with :func:`_exact_step` (sub-step spike times). Same arithmetic as
    simulating one neuron at a time (one neuron: :func:`_lif_one`). Spikes are appended
    to the flat buffer (times, owners) in step order, neurons in order within a step;
    returns (times, owners, used), or stops early with ``status`` filled (non-finite V,
    too many spikes in a step) for the lowest neuron failing at the first failing step."""
    batch = gain.shape[0]
    if batch == 1:
        return _lif_one(
            I, gain, dt, C, R, V_rest, V_th, V_reset, t_ref, V0, ref0, exact, traces, times, owners,
            status, record,
        )
    n = I.shape[1]
    shared = I.shape[0] == 1
    leaky = R < math.inf
    g = 0.0 if not leaky else 1.0 / R
    decay_dt = math.exp(-dt / (R * C)) if leaky else 1.0
    scratch = np.empty((1, 64))  # the spike times of one exact step
    used = 0
    V = V0.copy()
    ref = ref0.copy()
    # the Euler pass writes the new state here (a plain store, not a masked one), then swaps
    V_next = np.empty(batch)
    ref_next = np.empty(batch)
    drive = np.empty(batch)
    event = np.empty(batch, dtype=np.bool_)
    if record:
        for b in range(batch):
            traces[0, b, 0] = V[b]
    for k in range(n - 1):
        # the input of neuron b in this step is src[b] * scale
        if shared:
            src = gain
            scale = I[0, k]
        else:
            for b in range(batch):
                drive[b] = gain[b] * I[b, k]
            src = drive
            scale = 1.0  # exact: x * 1.0 == x
        if exact:
            for b in range(batch):
                drive[b] = src[b] * scale
            # branch-free (vectorised): the exponential (or, R = inf, linear) update; held at
            # V_reset when refractory for the whole step; else the old state and event[b] set.
            # not (proposal < V_th): at or above threshold, or NaN
            if leaky:
                for b in range(batch):
                    v = V[b]
                    r = ref[b]
                    V_inf = V_rest + R * drive[b]
                    proposal = V_inf + (v - V_inf) * decay_dt
                    hold = r >= dt
                    ev = (not hold) & ((r > 0.0) | (v >= V_th) | (not (proposal < V_th)))
                    event[b] = ev
                    V[b] = V_reset if hold else (v if ev else proposal)
                    ref[b] = r - dt if hold else r
            else:
                for b in range(batch):
                    v = V[b]
                    r = ref[b]
                    proposal = v + drive[b] * dt / C
                    hold = r >= dt
                    ev = (not hold) & (
                        (r > 0.0) | (v >= V_th) | (not (proposal < V_th)) | (proposal == -math.inf)
                    )
                    event[b] = ev
                    V[b] = V_reset if hold else (v if ev else proposal)
                    ref[b] = r - dt if hold else r
            # ... and the steps with a spike or the end of a refractory period inside, one by one
            # (a count first: a step without events skips the scan)
            n_events = 0
            for b in range(batch):
                n_events += event[b]
            for b in range(batch if n_events else 0):
                if not event[b]:
                    continue
                V[b], ref[b], fired, scratch = _exact_event(
                    V[b], ref[b], drive[b], k, dt, C, R, V_rest, V_th, V_reset, t_ref, decay_dt, scratch
                )
                if fired > MAX_EVENTS_PER_STEP:
                    fail(status, TOO_MANY_SPIKES, b, k)
                    return times, owners, used
                if used + fired > times.size:
                    times, owners = _grown_for_run(times, owners, used, used + fired, k, n, dt)
                for i in range(fired):
                    times[used + i] = scratch[0, i]
                    owners[used + i] = b
                used += fired
                if not math.isfinite(V[b]):
                    fail(status, NOT_FINITE, b, k)
                    return times, owners, used
        else:
            spikes, bad = _euler_pass(
                V, ref, V_next, ref_next, src, scale, dt, g, C, V_rest, V_th, V_reset, t_ref, event
            )
            V, V_next = V_next, V
            ref, ref_next = ref_next, ref
            if bad:
                for b in range(batch):
                    if not math.isfinite(V[b]):
                        fail(status, NOT_FINITE, b, k)
                        return times, owners, used
            if spikes:
                dense = 4 * spikes >= batch
                need = used + (batch if dense else spikes)
                if need > times.size:
                    times, owners = _grown_for_run(times, owners, used, need, k, n, dt)
                t_spike = (k + 1) * dt
                if dense:  # branch-free: write every slot, advance past the spikes only
                    for b in range(batch):
                        times[used] = t_spike
                        owners[used] = b
                        used += event[b]
                else:
                    for b in range(batch):
                        if event[b]:
                            times[used] = t_spike
                            owners[used] = b
                            used += 1
        if record:
            for b in range(batch):
                traces[0, b, k + 1] = V[b]
    if not record:
        for b in range(batch):
            traces[0, b, 0] = V[b]
    return times, owners, used


_REASONS = {
    TOO_MANY_SPIKES: (
        f"more than {MAX_EVENTS_PER_STEP} spikes within one time step: use a smaller dt or a "
        "weaker current (with t_ref = 0 the period has no lower bound and, for a huge current, "
        "falls below the float resolution of the step)"
    ),
    NOT_FINITE: "V overflowed to a non-finite value: the input is outside what float64 can represent",
}


@dataclass(frozen=True)
class LIF:
    """Leaky integrate-and-fire neuron (immutable).

    Parameters
    ----------
    C : float
        Membrane capacitance, nF (> 0).
    R : float
        Membrane resistance, MOhm (> 0); ``math.inf`` for the perfect integrator.
    V_rest : float
        Resting (leak reversal) potential, mV.
    V_th : float
        Spike threshold, mV.
    V_reset : float
        Reset potential after a spike, mV (< V_th).
    t_ref : float
        Absolute refractory period, ms (>= 0); V is held at V_reset.

    Notes
    -----
    Defaults are textbook values: tau = R*C = 10 ms, rheobase
    (V_th - V_rest)/R = 1.5 nA.
    """

    C: float = 1.0
    R: float = 10.0
    V_rest: float = -65.0
    V_th: float = -50.0
    V_reset: float = -65.0
    t_ref: float = 2.0

    def __post_init__(self) -> None:
        _checks.store_floats(self, ("C", "R", "V_rest", "V_th", "V_reset", "t_ref"), allow_inf=("R",))
        _checks.positive("C", self.C)
        R = self.R
        if math.isnan(R) or R <= 0.0:
            raise ValueError(f"R must be > 0 (math.inf for a perfect integrator), got {self.R!r}")
        if math.isfinite(R):
            _checks.positive("tau = R*C", R * self.C)
        for name in ("V_rest", "V_th", "V_reset"):
            _checks.finite(name, getattr(self, name))
        _checks.non_negative("t_ref", self.t_ref)
        if self.V_reset >= self.V_th:
            raise ValueError(
                f"V_reset ({self.V_reset:g} mV) must be below V_th ({self.V_th:g} mV)"
            )

    @property
    def tau(self) -> float:
        """Membrane time constant R*C, ms (inf for the perfect integrator)."""
        return self.R * self.C

    @property
    def rheobase(self) -> float:
        """Smallest constant current that eventually fires, nA: (V_th - V_rest)/R.

        0 for the perfect integrator (any positive current fires).
        """
        return (self.V_th - self.V_rest) / self.R

    def rate(self, I) -> np.ndarray:
        """Analytic steady firing rate for constant current ``I`` (nA), Hz.

        LIF: ``1 / (t_ref + tau * ln((R I + V_rest - V_reset) / (R I + V_rest - V_th)))``
        above rheobase, else 0. Perfect integrator:
        ``1 / (t_ref + C (V_th - V_reset) / I)`` for I > 0.
        """
        I = np.asarray(I, dtype=np.float64)
        rate = np.zeros_like(I)
        if math.isinf(self.R):
            fires = I > 0
            period = self.t_ref + self.C * (self.V_th - self.V_reset) / I[fires]
        else:
            V_inf = self.V_rest + self.R * I
            fires = V_inf > self.V_th
            period = self.t_ref + self.tau * np.log(
                (V_inf[fires] - self.V_reset) / (V_inf[fires] - self.V_th)
            )
        rate[fires] = 1000.0 / period
        return rate

    def step_limit_message(self, dt: float, method: str = "euler") -> str | None:
        """Why ``simulate`` would refuse this time step (ms) and method, or None.

        Forward Euler needs dt <= tau: for dt > tau its factor 1 - dt/tau is
        negative. The exact method has no limit.
        """
        _checks.method_name(method, METHODS)
        if method != "euler":
            return None
        return _checks.step_limit_message(
            dt,
            self.tau,
            "forward Euler",
            f"with tau = R*C = {self.tau:g} ms the Euler factor 1 - dt/tau is negative "
            "for dt > tau, so V overshoots and oscillates (diverges for dt > 2 tau)",
        )

    def simulate(
        self,
        I,
        dt: float,
        *,
        method: str = "exact",
        V0: float | np.ndarray | None = None,
        refractory0: float | np.ndarray = 0.0,
        record: bool = True,
        allow_unstable: bool = False,
        gain=None,
    ) -> SimulationResult:
        """Integrate the neuron driven by a sampled current.

        Parameters
        ----------
        I : array_like, shape (n,) or (batch, n)
            Input current, nA; sample ``k`` holds on ``[t_k, t_k + dt)``.
        dt : float
            Time step, ms.
        method : {"exact", "euler"}
            ``"exact"`` (default): exponential update, exact for piecewise-constant
            input; threshold crossings solved inside the step and the refractory
            period applied from that time (sub-step precision). ``"euler"``:
            forward Euler with spikes on the grid, the 2020 scheme; V is held at
            V_reset for round(t_ref / dt) steps after a spike.
        V0 : float or array of shape (batch,), optional
            Initial potential, mV; default ``V_rest``.
        refractory0 : float or array of shape (batch,)
            Refractory time left at t = 0, ms (>= 0).
        record : bool
            Keep the voltage trace (default). With False only spikes are kept and
            ``res.V`` holds the final potential, shape (..., 1).
        allow_unstable : bool
            Let ``"euler"`` run with dt > tau (it then oscillates or diverges); for
            demonstrating the artefact only.
        gain : array_like of shape (batch,), optional
            Run ``len(gain)`` neurons at once, neuron ``b`` driven by ``gain[b] * I``
            (``I`` 1-D): a batch of scaled copies of one waveform without building
            a (batch, n) array. Results equal those of the explicit batch.

        Returns
        -------
        SimulationResult
            ``V`` in mV, spike times in ms, empty ``state``, ``dt`` and ``method``.

        Raises
        ------
        ValueError
            For bad arguments (named); for more than ``MAX_EVENTS_PER_STEP`` spikes in
            one step (t_ref = 0 with a huge current) or a non-finite V.
        """
        _checks.method_name(method, METHODS)
        drive = prepare_drive(I, dt, gain)
        refusal = self.step_limit_message(drive.dt, method)
        if refusal and not allow_unstable:
            raise ValueError(refusal)
        if drive.batch:
            self._check_scale(drive)
        V_start = drive.initial("V0", self.V_rest if V0 is None else V0)
        ref_start = drive.initial("refractory0", refractory0)
        negative = refractory0 < 0.0 if type(refractory0) is float else np.any(ref_start < 0.0)
        if negative:
            raise ValueError(f"refractory0 must be >= 0 ms, got {refractory0!r}")

        def kernel(traces, times, owners, status):
            return _lif_kernel(
                drive.I, drive.gains, drive.dt, self.C, self.R, self.V_rest, self.V_th, self.V_reset,
                self.t_ref, V_start, ref_start, method == "exact", traces, times, owners, status, record,
            )

        return run_kernel(kernel, drive, ("V",), record, method, _REASONS)

    def _check_scale(self, drive) -> None:
        """Refuse currents whose voltage scale (R I, or I dt / C) overflows float64."""
        scale = max(self.R if math.isfinite(self.R) else 0.0, drive.dt / self.C)
        peak = drive.peak  # max |gains| * max |I| (Python floats: inf on overflow, no warning)
        if math.isnan(peak):  # a Drive built without prepare_drive
            peak = float(np.max(np.abs(drive.gains))) * float(np.max(np.abs(drive.I)))
        peak = peak * scale
        if not math.isfinite(peak):
            raise ValueError("I is so large that R * I (or I * dt / C) overflows float64 (mV)")
