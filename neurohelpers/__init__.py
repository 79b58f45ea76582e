"""neurohelpers: fast, tested single-neuron models for the neural-models coursework.

Units everywhere: time ms, voltage mV, rates Hz. LIF currents in nA (C nF,
R MOhm); Izhikevich in its own units; Hodgkin-Huxley in uA/cm^2.

>>> import neurohelpers as nh
>>> t = nh.time_axis(duration=100.0, dt=0.02)
>>> I = nh.pulse_current(t, [(20, 80, 3.0)])
>>> res = nh.LIF().simulate(I, dt=0.02)
>>> rate = nh.firing_rate(res.spike_times, window=(20, 80))
"""

from . import feature_checks, plotting, protocols, tables
from .analysis import (
    convergence_order,
    decay_time_constant,
    firing_rate,
    isi_statistics,
    spike_times,
)
from .hodgkin_huxley import HodgkinHuxley, gate_rates, steady_state_gates
from .integrate import SimulationResult, SpikingModel
from .izhikevich import PRESETS, Izhikevich
from .lif import LIF
from .plotting import fi_figure, phase_plane_figure, trace_figure, with_spike_peaks
from .protocols import fi_curve, rheobase, threshold_amplitude
from .stimulus import pulse_current, step_current, time_axis

__all__ = [
    "LIF",
    "PRESETS",
    "HodgkinHuxley",
    "Izhikevich",
    "SimulationResult",
    "SpikingModel",
    "convergence_order",
    "decay_time_constant",
    "feature_checks",
    "fi_curve",
    "fi_figure",
    "firing_rate",
    "gate_rates",
    "isi_statistics",
    "phase_plane_figure",
    "plotting",
    "protocols",
    "pulse_current",
    "rheobase",
    "spike_times",
    "steady_state_gates",
    "step_current",
    "tables",
    "threshold_amplitude",
    "time_axis",
    "trace_figure",
    "with_spike_peaks",
]

__version__ = "0.1.0"
