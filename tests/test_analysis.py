import math

import numpy as np
import pytest

import neurohelpers as nh


def test_spike_times_interpolates_crossings():
    t = np.arange(6) * 1.0
    V = np.array([-10.0, 10.0, 30.0, -5.0, 5.0, -1.0])
    assert np.allclose(nh.spike_times(V, t, 0.0), [0.5, 3.5])
    both = nh.spike_times(np.vstack([V, -V]), t, 0.0)
    assert np.allclose(both[1], [2 + 30 / 35, 4 + 5 / 6])


def test_firing_rate_count_and_isi():
    spikes = np.array([5.0, 25.0, 45.0, 65.0, 85.0])
    assert nh.firing_rate(spikes, (20, 80)) == pytest.approx(3 / 0.06)
    assert nh.firing_rate(spikes, (20, 80), method="isi") == pytest.approx(50.0)
    assert np.allclose(nh.firing_rate([spikes, spikes[:1]], (0, 100)), [50.0, 10.0])
    assert nh.firing_rate(np.array([]), (0, 10), method="isi") == 0.0
    with pytest.raises(ValueError, match="window"):
        nh.firing_rate(spikes, (10, 10))


def test_fi_curve_matches_single_runs_and_ignores_chunking():
    model = nh.LIF()
    currents = np.linspace(0, 10, 23)
    whole = nh.fi_curve(model, currents)
    chunked = nh.fi_curve(model, currents, chunk_size=5)
    assert np.array_equal(whole, chunked)
    t = nh.time_axis(100.0, 0.02)
    one = model.simulate(nh.pulse_current(t, [(20, 80, currents[7])]), 0.02)
    assert whole[7] == nh.firing_rate(one.spike_times, (20, 80))


def test_fi_curve_isi_measure_matches_analytic_lif_curve():
    model = nh.LIF()
    currents = np.linspace(2.0, 10.0, 9)
    rates = nh.fi_curve(model, currents, dt=0.1, measure="isi")
    assert np.allclose(rates, model.rate(currents), rtol=1e-9)


def test_rheobase_of_lif_matches_the_finite_window_closed_form():
    model = nh.LIF()
    onset, duration = 10.0, 60.0
    found = nh.rheobase(model, onset=onset, duration=duration, high=10.0, tol=1e-6, dt=0.1)
    T = duration - onset
    # smallest I that reaches threshold within T: R I (1 - exp(-T/tau)) = V_th - V_rest
    expected = 15.0 / (10.0 * (1 - math.exp(-T / 10.0)))
    assert found == pytest.approx(expected, abs=2e-6)


def test_rheobase_rejects_a_bracket_without_threshold():
    with pytest.raises(ValueError, match="bracket"):
        nh.rheobase(nh.LIF(), low=0.0, high=1.0)


def test_isi_statistics():
    steady = nh.isi_statistics(np.arange(10) * 10.0)
    assert steady["count"] == 10 and steady["cv"] == 0 and steady["adaptation_index"] == 0
    assert steady["bursts"] == 0  # a regular train is not a burst, however fast
    slowing = nh.isi_statistics(np.cumsum([0, 10, 20, 40, 80]), burst_isi=5.0)
    assert slowing["adaptation_index"] == pytest.approx(1 / 3)
    assert slowing["first_isi"] == 10 and slowing["last_isi"] == 80 and slowing["bursts"] == 0
    bursty = nh.isi_statistics([0, 3, 6, 50, 53, 100, 103, 106], burst_isi=5.0)
    assert bursty["bursts"] == 3
    assert math.isnan(nh.isi_statistics([1.0])["first_isi"])


def test_decay_time_constant_recovers_a_known_exponential():
    t = np.linspace(0, 50, 501)
    V = -65.0 + 7.0 * np.exp(-t / 12.5)
    assert nh.decay_time_constant(t, V, -65.0, (5, 40)) == pytest.approx(12.5, rel=1e-9)


def test_convergence_order_of_a_power_law():
    steps = np.array([0.1, 0.05, 0.025])
    assert nh.convergence_order(steps, 3 * steps**2) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        nh.convergence_order(steps, np.zeros(3))


def test_threshold_amplitude_of_a_brief_lif_pulse():
    """A 1 ms pulse from rest: threshold R I (1 - exp(-1/tau)) = V_th - V_rest."""
    model = nh.LIF()
    t = nh.time_axis(30.0, 0.1)
    shape = nh.pulse_current(t, [(5.0, 6.0, 1.0)])
    found = nh.threshold_amplitude(model, np.zeros_like(t), shape, (0, 30), dt=0.1,
                                   low=0.0, high=100.0, tol=1e-6)
    assert found == pytest.approx(15.0 / (10.0 * (1 - math.exp(-0.1))), abs=2e-6)
    with pytest.raises(ValueError, match="equal in length"):
        nh.threshold_amplitude(model, np.zeros(3), shape, (0, 30), dt=0.1, low=0, high=1)


# --- regression tests for bad input (issue 10, section 2) ---


def test_decay_time_constant_refuses_a_flat_trace():
    """A trace that does not decay used to give tau = -1.2e17 ms (or -inf)."""
    t = np.linspace(0, 10, 101)
    for V in (np.full(101, -64.0), -65.0 + 1e-3 * np.ones(101) + 1e-19 * t):
        with pytest.raises(ValueError, match="does not decay"):
            nh.decay_time_constant(t, V, -65.0, (0, 10))
    with pytest.raises(ValueError, match="does not decay"):  # growing away from V_inf
        nh.decay_time_constant(t, -65.0 + np.exp(t / 5.0), -65.0, (0, 10))


def test_isi_statistics_refuses_unsorted_or_repeated_spikes():
    with pytest.raises(ValueError, match="strictly increasing"):
        nh.isi_statistics([10.0, 5.0, 1.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        nh.isi_statistics([1.0, 5.0, 5.0])


def test_isi_statistics_refuses_a_list_of_trains_clearly():
    for trains in ([[1.0, 2.0], [3.0, 4.0, 5.0]], [np.arange(3.0), np.arange(4.0)], np.ones((2, 3))):
        with pytest.raises(ValueError, match="one spike train"):
            nh.isi_statistics(trains)


def test_firing_rate_isi_refuses_repeated_spike_times_without_warnings():
    """Two spikes at the same time used to give inf Hz with RuntimeWarnings (errors here)."""
    with pytest.raises(ValueError, match="strictly increasing"):
        nh.firing_rate(np.array([5.0, 5.0]), (0, 10), method="isi")
    with pytest.raises(ValueError, match="train 1"):
        nh.firing_rate([np.array([1.0, 2.0]), np.array([3.0, 3.0, 4.0])], (0, 10), method="isi")
    # counting does not need distinct times, and a duplicate outside the window is ignored
    assert nh.firing_rate(np.array([5.0, 5.0]), (0, 10)) == pytest.approx(200.0)
    assert nh.firing_rate(np.array([1.0, 1.0, 4.0, 6.0]), (2, 10), method="isi") == pytest.approx(500.0)


def test_convergence_order_refuses_equal_steps():
    """Equal steps have no slope; they used to give 1.75 with a RankWarning."""
    with pytest.raises(ValueError, match="different step sizes"):
        nh.convergence_order([0.1, 0.1, 0.1], [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda: nh.firing_rate(np.array([5.0 + 1j]), (0, 10)),
        lambda: nh.isi_statistics(np.array([1.0, 2.0 + 1j])),
        lambda: nh.spike_times(np.array([0.0, 1.0j]), np.array([0.0, 1.0])),
        lambda: nh.decay_time_constant(np.arange(3.0), np.ones(3) * 1j, 0.0, (0, 2)),
        lambda: nh.convergence_order(np.array([0.1, 0.2j]), np.array([1.0, 2.0])),
        lambda: nh.firing_rate(np.array([5.0]), (0, 10j)),
    ],
)
def test_complex_input_is_refused(call):
    with pytest.raises(ValueError, match="must be real"):
        call()


def test_firing_rate_refuses_bad_trains_in_a_list():
    with pytest.raises(ValueError, match=r"spike_times\[1\] must be real"):
        nh.firing_rate([np.array([1.0]), np.array([2.0 + 1j])], (0, 10))
    with pytest.raises(ValueError, match="NaN"):
        nh.firing_rate([np.array([1.0]), np.array([np.nan])], (0, 10))


def test_rates_from_buffer_equals_firing_rate_on_the_split_trains():
    from neurohelpers.analysis import rates_from_buffer

    # trains interleaved as a kernel pushes them; spikes exactly on both window edges,
    # trains with 0, 1, 2 and 4 spikes in the window, and one owner out of range (ignored)
    trains = [np.array([10.0, 20.0, 35.0, 50.0]), np.array([]), np.array([20.0]),
              np.array([5.0, 20.0, 49.999, 50.0]), np.array([30.0, 40.0])]
    order = [(0, 0), (3, 0), (0, 1), (3, 1), (2, 0), (4, 0), (0, 2), (4, 1), (3, 2), (0, 3), (3, 3)]
    times = np.array([trains[o][k] for o, k in order] + [25.0])
    owners = np.array([o for o, _ in order] + [7], dtype=np.int64)
    for method in ("count", "isi"):
        got = rates_from_buffer(times, owners, len(trains), (20.0, 50.0), method)
        np.testing.assert_array_equal(got, nh.firing_rate(trains, (20.0, 50.0), method=method))
    assert rates_from_buffer(times, owners, 5, (20.0, 50.0), "isi")[0] == pytest.approx(1000.0 / 15.0)


def test_rates_from_buffer_defers_bad_trains_to_firing_rate():
    from neurohelpers.analysis import rates_from_buffer

    owners = np.zeros(2, dtype=np.int64)
    assert rates_from_buffer(np.array([30.0, 30.0]), owners, 1, (20.0, 50.0), "isi") is None
    assert rates_from_buffer(np.array([30.0, np.nan]), owners, 1, (20.0, 50.0), "count") is None
    with pytest.raises(ValueError, match="strictly increasing"):
        nh.firing_rate([np.array([30.0, 30.0])], (20.0, 50.0), method="isi")
