"""Regression tests for the shared protocols (fi_curve, threshold_amplitude, rheobase):
bad input gets a clear ValueError, and no input makes them loop forever."""

import math

import numpy as np
import pytest

import neurohelpers as nh


class CountingModel:
    """Wraps a model and stops the test (instead of hanging) after ``limit`` simulate calls."""

    def __init__(self, model, limit=400):
        self.model, self.limit, self.calls = model, limit, 0

    def simulate(self, *args, **kwargs):
        self.calls += 1
        if self.calls > self.limit:
            raise RuntimeError(f"more than {self.limit} simulate calls: the bisection does not stop")
        return self.model.simulate(*args, **kwargs)


@pytest.mark.parametrize("key", ["record", "gain"])
def test_fi_curve_refuses_the_options_it_sets_itself(key):
    with pytest.raises(ValueError, match=key):
        nh.fi_curve(nh.LIF(), [1.0, 2.0], **{key: True})


def test_threshold_amplitude_refuses_record():
    t = nh.time_axis(10.0, 0.1)
    with pytest.raises(ValueError, match="record"):
        nh.threshold_amplitude(nh.LIF(), np.zeros_like(t), np.ones_like(t), (0, 10), dt=0.1,
                               low=0.0, high=10.0, record=True)


@pytest.mark.parametrize("dt", [200.0, 100.0, 70.0])
def test_fi_curve_refuses_a_step_too_coarse_for_the_pulse(dt):
    """dt = 200 > duration = 100 used to return a rate of 0 for any current."""
    with pytest.raises(ValueError, match="dt"):
        nh.fi_curve(nh.LIF(), [5.0], dt=dt, duration=100.0, onset=20.0, offset=80.0)


def test_fi_curve_refuses_complex_currents():
    with pytest.raises(ValueError, match="currents must be real"):
        nh.fi_curve(nh.LIF(), np.array([1.0 + 2.0j, 3.0]))


def test_threshold_amplitude_refuses_complex_waveforms():
    t = nh.time_axis(10.0, 0.1)
    with pytest.raises(ValueError, match="shape must be real"):
        nh.threshold_amplitude(nh.LIF(), np.zeros_like(t), np.ones_like(t) * 1j, (0, 10), dt=0.1,
                               low=0.0, high=10.0)


def test_threshold_amplitude_stops_at_adjacent_floats_when_tol_is_below_their_spacing():
    """tol = 1e-300 is far below the float spacing near 2 nA: the bisection used to loop forever."""
    model = CountingModel(nh.LIF())
    t = nh.time_axis(30.0, 0.1)
    shape = nh.pulse_current(t, [(5.0, 25.0, 1.0)])
    found = nh.threshold_amplitude(model, np.zeros_like(t), shape, (0, 30), dt=0.1,
                                   low=0.0, high=10.0, tol=1e-300)
    # closed form: R I (1 - exp(-20 / tau)) = V_th - V_rest; spike times resolve to float precision
    expected = 15.0 / (10.0 * (1 - math.exp(-2.0)))
    assert found == pytest.approx(expected, rel=1e-9)
    assert model.calls < 200


def test_rheobase_stops_when_tol_is_below_the_float_spacing():
    model = CountingModel(nh.LIF())
    found = nh.rheobase(model, onset=10.0, duration=60.0, high=10.0, tol=1e-300, dt=0.1)
    assert found == pytest.approx(15.0 / (10.0 * (1 - math.exp(-5.0))), rel=1e-9)
    assert model.calls < 200


def test_threshold_amplitude_refuses_a_non_finite_bracket():
    t = nh.time_axis(10.0, 0.1)
    with pytest.raises(ValueError, match="high"):
        nh.threshold_amplitude(nh.LIF(), np.zeros_like(t), np.ones_like(t), (0, 10), dt=0.1,
                               low=0.0, high=math.inf)


def _own_rates(trains, window, method):
    """The documented rates, train by train: spikes with start <= t < stop; "count" is
    their number over the window length, "isi" (k - 1) over (last - first), 0 if k < 2."""
    start, stop = window
    out = []
    for s in trains:
        s_in = s[(s >= start) & (s < stop)]
        if method == "count":
            out.append(1000.0 * s_in.size / (stop - start))
        else:
            out.append(1000.0 * (s_in.size - 1) / (s_in[-1] - s_in[0]) if s_in.size >= 2 else 0.0)
    return np.array(out)


@pytest.mark.parametrize(
    "model, amps, kw",
    [
        (nh.LIF(t_ref=2.0), np.linspace(0.0, 6.0, 23), {"method": "euler", "dt": 0.02}),
        (nh.LIF(), np.linspace(0.0, 6.0, 23), {"dt": 0.02}),
        (nh.Izhikevich.preset("RS"), np.linspace(0.0, 20.0, 23), {"method": "euler", "dt": 0.02}),
    ],
)
@pytest.mark.parametrize("measure", ["count", "isi"])
def test_fi_curve_rates_match_each_train_with_spikes_on_the_window_edges(model, amps, kw, measure):
    kw = dict(kw)  # the parameter dict is shared between the measures
    dt = kw.pop("dt")
    shape = nh.pulse_current(nh.time_axis(100.0, dt), [(20.0, 80.0, 1.0)])
    trains = model.simulate(shape, dt, record=False, gain=amps, **kw).spike_times
    busy = max(trains, key=lambda s: s.size)
    assert busy.size >= 4
    # windows starting and ending exactly on spikes, one of them only 2 spikes wide
    windows = [(float(busy[0]), float(busy[-1])), (float(busy[1]), float(busy[3])), (20.0, 80.0)]
    # the narrow window holds 0, 1 and 2 spikes of different trains
    assert {int(np.sum((s >= busy[1]) & (s < busy[3]))) for s in trains} == {0, 1, 2}
    for window in windows:
        expected = _own_rates(trains, window, measure)
        for chunk in (1024, 5):  # one chunk, and chunks that split the batch
            got = nh.fi_curve(model, amps, dt=dt, measure=measure, window=window, chunk_size=chunk, **kw)
            np.testing.assert_array_equal(got, expected)


def test_simulation_result_keeps_the_flat_buffer_until_the_trains_are_read():
    res = nh.LIF().simulate(np.full(2000, 3.0), 0.02, record=False, gain=[0.5, 1.0, 2.0])
    times, owners = res.flat_spikes()
    assert times.size == owners.size and set(owners.tolist()) <= {0, 1, 2}
    trains = res.spike_times
    assert res.flat_spikes() is None  # released once the trains are built
    for row, train in enumerate(trains):
        np.testing.assert_array_equal(train, times[owners == row])
