import warnings

import numpy as np
import pytest

import neurohelpers as nh


def test_time_axis_is_inclusive_and_uniform():
    t = nh.time_axis(100.0, 0.02)
    assert t.shape == (5001,)
    assert t[0] == 0.0
    assert t[-1] == pytest.approx(100.0, abs=1e-12)
    assert np.allclose(np.diff(t), 0.02)


def test_pulse_edges_are_start_inclusive_stop_exclusive():
    t = nh.time_axis(100.0, 0.02)
    I = nh.pulse_current(t, [(20, 40, 10.0), (70, 80, 20.0)])
    assert I[999] == 0.0 and I[1000] == 10.0 and I[1999] == 10.0 and I[2000] == 0.0
    assert I[3500] == 20.0 and I[3999] == 20.0 and I[4000] == 0.0
    # 20 ms at 10 and 10 ms at 20 units: the integral counts whole samples
    assert I.sum() * 0.02 == pytest.approx(10 * 20 + 20 * 10)


def test_step_current_is_cumulative_from_each_time():
    t = nh.time_axis(500.0, 0.01)
    I = nh.step_current(t, [(0, 10), (100, -10), (200, 20), (300, 80), (400, -100)])
    for when, level in [(0, 10), (99.99, 10), (100, 0), (250, 20), (300, 100), (399.99, 100), (400, 0)]:
        assert I[round(when / 0.01)] == pytest.approx(level, abs=1e-12)


def test_array_amplitude_gives_a_batch():
    t = nh.time_axis(10.0, 0.5)
    I = nh.pulse_current(t, [(2, 4, np.array([1.0, 2.0, 3.0]))])
    assert I.shape == (3, t.size)
    assert np.array_equal(I[2], 3.0 * I[0])


@pytest.mark.parametrize(
    "call",
    [
        lambda: nh.time_axis(10.0, 0.0),
        lambda: nh.time_axis(10.0, -1.0),
        lambda: nh.time_axis(float("nan"), 0.1),
        lambda: nh.pulse_current(nh.time_axis(1, 0.1), [(0.5, 0.2, 1.0)]),
        lambda: nh.pulse_current(nh.time_axis(1, 0.1), [(0.1, 0.2)]),
        lambda: nh.pulse_current(nh.time_axis(1, 0.1), [(0.1, 0.2, float("inf"))]),
        lambda: nh.step_current(nh.time_axis(1, 0.1), [(0.1,)]),
        lambda: nh.step_current(np.zeros((2, 2)), [(0.1, 1.0)]),
    ],
)
def test_bad_stimulus_input_raises(call):
    with pytest.raises(ValueError):
        call()


T = nh.time_axis(1, 0.1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: nh.pulse_current(T, [(0.1, 0.2, 1.0 + 2j)]), "pulse amplitude must be real"),
        (lambda: nh.step_current(nh.time_axis(1, 0.1), [(0.1, np.array([1j]))]), "step change must be real"),
        (lambda: nh.pulse_current(nh.time_axis(1, 0.1) + 0j, [(0.1, 0.2, 1.0)]), "t must be real"),
        (lambda: nh.time_axis(10.0, np.array([0.1])), "dt must be a scalar"),
        (lambda: nh.time_axis("10", 0.1), "duration must be a real number"),
        (lambda: nh.pulse_current(nh.time_axis(1, 0.1), [(0.1, 0.2, np.ones((2, 2)))]), "1-D array"),
        (lambda: nh.pulse_current(T, [(0.1, 0.2, [1.0, 2.0]), (0.3, 0.4, [1.0, 2.0, 3.0])]), "same length"),
    ],
)
def test_bad_stimulus_values_name_the_argument_without_numpy_warnings(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match):
            call()
