"""LIF / IF against closed-form solutions."""

import math

import numpy as np
import pytest

import neurohelpers as nh

LIF = nh.LIF(C=1.0, R=10.0, V_rest=-65.0, V_th=-50.0, V_reset=-65.0, t_ref=2.0)


def analytic_period(model, I):
    """Steady ISI (ms) of an LIF/IF neuron under constant current I (nA)."""
    if math.isinf(model.R):
        return model.t_ref + model.C * (model.V_th - model.V_reset) / I
    V_inf = model.V_rest + model.R * I
    return model.t_ref + model.R * model.C * math.log((V_inf - model.V_reset) / (V_inf - model.V_th))


def test_subthreshold_relaxation_matches_exponential():
    dt = 0.1
    t = nh.time_axis(100.0, dt)
    I = nh.pulse_current(t, [(0, 50, 1.2)])  # below rheobase 1.5 nA
    res = LIF.simulate(I, dt)
    tau = 10.0
    on = t <= 50
    rise = -65.0 + 12.0 * (1 - np.exp(-t[on] / tau))
    V50 = -65.0 + 12.0 * (1 - math.exp(-50 / tau))
    decay = -65.0 + (V50 + 65.0) * np.exp(-(t[~on] - 50) / tau)
    assert res.spike_times.size == 0
    assert np.max(np.abs(res.V[on] - rise)) < 1e-10
    assert np.max(np.abs(res.V[~on] - decay)) < 1e-10


@pytest.mark.parametrize("I", [1.6, 2.0, 5.0, 15.0])
def test_time_to_first_spike(I):
    dt = 0.1
    res = LIF.simulate(np.full(2001, I), dt)
    expected = 10.0 * math.log(10.0 * I / (10.0 * I - 15.0))
    assert res.spike_times[0] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("t_ref", [0.0, 2.0])
@pytest.mark.parametrize("factor", [1.05, 1.2, 2.0, 5.0, 10.0])
def test_rate_error_at_coarse_dt(t_ref, factor):
    """Rate from the ISIs of a 2 s run at dt = 0.1 ms vs the closed form (issue: <= 1e-3)."""
    model = nh.LIF(t_ref=t_ref)
    I = factor * model.rheobase
    res = model.simulate(np.full(20001, I), 0.1)
    rate = nh.firing_rate(res.spike_times, (0.0, 2000.0), method="isi")
    expected = 1000.0 / analytic_period(model, I)
    assert abs(rate / expected - 1) < 1e-9
    assert model.rate(I) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("t_ref", [0.0, 2.0])
def test_perfect_integrator_rate(t_ref):
    model = nh.LIF(R=math.inf, t_ref=t_ref)
    for I in [0.1, 1.0, 10.0]:
        res = model.simulate(np.full(10001, I), 0.1)
        rate = nh.firing_rate(res.spike_times, (0.0, 1000.0), method="isi")
        expected = 1000.0 / (t_ref + 1.0 * (-50.0 + 65.0) / I)
        assert rate == pytest.approx(expected, rel=1e-9)


def test_if_fires_below_lif_rheobase_but_lif_does_not():
    I = np.full(5001, 1.0)
    assert nh.LIF(R=math.inf).simulate(I, 0.1).spike_times[0] == pytest.approx(15.0, abs=1e-9)
    assert nh.LIF().simulate(I, 0.1).spike_times.size == 0


def test_refractory_period_holds_reset_to_substep_precision():
    res = LIF.simulate(np.full(501, 5.0), 0.1)
    first = res.spike_times[0]
    # the second spike comes t_ref + the charge time after the first, whatever dt
    assert res.spike_times[1] - first == pytest.approx(analytic_period(LIF, 5.0), abs=1e-9)
    k_after = math.ceil((first + 1e-9) / 0.1)
    k_end = math.floor((first + 2.0) / 0.1)
    assert np.all(res.V[k_after : k_end + 1] == -65.0)


def test_euler_converges_at_first_order():
    errors = []
    for dt in [0.4, 0.2, 0.1]:
        t = nh.time_axis(40.0, dt)
        res = LIF.simulate(np.full(t.size, 1.2), dt, method="euler")
        errors.append(np.max(np.abs(res.V - (-65.0 + 12.0 * (1 - np.exp(-t / 10.0))))))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all((orders > 0.9) & (orders < 1.1)), orders


def test_2020_configuration_is_refused_then_shows_the_one_over_dt_cap():
    model = nh.LIF(C=0.003, R=5.0, V_th=30.0, t_ref=0.0)  # tau = 0.015 ms
    I = np.full(5001, 400.0)
    with pytest.raises(ValueError, match="tau"):
        model.simulate(I, 0.02, method="euler")
    assert "negative" in model.step_limit_message(0.02, "euler")
    assert model.step_limit_message(0.01, "euler") is None
    assert model.step_limit_message(0.02, "exact") is None
    res = model.simulate(I, 0.02, method="euler", allow_unstable=True)
    assert nh.firing_rate(res.spike_times, (20, 80)) == pytest.approx(1000 / 0.02)
    exact = model.simulate(I, 0.02)
    rate = nh.firing_rate(exact.spike_times, (0, 100), method="isi")
    assert rate == pytest.approx(model.rate(400.0), rel=1e-9)
    assert rate > 20 * 1000 / 0.02  # the true LIF rate is not capped at 1/dt
