"""Shared simulation plumbing: the result type, the model protocol, the sparse spike
buffer of the compiled kernels and the simulate recipe LIF and Izhikevich share.

Recipe: ``drive = prepare_drive(I, dt, gain)`` checks the time step, the current and
an optional per-neuron gain; the model checks its own options and its initial state
(``drive.initial(name, value)``); ``run_kernel(kernel, drive, names, record, method,
reasons)`` runs the compiled kernel and returns the :class:`SimulationResult`.
The kernel integrates every neuron, appending spike times to one flat buffer that
it grows (doubling) as needed, so memory follows the total number of spikes, not
batch x the most spikes of any neuron; a kernel that meets an input its scheme
cannot integrate stops and reports a status code, raised here as a ``ValueError``
naming the neuron and the time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numba import njit

from . import _checks

#: Fewest spike slots per neuron allocated before the first attempt (legacy dense buffer).
MIN_SPIKE_CAPACITY = 64
#: Spike slots (all neurons together) the first attempt may allocate: 16 MB (legacy dense buffer).
SPIKE_SLOT_BUDGET = 2**21
#: Spike slots of the flat buffer before its first growth (it doubles when full).
INITIAL_SPIKE_SLOTS = 4096
#: Most spikes one neuron may fire within one time step before a kernel gives up.
MAX_EVENTS_PER_STEP = 100_000

# kernel status codes (status[0]); status[1] = neuron, status[2] = time step index
OK = 0
TOO_MANY_SPIKES = 1
NOT_FINITE = 2
TOO_STIFF = 3
UNSTABLE = 4


class _PendingTrains:
    """The kernel's flat spike buffer, not yet split into one train per neuron."""

    __slots__ = ("batch", "owners", "times", "was_1d")

    def __init__(self, times: np.ndarray, owners: np.ndarray, batch: int, was_1d: bool) -> None:
        self.times, self.owners, self.batch, self.was_1d = times, owners, batch, was_1d

    def split(self) -> np.ndarray | list[np.ndarray]:
        per_row = split_spikes(self.times, self.owners, self.batch)
        return per_row[0] if self.was_1d else per_row


class _LazyTrains:
    """Data descriptor for ``SimulationResult.spike_times``: a :class:`_PendingTrains` given to
    the constructor is split into trains on first read (then kept), so a caller that only
    needs the flat buffer (e.g. ``fi_curve``) never builds one array per neuron."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:  # no class-level default: the dataclass field stays required
            raise AttributeError(self.slot[1:])
        value = obj.__dict__[self.slot]
        if type(value) is _PendingTrains:
            value = value.split()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class SimulationResult:
    """What a model's ``simulate`` returns.

    Attributes
    ----------
    t : numpy.ndarray, shape (n,)
        Time of each sample, ms.
    V : numpy.ndarray, shape like the input current
        Membrane potential at each sample time, mV. ``V[..., 0]`` is the initial
        state. Without recording (``record=False``) the final state only, shape (..., 1).
    spike_times : numpy.ndarray or list of numpy.ndarray
        Spike times, ms: one 1-D array for a 1-D input, a list of them (one per
        row) for a 2-D input. The compiled kernels' results build these arrays on
        first access.
    state : dict of str to numpy.ndarray
        The model's other state variables, each shaped like ``V``
        (Izhikevich: ``"u"``; Hodgkin-Huxley: ``"m"``, ``"h"``, ``"n"``).
    dt : float or None
        Time step of the run, ms.
    method : str or None
        Integration scheme of the run.
    """

    t: np.ndarray
    V: np.ndarray
    spike_times: np.ndarray | list[np.ndarray] = _LazyTrains()
    state: dict[str, np.ndarray] = field(default_factory=dict)
    dt: float | None = None
    method: str | None = None

    def flat_spikes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The run's spikes as the kernel left them, if ``spike_times`` has not been read yet.

        Returns
        -------
        (times, owners) or None
            ``times`` (ms, float64) and ``owners`` (int64, the row of each spike), 1-D and
            of equal length; each neuron's spikes appear in time order, neurons interleaved.
            Views of the kernel's buffer: do not modify them. None when the trains were already built (or
            the result was made from trains), then use ``spike_times``.
        """
        value = self.__dict__.get("_spike_times")
        if type(value) is _PendingTrains:
            return value.times, value.owners
        return None


@runtime_checkable
class SpikingModel(Protocol):
    """What the protocols (``fi_curve``, thresholds, ...) may use of a model: ``simulate``
    with a sampled current ``I`` (model units), a time step ``dt`` (ms) and the keyword
    options every model has: ``method`` (scheme name; each model has its own default),
    ``V0`` (initial potential, mV; the model's rest if None), ``record`` (keep traces),
    ``allow_unstable`` (step sizes beyond the scheme's limit) and ``gain`` (a batch of
    scaled copies of one waveform). LIF, Izhikevich and HodgkinHuxley satisfy it;
    ``isinstance(model, SpikingModel)`` checks that ``simulate`` exists."""

    def simulate(
        self,
        I,
        dt: float,
        *,
        method: str = ...,
        V0: float | np.ndarray | None = None,
        record: bool = True,
        allow_unstable: bool = False,
        gain=None,
    ) -> SimulationResult:
        """Integrate the model driven by ``I`` sampled every ``dt`` ms."""
        ...


# --- the sparse spike buffer ------------------------------------------------------------------------


@njit(cache=True)
def push_spike(times, owners, used, t, row):
    """Append spike time ``t`` (ms) of neuron ``row`` to the flat buffer.

    Returns ``(times, owners, used)``: the same arrays, or copies of twice the size
    when they were full.
    """
    if used >= times.size:
        size = max(2 * times.size, 16)
        grown_t = np.empty(size)
        grown_o = np.empty(size, dtype=np.int64)
        grown_t[:used] = times[:used]
        grown_o[:used] = owners[:used]
        times, owners = grown_t, grown_o
    times[used] = t
    owners[used] = row
    return times, owners, used + 1


@njit(cache=True)
def grow_spike_buffer(times, owners, used, need):
    """The flat buffer's first ``used`` entries copied into arrays of ``max(2 * size, need,
    16)`` slots: the growth of :func:`push_spike`, for kernels that append inline."""
    size = max(2 * times.size, need, 16)
    grown_t = np.empty(size)
    grown_o = np.empty(size, dtype=np.int64)
    grown_t[:used] = times[:used]
    grown_o[:used] = owners[:used]
    return grown_t, grown_o


@njit(cache=True)
def push_spikes(times, owners, used, new, n_new, row):
    """Append the first ``n_new`` times of ``new`` (ms), all of neuron ``row``."""
    for i in range(n_new):
        times, owners, used = push_spike(times, owners, used, new[i], row)
    return times, owners, used


@njit(cache=True)
def fail(status, code, row, k):
    """Record why a kernel stops: ``status = (code, neuron, time step index)``."""
    status[0] = code
    status[1] = row
    status[2] = k


def split_spikes(times: np.ndarray, owners: np.ndarray, batch: int) -> list[np.ndarray]:
    """One array of spike times (ms) per neuron from the flat buffer (each neuron's
    spikes in the order they were pushed, which is time order). The rows are consecutive
    slices of one new array holding exactly these spikes (no copy per row: for a
    spike-dense batch that would fault in the memory a second time)."""
    grouped, edges, reordered = _group_by_owner(times, np.asarray(owners, dtype=np.int64), batch)
    if not reordered:  # ``grouped`` is the caller's buffer: take it out
        grouped = grouped.copy()
    bounds = edges.tolist()
    return [grouped[bounds[row]:bounds[row + 1]] for row in range(batch)]


@njit(cache=True)
def _group_by_owner(times, owners, batch):
    """``times`` reordered by owner, stably (a counting sort, one pass), the (batch + 1,)
    edges of each owner's run, and whether it is a new array (else ``times`` itself,
    already in owner order); owners outside 0 .. batch-1 are left out."""
    edges = np.zeros(batch + 1, dtype=np.int64)
    in_order = True
    for i in range(owners.size):
        o = owners[i]
        if 0 <= o < batch:
            edges[o + 1] += 1
        if i and o < owners[i - 1]:
            in_order = False
    for row in range(batch):
        edges[row + 1] += edges[row]
    if in_order and edges[batch] == owners.size:  # already grouped (one neuron, or neurons in order)
        return times, edges, False
    grouped = np.empty(edges[batch])
    fill = edges[:batch].copy()
    for i in range(owners.size):
        o = owners[i]
        if 0 <= o < batch:
            grouped[fill[o]] = times[i]
            fill[o] += 1
    return grouped, edges, True


# --- the shared simulate recipe ---------------------------------------------------------------------


@dataclass(frozen=True)
class Drive:
    """A checked input: ``I`` of shape (rows, n), float64, C-contiguous, where rows is the
    batch size, or 1 when one waveform is shared and neuron b receives ``gains[b] * I[0]``;
    ``gains`` (batch,); ``dt`` in ms; ``was_1d`` when the caller passed one trace; ``peak``
    the largest ``|gains[b] * I|`` bound, max |gains| * max |I|."""

    I: np.ndarray
    gains: np.ndarray
    dt: float
    was_1d: bool
    #: max |gains| * max |I| (NaN if not computed, e.g. for an empty batch)
    peak: float = math.nan

    @property
    def batch(self) -> int:
        return self.gains.size

    @property
    def n(self) -> int:
        return self.I.shape[1]

    def initial(self, name: str, value) -> np.ndarray:
        """An initial value (scalar or one per neuron) as a (batch,) float64 array;
        ``ValueError`` naming ``name`` if it is not real, finite and of that shape."""
        return _checks.initial_value(name, value, self.batch)


def prepare_drive(I, dt, gain=None) -> Drive:
    """Check the time step (a finite scalar > 0, ms), the current and the optional gain.

    Raises
    ------
    ValueError
        Naming ``dt``, ``I`` or ``gain``; also when ``gain * I`` overflows.
    """
    dt = _checks.positive("dt", dt)
    I2, gains, was_1d, peak_I, peak_gain = _checks.drive_with_peaks(I, gain)
    if gains.size == 0:  # an empty batch: nothing to integrate
        return Drive(I2, gains, dt, was_1d)
    peak = peak_gain * peak_I  # Python floats: inf on overflow, no warning
    if not math.isfinite(peak):
        raise ValueError("gain * I overflows float64; use smaller currents or gains")
    return Drive(I2, gains, dt, was_1d, peak)


KernelRun = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple]


def run_kernel(
    kernel: KernelRun,
    drive: Drive,
    names: tuple[str, ...],
    record: bool,
    method: str,
    reasons: Mapping[int, str],
) -> SimulationResult:
    """Run a compiled kernel with a flat spike buffer and package its result.

    Parameters
    ----------
    kernel : callable
        ``kernel(traces, times, owners, status) -> (times, owners, used)``: integrates
        every neuron, writes the traces (shape (len(names), batch, n), or
        (len(names), batch, 1) holding the final state when not recording), pushes
        spikes with :func:`push_spike`, and on failure fills ``status`` with
        :func:`fail` and returns.
    drive : Drive
        From :func:`prepare_drive`.
    names : tuple of str
        Names of the traced variables, V first (only the others go into ``state``).
    record : bool
        Whether the traces are kept.
    method : str
        Scheme name, stored in the result.
    reasons : mapping of int to str
        Message for each status code the kernel may report.

    Raises
    ------
    ValueError
        When the kernel reports a status other than ``OK``.
    """
    traces = np.empty((len(names), drive.batch, drive.n if record else 1))
    status = np.zeros(3, dtype=np.int64)
    times = np.empty(INITIAL_SPIKE_SLOTS)
    owners = np.empty(INITIAL_SPIKE_SLOTS, dtype=np.int64)
    times, owners, used = kernel(traces, times, owners, status)
    if status[0] != OK:
        code, row, k = (int(x) for x in status)
        raise ValueError(
            f"{reasons.get(code, 'the integration failed')} (neuron {row}, step {k}: "
            f"t = {k * drive.dt:g} to {(k + 1) * drive.dt:g} ms, dt = {drive.dt:g} ms, method {method!r})"
        )
    times, owners = times[:used], owners[:used]
    # the trains are split from the flat buffer when first read (see SimulationResult.flat_spikes)
    pending = _PendingTrains(times, owners, drive.batch, drive.was_1d)
    return _result(sample_times(drive.n, drive.dt), traces, pending, names, drive.was_1d, drive.dt, method)


def _result(t, traces, per_row, names, was_1d, dt=None, method=None) -> SimulationResult:
    if type(per_row) is _PendingTrains:  # split on first read, in the caller's shape
        spike_times = per_row
    elif was_1d:
        spike_times = per_row[0]
    else:
        spike_times = per_row
    arrays = [trace[0] for trace in traces] if was_1d else list(traces)
    state = {name: arr for name, arr in zip(names[1:], arrays[1:], strict=True)}
    return SimulationResult(t=t, V=arrays[0], spike_times=spike_times, state=state, dt=dt, method=method)


def sample_times(n: int, dt: float) -> np.ndarray:
    """Times of ``n`` samples spaced ``dt`` ms apart, starting at 0 ms."""
    return np.arange(n, dtype=np.float64) * dt


# --- legacy dense buffer (kept for kernels that still write a (batch, capacity) array) --------------

KernelCall = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


def run_with_spike_buffer(
    kernel_call: KernelCall,
    batch: int,
    n: int,
    n_traces: int,
    record: bool,
    capacity: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run a kernel, growing its spike buffer until every spike time fits.

    Parameters
    ----------
    kernel_call : callable
        ``kernel_call(traces, spikes, counts, record_flag)`` runs the kernel;
        ``traces`` has shape (n_traces, batch, n) (or (n_traces, batch, 1) when not
        recording), ``spikes`` (batch, capacity) and ``counts`` (batch,).
    batch, n : int
        Number of neurons and of time samples.
    n_traces : int
        Number of recorded variables (V first).
    record : bool
        Whether to keep the traces; without them memory is O(batch).
    capacity : int, optional
        Initial number of spike slots per neuron. Default: one per time step (a
        grid scheme can never overflow that) within ``SPIKE_SLOT_BUDGET`` slots in
        all, and at least ``MIN_SPIKE_CAPACITY``; a rerun is then rare.

    Returns
    -------
    traces, spikes, counts : numpy.ndarray
    """
    traces = np.empty((n_traces, batch, n if record else 1))
    if capacity is None:
        capacity = max(MIN_SPIKE_CAPACITY, min(n, SPIKE_SLOT_BUDGET // max(batch, 1)))
    while True:
        spikes = np.empty((batch, capacity))
        counts = np.zeros(batch, dtype=np.int64)
        kernel_call(traces, spikes, counts, record)
        most = int(counts.max()) if batch else 0
        if most <= capacity:
            return traces, spikes, counts
        capacity = most


def spike_lists(spikes: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """Split a (batch, capacity) spike buffer into one array of times (ms) per row."""
    return [spikes[row, : counts[row]].copy() for row in range(spikes.shape[0])]


def package_result(
    t: np.ndarray,
    traces: np.ndarray,
    spikes: np.ndarray,
    counts: np.ndarray,
    names: tuple[str, ...],
    was_1d: bool,
    dt: float | None = None,
    method: str | None = None,
) -> SimulationResult:
    """Build a :class:`SimulationResult` in the shape the caller passed in (dense buffer)."""
    return _result(t, traces, spike_lists(spikes, counts), ("V", *names), was_1d, dt, method)
