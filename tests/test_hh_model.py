"""Hodgkin-Huxley model definition: rate formulas, voltage frames, defaults, temperature."""

import dataclasses
import math

import numpy as np
import pytest
from reference_models import hh_rhs_phi
from scipy.integrate import solve_ivp

import neurohelpers as nh


def textbook_rates(V):
    """The textbook alpha/beta (1/ms) at modern V (mV) (Dayan & Abbott 2001, ch. 5),
    written here independently; expm1 keeps 0.1 (V+40)/(1 - exp(-(V+40)/10)) exact
    near -40 mV (and the n rate near -55 mV)."""
    V = np.asarray(V, dtype=float)
    um, un = V + 40.0, V + 55.0
    with np.errstate(invalid="ignore", divide="ignore"):
        am = np.where(um == 0.0, 1.0, 0.1 * um / -np.expm1(-um / 10.0))
        an = np.where(un == 0.0, 0.1, 0.01 * un / -np.expm1(-un / 10.0))
    return {
        "alpha_m": am,
        "beta_m": 4.0 * np.exp(-(V + 65.0) / 18.0),
        "alpha_h": 0.07 * np.exp(-(V + 65.0) / 20.0),
        "beta_h": 1.0 / (1.0 + np.exp(-(V + 35.0) / 10.0)),
        "alpha_n": an,
        "beta_n": 0.125 * np.exp(-(V + 65.0) / 80.0),
    }


def voltages():
    """-200..+100 mV every 0.01 mV, plus points 1e-1 .. 1e-13 mV either side of the
    removable singularities at -40 and -55 mV, and the singular points themselves."""
    grid = np.linspace(-200.0, 100.0, 30001)
    offsets = 10.0 ** -np.arange(1, 14)
    near = [c + s * offsets for c in (-40.0, -55.0) for s in (-1.0, 1.0)]
    return np.concatenate([grid, *near, [-40.0, -55.0]])


@pytest.mark.parametrize("convention, shift", [("modern", 0.0), ("rest0", 65.0)])
def test_fast_rates_equal_the_textbook_formulas(convention, shift):
    V = voltages()
    fast = nh.gate_rates(V + shift, convention)
    expected = textbook_rates(V)
    for name, values in expected.items():
        rel = np.max(np.abs(fast[name] - values) / np.abs(values))
        assert rel < 1e-12, (name, rel)


def test_rest0_is_the_modern_frame_plus_65_mV_and_1952_is_deprecated():
    model = nh.HodgkinHuxley(convention="rest0")
    assert model.reversal_potentials == pytest.approx({"E_Na": 115.0, "E_K": -12.0, "E_L": 10.613})
    assert model.resting_state()["V"] == pytest.approx(nh.HodgkinHuxley().resting_state()["V"] + 65.0)
    with pytest.warns(DeprecationWarning, match='convention="rest0"'):
        old = nh.HodgkinHuxley(convention="1952")
    assert old == model
    V = np.array([-30.0, 0.0, 40.0])
    with pytest.warns(DeprecationWarning, match="depolarisation as negative"):
        rates = nh.gate_rates(V, convention="1952")
    assert rates["alpha_m"] == pytest.approx(nh.gate_rates(V, "rest0")["alpha_m"], rel=0)


def test_replace_convention_moves_default_reversal_potentials():
    modern = nh.HodgkinHuxley()
    shifted = dataclasses.replace(modern, convention="rest0")
    assert modern.E_Na is None  # the field keeps "default", resolved when used
    assert shifted.reversal_potentials == pytest.approx({"E_Na": 115.0, "E_K": -12.0, "E_L": 10.613})
    back = dataclasses.replace(shifted, convention="modern")
    assert back.reversal_potentials == pytest.approx({"E_Na": 50.0, "E_K": -77.0, "E_L": -54.387})
    t = nh.time_axis(50.0, 0.01)
    I = nh.pulse_current(t, [(5.0, 50.0, 10.0)])
    a, b = modern.simulate(I, 0.01), shifted.simulate(I, 0.01)
    assert np.max(np.abs(b.V - 65.0 - a.V)) < 1e-9
    explicit = dataclasses.replace(nh.HodgkinHuxley(E_Na=55.0), convention="rest0")
    assert explicit.reversal_potentials["E_Na"] == 55.0  # a given value is the user's, kept as is


def test_parameters_are_stored_as_floats():
    model = nh.HodgkinHuxley(C=np.array(2.0), g_Na=np.float32(100.0), E_K=np.array(-80.0))
    assert type(model.C) is float and type(model.g_Na) is float and type(model.E_K) is float
    assert type(model.temperature) is float


@pytest.mark.parametrize("value", [math.nan, math.inf, -300.0, "warm"])
def test_temperature_is_validated(value):
    with pytest.raises(ValueError, match="temperature"):
        nh.HodgkinHuxley(temperature=value)


@pytest.mark.parametrize("temperature", [0.0, 6.3, 18.5, 35.0])
def test_every_rate_scales_by_q10_3(temperature):
    V = np.linspace(-120.0, 60.0, 1801) + 0.0123
    phi = 3.0 ** ((temperature - 6.3) / 10.0)
    warm = nh.gate_rates(V, temperature=temperature)
    for name, values in textbook_rates(V).items():
        assert np.allclose(warm[name], phi * values, rtol=1e-12, atol=0), name
    assert nh.HodgkinHuxley(temperature=temperature).phi == pytest.approx(phi, rel=1e-15)
    assert nh.HodgkinHuxley().phi == 1.0  # 6.3 degC: the rates are used unscaled


def test_a_warmer_model_is_the_cold_one_with_gates_in_scaled_time():
    """With s = phi t the gate equations lose phi and C becomes phi C: the model at
    16.3 degC (phi = 3) sampled every dt equals the 6.3 degC model with C = 3 sampled
    every 3 dt (same current samples)."""
    warm = nh.HodgkinHuxley(temperature=16.3)
    cold = nh.HodgkinHuxley(C=3.0)
    I = nh.pulse_current(nh.time_axis(100.0, 0.01), [(10.0, 100.0, 40.0)])
    a = warm.simulate(I, 0.01)
    b = cold.simulate(I, 0.03)
    assert a.spike_times.size == b.spike_times.size > 3
    assert np.max(np.abs(a.spike_times - b.spike_times / 3.0)) < 1e-9
    assert np.max(np.abs(a.V - b.V)) < 1e-7


def test_warm_model_spike_times_match_solve_ivp_with_the_q10_factor():
    warm = nh.HodgkinHuxley(temperature=16.3)
    r = warm.resting_state()

    def crossing(_t, x, _I, _phi):
        return x[0]

    crossing.direction = 1.0
    ref = solve_ivp(hh_rhs_phi, (0.0, 30.0), [r["V"], r["m"], r["h"], r["n"]], method="DOP853",
                    rtol=1e-10, atol=1e-10, events=crossing, args=(40.0, 3.0)).t_events[0]
    res = warm.simulate(np.full(3001, 40.0), 0.01)
    assert res.spike_times.size == ref.size > 3
    assert np.max(np.abs(res.spike_times - ref)) < 1e-5
