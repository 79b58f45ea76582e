"""Hodgkin-Huxley under strong input: no NaN, accurate or a clear error (issue 10).

The truth is SciPy's implicit Radau IIA (``reference_models.hh_radau``), which
is stable for the stiff gates of a deeply hyperpolarised membrane.
"""

import numpy as np
import pytest
from reference_models import hh_radau, hh_spike_times

import neurohelpers as nh
from neurohelpers import hodgkin_huxley as hh_module
from neurohelpers.integrate import prepare_drive

HH = nh.HodgkinHuxley()
# The 2020 protocol with its levels taken literally (not cumulative), uA/cm^2.
LITERAL = [(0.0, 100.0, 10.0), (100.0, 200.0, -10.0), (200.0, 300.0, 20.0), (300.0, 400.0, 80.0),
           (400.0, 500.0, -100.0)]
WINDOWS = [0, 100, 200, 300, 400, 500]


def rest_vector(model=HH):
    r = model.resting_state()
    return [r["V"], r["m"], r["h"], r["n"]]


def run_scheme(model, I, dt, scheme):
    """Run with a kernel scheme code; returns (result, exponential steps per neuron)."""
    drive = prepare_drive(I, dt)
    x0 = model._initial_state(drive, None, None, None, None)
    return model._run(drive, scheme, x0, True, "test")


@pytest.fixture(scope="module")
def literal_reference():
    return hh_radau(rest_vector(), LITERAL, rtol=1e-8, atol=1e-8)


@pytest.mark.slow
@pytest.mark.parametrize("dt, spike_tol", [(0.01, 1e-5), (0.02, 1e-4), (0.05, 1e-3)])
def test_literal_2020_protocol_matches_radau(literal_reference, dt, spike_tol):
    t = nh.time_axis(500.0, dt)
    res = HH.simulate(nh.pulse_current(t, LITERAL), dt)
    assert np.all(np.isfinite(res.V))
    ref = literal_reference
    counts = np.histogram(res.spike_times, WINDOWS)[0]
    ref_counts = np.histogram(ref["spike_times"], WINDOWS)[0]
    same_count = counts.sum() == ref_counts.sum()
    error = np.max(np.abs(res.spike_times - ref["spike_times"])) if same_count else np.inf
    print(f"literal protocol dt={dt}: min V {res.V.min():.9f} mV (Radau {ref['V_min']:.9f}), "
          f"counts {counts.tolist()} (Radau {ref_counts.tolist()}), max spike-time difference {error:.2e} ms")
    assert counts.tolist() == ref_counts.tolist() == [7, 0, 9, 1, 0]
    assert error < spike_tol
    assert res.V.min() == pytest.approx(ref["V_min"], abs=1e-6)
    assert ref["V_min"] == pytest.approx(-387.72, abs=0.01)


@pytest.mark.parametrize("dt", [0.01, 0.05])
def test_deep_hyperpolarisation_settles_at_the_leak_closed_form(dt):
    """At -100 uA/cm^2 every gate but h closes (m^3 h and n^4 below 1e-40), so V
    relaxes with tau = C/g_L = 3.3 ms to E_L + I/g_L = -387.720333... mV."""
    t = nh.time_axis(200.0, dt)
    res = HH.simulate(nh.pulse_current(t, [(0.0, 200.0, -100.0)]), dt)
    assert res.V[-1] == pytest.approx(-54.387 - 100.0 / 0.3, abs=1e-9)
    assert res.state["h"][-1] == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("amplitude, dt", [(-30.0, 0.01), (-20.0, 0.05), (-100.0, 0.01), (-100.0, 0.05)])
def test_hyperpolarising_step_then_release_matches_radau(amplitude, dt):
    """These steps turned V into NaN with plain RK4; the rebound (anode-break)
    spike after the release checks the accuracy of the stiff phase."""
    ref = hh_radau(rest_vector(), [(0.0, 50.0, amplitude), (50.0, 100.0, 0.0)], rtol=1e-9, atol=1e-9)
    t = nh.time_axis(100.0, dt)
    res = HH.simulate(nh.pulse_current(t, [(0.0, 50.0, amplitude)]), dt)
    assert np.all(np.isfinite(res.V))
    assert res.V.min() == pytest.approx(ref["V_min"], abs=1e-6)
    assert res.spike_times.size == ref["spike_times"].size == 1
    assert abs(res.spike_times[0] - ref["spike_times"][0]) < (1e-6 if dt == 0.01 else 5e-5)


def test_steps_inside_the_rk4_stability_region_are_plain_rk4():
    """On the cumulative 2020 protocol no step leaves the region: the default
    scheme then equals RK4 without the fallback bit for bit."""
    t = nh.time_axis(500.0, 0.01)
    I = nh.step_current(t, [(0, 10), (100, -10), (200, 20), (300, 80), (400, -100)])
    default, n_exp = run_scheme(HH, I, 0.01, hh_module._SCHEME_CODE["rk4"])
    plain, _ = run_scheme(HH, I, 0.01, hh_module._PLAIN_RK4)
    assert n_exp.tolist() == [0]
    assert np.array_equal(default.V, plain.V)
    assert np.array_equal(default.spike_times, plain.spike_times)
    _, n_exp = run_scheme(HH, nh.pulse_current(t, LITERAL), 0.01, hh_module._SCHEME_CODE["rk4"])
    assert n_exp[0] > 0  # the -100 uA/cm^2 phase uses the exponential step
    with pytest.raises(ValueError, match="NaN or infinite"):  # where plain RK4 fails
        run_scheme(HH, nh.pulse_current(t, LITERAL), 0.01, hh_module._PLAIN_RK4)


def test_exponential_scheme_is_second_order_and_stable_at_any_dt():
    ref = hh_spike_times(rest_vector(), [(0.0, 60.0, 10.0)])
    errors = []
    for dt in [0.02, 0.01, 0.005]:
        res = HH.simulate(np.full(round(60 / dt) + 1, 10.0), dt, method="exponential")
        errors.append(np.max(np.abs(res.spike_times - ref)))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    print(f"exponential scheme spike-time errors {errors} ms, orders {orders}")
    assert np.all((orders > 1.8) & (orders < 2.3)), (errors, orders)
    t = nh.time_axis(500.0, 0.5)
    coarse = HH.simulate(nh.pulse_current(t, LITERAL), 0.5, method="exponential", allow_unstable=True)
    assert np.all(np.isfinite(coarse.V)) and coarse.V.min() == pytest.approx(-387.72, abs=0.01)
    for gate in "mhn":
        assert np.all((coarse.state[gate] >= 0.0) & (coarse.state[gate] <= 1.0))


def test_huge_sodium_conductance_matches_radau():
    model = nh.HodgkinHuxley(g_Na=1e6)
    x0 = rest_vector(model)
    ref = hh_radau(x0, [(0.0, 50.0, 10.0)], rtol=1e-9, atol=1e-9, sample_dt=0.05, g_na=1e6)
    t = nh.time_axis(50.0, 0.05)
    res = model.simulate(np.full(t.size, 10.0), 0.05)
    assert np.max(np.abs(res.V[:-1] - ref["V"])) < 1e-3
    assert res.spike_times.size == ref["spike_times"].size


def test_a_current_too_strong_for_dt_is_a_clear_error_and_accurate_at_small_dt():
    with pytest.raises(ValueError, match=r"moves V by 500 mV.*dt <= 0\.002"):
        HH.simulate(np.full(101, 1e4), 0.05)
    ref = hh_radau(rest_vector(), [(0.0, 2.0, 1e4)], rtol=1e-10, atol=1e-10, sample_dt=0.002)
    res = HH.simulate(np.full(1001, 1e4), 0.002)
    assert np.max(np.abs(res.V[:-1] - ref["V"])) < 1e-3
    assert abs(res.spike_times[0] - ref["spike_times"][0]) < 1e-9


@pytest.mark.parametrize("method", ["rk4", "exponential"])
def test_leaving_the_valid_range_raises_with_the_time(method):
    """-1e4 uA/cm^2 drives the true V towards -33 V; the run stops with the reason."""
    with pytest.raises(ValueError, match=r"V left the valid range \[-2000, 2000\].*t = 0\.\d+ to"):
        HH.simulate(np.full(1001, -1e4), 0.001, method=method)


def test_unstable_euler_raises_instead_of_returning_nan():
    t = nh.time_axis(100.0, 0.04)
    with pytest.raises(ValueError, match=r'method="rk4".*t = \d'):
        HH.simulate(nh.pulse_current(t, [(0.0, 100.0, -100.0)]), 0.04, method="euler")


@pytest.mark.parametrize("name, value", [("m0", 2.0), ("h0", -0.1), ("n0", np.nan), ("m0", [0.1, 1.5])])
def test_initial_gates_must_be_fractions(name, value):
    batch = np.size(value)
    with pytest.raises(ValueError, match=name):
        HH.simulate(np.zeros((batch, 5)), 0.01, **{name: value})


def test_complex_current_is_refused():
    with pytest.raises(ValueError, match="real"):
        HH.simulate(np.zeros(5, dtype=complex), 0.01)


@pytest.mark.parametrize("shape", [(2001,), (3, 2001)])
def test_record_false_returns_the_final_state(shape):
    I = np.full(shape, 10.0)
    if len(shape) == 2:
        I *= np.array([[0.0], [1.0], [2.0]])
    full = HH.simulate(I, 0.01)
    last = HH.simulate(I, 0.01, record=False)
    assert last.V.shape == (*shape[:-1], 1)
    assert np.array_equal(last.V[..., 0], full.V[..., -1])
    for gate in "mhn":
        assert np.array_equal(last.state[gate][..., 0], full.state[gate][..., -1])


def test_dt_messages_recommend_only_another_method():
    with pytest.raises(ValueError) as rk4_error:
        HH.simulate(np.zeros(3), 0.2)
    assert "default" not in str(rk4_error.value) and "smaller dt" in str(rk4_error.value)
    with pytest.raises(ValueError, match='method="rk4"'):
        HH.simulate(np.zeros(3), 0.05, method="euler")


def test_an_empty_batch_gives_empty_results():
    res = HH.simulate(np.zeros((0, 5)), 0.01)
    assert res.V.shape == (0, 5) and res.spike_times == []


def test_batch_with_stiff_and_ordinary_neurons_equals_the_rows_run_alone():
    t = nh.time_axis(200.0, 0.02)
    I = np.stack([nh.pulse_current(t, [(0.0, 100.0, a)]) for a in (-100.0, 10.0, -30.0)])
    batch = HH.simulate(I, 0.02)
    for row in range(3):
        alone = HH.simulate(I[row], 0.02)
        assert np.array_equal(batch.V[row], alone.V)
        assert np.array_equal(batch.spike_times[row], alone.spike_times)
