import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import neurohelpers as nh


def test_trace_figure_has_labelled_panels_and_spike_peaks():
    t = nh.time_axis(100.0, 0.1)
    I = nh.pulse_current(t, [(20, 80, 3.0)])
    res = nh.LIF().simulate(I, 0.1)
    fig = nh.trace_figure(res, I, spike_peak=20.0, threshold=-50.0)
    axes = fig.get_axes()
    assert [ax.get_ylabel() for ax in axes] == ["Membrane potential (mV)", "Input current (nA)"]
    assert axes[-1].get_xlabel() == "Time (ms)"
    drawn = axes[0].get_lines()[0].get_ydata()
    assert np.sum(drawn == 20.0) == res.spike_times.size  # one peak per spike
    assert tuple(fig.get_size_inches()) == (9.0, 5.5)
    plt.close(fig)


def test_trace_figure_with_gates_and_bad_shapes():
    t = nh.time_axis(50.0, 0.02)
    I = nh.pulse_current(t, [(5, 45, 10.0)])
    res = nh.HodgkinHuxley().simulate(I, 0.02)
    fig = nh.trace_figure(res, I, gates=("m", "h", "n"), current_label=r"$I$ ($\mu$A/cm$^2$)")
    assert fig.get_axes()[2].get_ylabel() == "Gate value (1)"
    plt.close(fig)
    with pytest.raises(ValueError, match="current"):
        nh.trace_figure(res, I[:-1])


def test_with_spike_peaks_inserts_in_time_order():
    t2, V2 = nh.with_spike_peaks([0.0, 1.0, 2.0], [-1.0, -2.0, -3.0], [0.5, 1.5], 30.0)
    assert np.array_equal(t2, [0.0, 0.5, 1.0, 1.5, 2.0])
    assert np.array_equal(V2, [-1.0, 30.0, -2.0, 30.0, -3.0])


def test_fi_figure_labels():
    currents = np.linspace(0, 5, 6)
    fig = nh.fi_figure(currents, nh.LIF().rate(currents), markers={"rheobase": 1.5})
    ax = fig.get_axes()[0]
    assert ax.get_xlabel() == "Input current (nA)" and ax.get_ylabel() == "Firing rate (Hz)"
    plt.close(fig)


def test_phase_plane_draws_one_reset_per_spike():
    rs = nh.Izhikevich.preset("RS")
    t = nh.time_axis(200.0, 0.05)
    res = rs.simulate(nh.pulse_current(t, [(10, 200, 10.0)]), 0.05, v0=-70.0, u0=-14.0)
    fig = nh.phase_plane_figure(rs, res, currents=(0.0, 10.0))
    ax = fig.get_axes()[0]
    resets = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(resets) == res.spike_times.size > 0
    assert all(ln.get_xdata()[1] == rs.c for ln in resets)
    assert ax.get_xlabel() == "Membrane potential v (mV)"
    plt.close(fig)


def test_phase_plane_accepts_a_spike_on_the_last_sample():
    """Regression: a grid scheme logs a spike in the last step at t[-1]; it used to raise IndexError."""
    import matplotlib.pyplot as plt

    rs = nh.Izhikevich.preset("RS")
    t = nh.time_axis(20.0, 0.5)
    res = rs.simulate(np.full(t.size, 30.0), 0.5, method="euler")
    n_last = int(np.searchsorted(t, res.spike_times[-1]))
    cut = n_last + 1  # end the trace exactly at the sample of the last spike
    short = nh.SimulationResult(t=t[:cut], V=res.V[:cut], spike_times=res.spike_times,
                                state={"u": res.state["u"][:cut]})
    assert short.spike_times[-1] == short.t[-1]
    fig = nh.phase_plane_figure(rs, short, currents=(30.0,))
    assert len(fig.axes) == 1
    plt.close(fig)


def test_with_spike_peaks_refuses_a_batch():
    t = np.linspace(0.0, 1.0, 11)
    with pytest.raises(ValueError, match="one trace"):
        nh.with_spike_peaks(t, np.zeros((2, 11)), [0.5], 30.0)
