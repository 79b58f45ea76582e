"""Hodgkin-Huxley against a tight-tolerance SciPy reference and the model's invariants."""

import numpy as np
import pytest
from reference_models import hh_rates, hh_rhs, hh_spike_times

import neurohelpers as nh

HH = nh.HodgkinHuxley()
PROTOCOL = [(0, 10), (100, -10), (200, 20), (300, 80), (400, -100)]
SEGMENTS = [(0, 100, 10.0), (100, 200, 0.0), (200, 300, 20.0), (300, 400, 100.0), (400, 500, 0.0)]


def rest_vector():
    r = HH.resting_state()
    return [r["V"], r["m"], r["h"], r["n"]]


def test_resting_state_is_a_fixed_point_near_minus_65():
    x = rest_vector()
    assert x[0] == pytest.approx(-65.0, abs=0.01)
    derivs = hh_rhs(0.0, x, 0.0)
    assert abs(derivs[0]) < 1e-6
    assert np.max(np.abs(derivs[1:])) < 1e-9
    res = HH.simulate(np.zeros(10001), 0.01)
    assert np.max(np.abs(res.V + 65.0)) < 0.01
    assert np.ptp(res.V) < 1e-8


def test_rates_match_textbook_and_are_finite_at_the_removable_singularities():
    V = np.linspace(-100, 60, 1601) + 0.0123  # avoids exact -40, -55 for the naive formula
    rates = nh.gate_rates(V)
    names = ["alpha_m", "beta_m", "alpha_h", "beta_h", "alpha_n", "beta_n"]
    expected = np.array([hh_rates(v) for v in V]).T
    for i, name in enumerate(names):
        assert np.allclose(rates[name], expected[i], rtol=1e-10, atol=0), name
    at = nh.gate_rates(np.array([-40.0, -55.0]))
    assert at["alpha_m"][0] == pytest.approx(1.0, rel=1e-12)  # limit of x/(1-exp(-x/10)) * 0.1
    assert at["alpha_n"][1] == pytest.approx(0.1, rel=1e-12)


def test_conventions_agree_after_a_65_mV_shift():
    t = nh.time_axis(200.0, 0.01)
    I = nh.step_current(t, PROTOCOL)
    modern = HH.simulate(I, 0.01)
    old = nh.HodgkinHuxley(convention="rest0")
    E = old.reversal_potentials
    assert E["E_Na"] == 115.0 and E["E_K"] == -12.0 and E["E_L"] == pytest.approx(10.613)
    shifted = old.simulate(I, 0.01)
    assert np.max(np.abs(shifted.V - 65.0 - modern.V)) < 1e-9
    for g in "mhn":
        assert np.max(np.abs(shifted.state[g] - modern.state[g])) < 1e-12
    assert np.allclose(shifted.spike_times, modern.spike_times, atol=1e-9)


def test_protocol_spike_times_match_solve_ivp():
    reference = hh_spike_times(rest_vector(), SEGMENTS)
    t = nh.time_axis(500.0, 0.01)
    res = HH.simulate(nh.step_current(t, PROTOCOL), 0.01)
    assert res.spike_times.size == reference.size
    error = np.max(np.abs(res.spike_times - reference))
    print(f"HH 500 ms protocol: {reference.size} spikes, max spike-time error {error:.2e} ms")
    assert error < 0.02


def test_rk4_spike_times_converge_at_fourth_order():
    reference = hh_spike_times(rest_vector(), [(0, 60, 10.0)])
    errors = []
    for dt in [0.04, 0.02, 0.01]:
        res = HH.simulate(np.full(round(60 / dt) + 1, 10.0), dt)
        errors.append(np.max(np.abs(res.spike_times - reference)))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    print(f"HH spike-time errors {errors} ms, orders {orders}")
    assert np.all(orders > 3.5), (errors, orders)


def test_euler_is_selectable_and_less_accurate():
    reference = hh_spike_times(rest_vector(), [(0, 60, 10.0)])
    n = round(60 / 0.01) + 1
    euler = HH.simulate(np.full(n, 10.0), 0.01, method="euler").spike_times
    rk4 = HH.simulate(np.full(n, 10.0), 0.01).spike_times
    assert np.max(np.abs(euler - reference)) > 10 * np.max(np.abs(rk4 - reference))


def reference_fires(I, kind, onset=10.0, duration=510.0, tail=100.0):
    spikes = hh_spike_times(rest_vector(), [(0, onset, 0.0), (onset, duration, I)], rtol=1e-8)
    start = onset if kind == "one" else duration - tail
    return bool(np.any(spikes >= start))


@pytest.mark.parametrize("kind, low, high", [("one", 0.0, 10.0), ("sustained", 0.0, 20.0)])
def test_thresholds_bracketed_by_the_reference(kind, low, high):
    threshold = nh.rheobase(HH, kind=kind, low=low, high=high, tol=0.005, dt=0.02)
    print(f"HH {kind}-spike threshold of a step from rest: {threshold:.3f} uA/cm^2")
    assert reference_fires(threshold + 0.02, kind)
    assert not reference_fires(threshold - 0.02, kind)


def test_hopf_currents_bound_where_small_perturbations_of_rest_grow():
    """Stability from the Jacobian agrees with direct integration by the SciPy reference."""
    from scipy.integrate import solve_ivp

    low, high = HH.hopf_currents()
    for I, should_grow in [(low - 0.2, False), (low + 0.2, True), (high - 2, True), (high + 2, False)]:
        r = HH.resting_state(I)
        x0 = np.array([r["V"] + 0.01, r["m"], r["h"], r["n"]])
        sol = solve_ivp(hh_rhs, (0, 300), x0, args=(I,), rtol=1e-10, atol=1e-12, dense_output=True)
        early = abs(sol.sol(20.0)[0] - r["V"])
        late = abs(sol.sol(300.0)[0] - r["V"])
        assert (late > early) == should_grow, (I, early, late)
