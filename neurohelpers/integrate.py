"""Shared simulation plumbing: the result type and the spike buffer of the kernels.

The compiled kernels write spike times into a preallocated (batch, capacity)
buffer and count every spike, also those that did not fit. If a row overflows,
the run is repeated with a buffer large enough for it, so callers never lose
spikes and never pay for a buffer of n steps per neuron up front.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: Fewest spike slots per neuron allocated before the first attempt.
MIN_SPIKE_CAPACITY = 64
#: Spike slots (all neurons together) the first attempt may allocate: 16 MB.
SPIKE_SLOT_BUDGET = 2**21


@dataclass(frozen=True)
class SimulationResult:
    """What a model's ``simulate`` returns.

    Attributes
    ----------
    t : numpy.ndarray, shape (n,)
        Time of each sample, ms.
    V : numpy.ndarray, shape like the input current
        Membrane potential at each sample time, mV. ``V[..., 0]`` is the initial state.
    spike_times : numpy.ndarray or list of numpy.ndarray
        Spike times, ms: one 1-D array for a 1-D input, a list of them (one per
        row) for a 2-D input.
    state : dict of str to numpy.ndarray
        The model's other state variables, each shaped like ``V``
        (Izhikevich: ``"u"``; Hodgkin-Huxley: ``"m"``, ``"h"``, ``"n"``).
    """

    t: np.ndarray
    V: np.ndarray
    spike_times: np.ndarray | list[np.ndarray]
    state: dict[str, np.ndarray] = field(default_factory=dict)


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
) -> SimulationResult:
    """Build a :class:`SimulationResult` in the shape the caller passed in."""
    per_row = spike_lists(spikes, counts)
    if was_1d:
        arrays = [trace[0] for trace in traces]
        spike_times: np.ndarray | list[np.ndarray] = per_row[0]
    else:
        arrays = list(traces)
        spike_times = per_row
    state = {name: arr for name, arr in zip(names, arrays[1:], strict=True)}
    return SimulationResult(t=t, V=arrays[0], spike_times=spike_times, state=state)


def sample_times(n: int, dt: float) -> np.ndarray:
    """Times of ``n`` samples spaced ``dt`` ms apart, starting at 0 ms."""
    return np.arange(n, dtype=np.float64) * dt
