"""A batch equals its rows run one by one; bad input raises a ValueError naming the problem."""

import math

import numpy as np
import pytest

import neurohelpers as nh

MODELS = [
    (nh.LIF(), 0.05, np.array([0.5, 2.0, 6.0, 40.0])),
    (nh.LIF(R=math.inf, t_ref=0.0), 0.05, np.array([0.5, 2.0, 6.0, 40.0])),
    (nh.Izhikevich.preset("CH"), 0.05, np.array([0.0, 5.0, 10.0, 30.0])),
    (nh.HodgkinHuxley(), 0.02, np.array([0.0, 3.0, 10.0, 100.0])),
]


@pytest.mark.parametrize("model, dt, amplitudes", MODELS)
def test_batch_equals_rows(model, dt, amplitudes):
    t = nh.time_axis(150.0, dt)
    I = nh.pulse_current(t, [(20, 120, amplitudes)])
    batch = model.simulate(I, dt)
    assert batch.V.shape == I.shape
    for row in range(I.shape[0]):
        single = model.simulate(I[row], dt)
        assert np.array_equal(batch.V[row], single.V)
        assert np.array_equal(batch.spike_times[row], single.spike_times)
        for name, trace in single.state.items():
            assert np.array_equal(batch.state[name][row], trace)
    silent = model.simulate(I, dt, record=False)
    for row in range(I.shape[0]):
        assert np.array_equal(silent.spike_times[row], batch.spike_times[row])


def test_spike_buffer_grows_past_its_initial_capacity(monkeypatch):
    """Start the flat spike buffer at 16 slots: storing the 500 spikes of this run needs
    several doublings; the times must equal the perfect integrator's closed form
    t_k = k C (V_th - V_reset) / I and the run with a buffer that never grows."""
    model = nh.LIF(R=math.inf, t_ref=0.0)  # period C (V_th - V_reset) / I = 15 / 75 = 0.2 ms
    roomy = model.simulate(np.full(1001, 75.0), 0.1)
    monkeypatch.setattr(nh.integrate, "INITIAL_SPIKE_SLOTS", 16)
    grown_slots = []
    split = nh.integrate.split_spikes

    def spy(times, owners, batch):
        grown_slots.append(times.base.size if times.base is not None else times.size)
        return split(times, owners, batch)

    monkeypatch.setattr(nh.integrate, "split_spikes", spy)
    res = model.simulate(np.full(1001, 75.0), 0.1)
    assert res.spike_times.size == 500 and grown_slots[0] >= 500 > 16  # the buffer was regrown
    assert np.allclose(res.spike_times, 0.2 * np.arange(1, 501), rtol=0, atol=1e-9)
    assert np.array_equal(res.spike_times, roomy.spike_times)


def test_many_spikes_within_one_step_regrow_the_step_buffer():
    """1000 spikes inside each 1 ms step (more than the 64 slots a step starts with)."""
    model = nh.LIF(R=math.inf, t_ref=0.0)
    res = model.simulate(np.full(4, 15000.0), 1.0)  # period 15 / 15000 = 1e-3 ms
    # the 3000th spike falls on the end of the run (3 ms), where rounding decides
    assert res.spike_times.size in (2999, 3000)
    assert np.allclose(res.spike_times, 1e-3 * np.arange(1, res.spike_times.size + 1), rtol=0, atol=1e-9)


@pytest.mark.parametrize("model", [nh.LIF(), nh.Izhikevich(), nh.HodgkinHuxley()])
@pytest.mark.parametrize(
    "I, dt, match",
    [
        (np.zeros(10), 0.0, "dt"),
        (np.zeros(10), -0.01, "dt"),
        (np.array([0.0, np.nan]), 0.01, "NaN"),
        (np.array([0.0, np.inf]), 0.01, "NaN or infinite"),
        (np.float64(1.0), 0.01, "1-D"),
        (np.zeros((2, 2, 2)), 0.01, "1-D"),
    ],
)
def test_bad_current_or_dt(model, I, dt, match):
    with pytest.raises(ValueError, match=match):
        model.simulate(I, dt)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: nh.LIF(C=0.0), "C"),
        (lambda: nh.LIF(C=-1.0), "C"),
        (lambda: nh.LIF(R=0.0), "R"),
        (lambda: nh.LIF(V_reset=-40.0), "V_reset"),
        (lambda: nh.LIF(t_ref=-1.0), "t_ref"),
        (lambda: nh.Izhikevich(a=0.0), "a"),
        (lambda: nh.HodgkinHuxley(C=0.0), "C"),
        (lambda: nh.HodgkinHuxley(convention="1970"), "convention"),
        (lambda: nh.Izhikevich.preset("nope"), "preset"),
        (lambda: nh.LIF().simulate(np.zeros(3), 0.1, method="rk45"), "method"),
        (lambda: nh.Izhikevich().simulate(np.zeros(3), 0.1, method="exact"), "method"),
        (lambda: nh.HodgkinHuxley().simulate(np.zeros(3), 0.01, method="lsoda"), "method"),
        (lambda: nh.HodgkinHuxley().simulate(np.zeros(3), 0.2), "too coarse"),
        (lambda: nh.HodgkinHuxley().simulate(np.zeros(3), 0.05, method="euler"), "too coarse"),
        (lambda: nh.Izhikevich().simulate(np.zeros(3), 2.0, method="izhikevich2003"), "too coarse"),
        (lambda: nh.LIF(C=0.003, R=5.0).simulate(np.zeros(3), 0.02, method="euler"), "tau"),
        (lambda: nh.LIF().simulate(np.zeros((2, 3)), 0.1, V0=np.zeros(3)), "V0"),
    ],
)
def test_bad_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_exact_lif_has_no_dt_limit():
    res = nh.LIF().simulate(np.full(11, 3.0), 5.0)  # dt = tau / 2: still exact
    assert res.spike_times[0] == pytest.approx(10 * math.log(2.0), abs=1e-9)


@pytest.mark.parametrize("model, dt, amplitudes", MODELS)
def test_gain_equals_the_explicit_batch(model, dt, amplitudes):
    t = nh.time_axis(150.0, dt)
    shape = nh.pulse_current(t, [(20, 120, 1.0)])
    explicit = model.simulate(amplitudes[:, None] * shape[None, :], dt)
    scaled = model.simulate(shape, dt, gain=amplitudes)
    assert np.array_equal(explicit.V, scaled.V)
    for a, b in zip(explicit.spike_times, scaled.spike_times, strict=True):
        assert np.array_equal(a, b)


def test_gain_needs_one_waveform_and_finite_values():
    with pytest.raises(ValueError, match="1-D waveform"):
        nh.LIF().simulate(np.zeros((2, 5)), 0.1, gain=[1.0, 2.0])
    with pytest.raises(ValueError, match="gain"):
        nh.LIF().simulate(np.zeros(5), 0.1, gain=[1.0, np.nan])
