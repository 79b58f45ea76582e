"""Hodgkin-Huxley batches (issue 14): what any batch kernel must keep.

A batch must equal its rows run one by one, bit for bit, for every method and
whatever the rows do (exponential fallback steps under strong hyperpolarisation,
spikes located on the Hermite interpolant, quiet rows); a failing batch must
report the same neuron and time step as running the rows in order; and the
spike times of a batch must match SciPy's Radau (``reference_models.hh_radau``).
"""

import re

import numpy as np
import pytest
from reference_models import hh_radau

import neurohelpers as nh
from neurohelpers.integrate import prepare_drive

PULSE = (1.0, 60.0)  # ms
T_STOP = 25.0  # ms, the Radau comparisons
# strongly hyperpolarised (fallback steps), mildly hyperpolarised, quiet, sub-threshold, spiking
MIXED = (-100.0, -30.0, 0.0, 2.0, 10.0, 50.0)  # uA/cm^2
EULER_MIXED = (-10.0, 0.0, 2.0, 10.0, 50.0)  # forward Euler is unstable at -100 uA/cm^2
MODELS = [
    nh.HodgkinHuxley(),
    nh.HodgkinHuxley(convention="rest0"),
    nh.HodgkinHuxley(temperature=18.5),
]


def pulses(amplitudes, dt, t_stop=80.0):
    t = nh.time_axis(t_stop, dt)
    return np.stack([nh.pulse_current(t, [(*PULSE, a)]) for a in amplitudes])


def assert_same_run(batch, alone, row):
    assert np.array_equal(batch.V[row], alone.V)
    for gate in "mhn":
        assert np.array_equal(batch.state[gate][row], alone.state[gate])
    assert np.array_equal(batch.spike_times[row], alone.spike_times)


@pytest.mark.parametrize("model", MODELS, ids=["modern", "rest0", "18.5degC"])
@pytest.mark.parametrize("method, dt, amplitudes", [
    ("rk4", 0.02, MIXED), ("exponential", 0.01, MIXED), ("euler", 0.01, EULER_MIXED),
])
def test_batch_equals_rows_run_alone(model, method, dt, amplitudes):
    I = pulses(amplitudes, dt)
    batch = model.simulate(I, dt, method=method)
    final = model.simulate(I, dt, method=method, record=False)
    for row in range(len(amplitudes)):
        assert_same_run(batch, model.simulate(I[row], dt, method=method), row)
        assert np.array_equal(final.V[row, 0], batch.V[row, -1])
        assert np.array_equal(final.spike_times[row], batch.spike_times[row])
    # the batch really mixes quiet and spiking rows
    counts = [len(s) for s in batch.spike_times]
    assert counts[amplitudes.index(0.0)] == 0 and max(counts) >= 2


@pytest.mark.parametrize("method, dt", [("rk4", 0.02), ("exponential", 0.01), ("euler", 0.01)])
def test_gain_batch_equals_rows_run_alone(method, dt):
    model = nh.HodgkinHuxley(temperature=10.0)
    amplitudes = np.array(EULER_MIXED if method == "euler" else MIXED)
    wave = pulses([1.0], dt)[0]
    batch = model.simulate(wave, dt, method=method, gain=amplitudes)
    for row, amplitude in enumerate(amplitudes):
        assert_same_run(batch, model.simulate(amplitude * wave, dt, method=method), row)


# amplitudes (uA/cm^2) of a gain batch: fallback steps, quiet, sub-threshold, spiking
GAIN_POOL = (-100.0, 0.0, 2.0, 7.0, 10.0, 20.0, 50.0, -30.0, 15.0)


@pytest.mark.parametrize("model", MODELS, ids=["modern", "rest0", "18.5degC"])
@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 17])
def test_a_neuron_gives_the_same_bits_at_any_batch_size_and_position(model, size):
    """The time-outer kernel runs the neurons in one loop, which a compiler may split into
    a vector body and a scalar remainder: whatever the batch size and the neuron's
    position in it, with and without traces, each row equals the neuron run alone."""
    dt = 0.02
    wave = pulses([1.0], dt, t_stop=40.0)[0]
    gains = np.resize(np.roll(GAIN_POOL, size), size)
    traced = model.simulate(wave, dt, gain=gains)
    final = model.simulate(wave, dt, gain=gains, record=False)
    for row, amplitude in enumerate(gains):
        alone = model.simulate(amplitude * wave, dt)
        assert_same_run(traced, alone, row)
        assert np.array_equal(final.V[row, 0], alone.V[-1])
        for gate in "mhn":
            assert np.array_equal(final.state[gate][row, 0], alone.state[gate][-1])
        assert np.array_equal(final.spike_times[row], alone.spike_times)


def test_spiking_rows_of_a_long_batch_are_exact():
    """Spikes of many neurons in the same steps (a 2-D input, 40 rows, each a pulse
    starting at its own time) go through the second pass together; each row is still
    the row run alone, and the spikes are many (the second pass is exercised)."""
    dt = 0.02
    t = nh.time_axis(40.0, dt)
    I = np.stack([nh.pulse_current(t, [(0.5 * (row % 7), 40.0, 8.0 + row)]) for row in range(40)])
    batch = nh.HodgkinHuxley().simulate(I, dt)
    assert sum(len(s) for s in batch.spike_times) > 100
    for row in range(0, 40, 3):
        assert_same_run(batch, nh.HodgkinHuxley().simulate(I[row], dt), row)


def test_mixed_batch_uses_the_fallback_only_in_the_hyperpolarised_row():
    """The default method's exponential fallback steps are taken by the hyperpolarised
    rows only, so the batch test above covers fallback, spiking and quiet rows."""
    model = nh.HodgkinHuxley()
    drive = prepare_drive(pulses(MIXED, 0.02), 0.02)
    x0 = model._initial_state(drive, None, None, None, None)
    _, n_exp = model._run(drive, 1, x0, False, "rk4")
    assert n_exp[MIXED.index(-100.0)] > 100
    assert np.all(n_exp[np.array(MIXED) >= 0.0] == 0)


def failure(model, I, dt):
    with pytest.raises(ValueError) as error:
        model.simulate(I, dt)
    found = re.search(r"\(neuron (\d+), step (\d+):", str(error.value))
    return int(found.group(1)), int(found.group(2))


def test_a_failing_batch_reports_the_first_failing_row():
    """Row 1 fails later than row 2; the batch names row 1 at the step where it fails
    alone, as integrating the rows in order does."""
    model = nh.HodgkinHuxley()
    t = nh.time_axis(2.0, 0.001)
    I = np.stack([np.zeros_like(t), nh.pulse_current(t, [(0.5, 2.0, -1e4)]), np.full_like(t, -1e4)])
    late = failure(model, I[1], 0.001)[1]
    early = failure(model, I[2], 0.001)[1]
    assert early < late
    assert failure(model, I, 0.001) == (1, late)
    # the lower row failing first: the batch stops there too (two rows run neuron by
    # neuron, three through the vectorised kernel)
    assert failure(model, I[[2, 1]], 0.001) == (0, early)
    assert failure(model, I[[2, 1, 0]], 0.001) == (0, early)
    assert failure(model, I[[0, 1, 0, 2]], 0.001) == (1, late)


@pytest.mark.parametrize("temperature", [6.3, 18.5])
def test_batch_spike_times_match_radau(temperature):
    """Each row of a gain batch (dt 0.01 ms) against Radau at rtol = atol = 1e-9:
    RK4's Hermite-located spike times are within 1e-5 ms."""
    model = nh.HodgkinHuxley(temperature=temperature)
    amplitudes = np.array([7.0, 10.0, 20.0, 50.0])
    wave = pulses([1.0], 0.01, t_stop=T_STOP)[0]
    res = model.simulate(wave, 0.01, gain=amplitudes, record=False)
    rest = model.resting_state()
    x0 = [rest["V"], rest["m"], rest["h"], rest["n"]]
    for row, amplitude in enumerate(amplitudes):
        segments = [(0.0, PULSE[0], 0.0), (PULSE[0], T_STOP, amplitude)]
        ref = hh_radau(x0, segments, phi=model.phi, rtol=1e-9, atol=1e-9)["spike_times"]
        assert len(ref) >= 1
        assert len(res.spike_times[row]) == len(ref)
        assert np.max(np.abs(res.spike_times[row] - ref)) < 1e-5


def test_spikes_after_fallback_steps_match_radau():
    """A batch with a -100 uA/cm^2 pre-pulse (RK4 falls back to the exponential step
    there) followed by a 20 uA/cm^2 step: the spike times after it against Radau (measured
    about 1e-7 ms off at dt 0.01 ms)."""
    model = nh.HodgkinHuxley()
    dt = 0.01
    t = nh.time_axis(50.0, dt)
    rows = [[(0.0, 20.0, -100.0), (20.0, 50.0, 20.0)], [(0.0, 20.0, -30.0), (20.0, 50.0, 20.0)]]
    I = np.stack([nh.pulse_current(t, r) for r in rows])
    res = model.simulate(I, dt)
    rest = model.resting_state()
    x0 = [rest["V"], rest["m"], rest["h"], rest["n"]]
    for row, segments in enumerate(rows):
        ref = hh_radau(x0, segments, rtol=1e-9, atol=1e-9)["spike_times"]
        assert len(res.spike_times[row]) == len(ref) >= 2
        assert np.max(np.abs(res.spike_times[row] - ref)) < 1e-5
