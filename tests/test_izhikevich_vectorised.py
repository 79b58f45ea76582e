"""Izhikevich kernel across a batch (time steps outside, neurons inside): each neuron of a
batch must get exactly what it gets alone, for every method; spike times are checked
against independent references (event-located solve_ivp for RK4, literal loops of the
published update rules for the grid schemes)."""

import numpy as np
import pytest
from reference_models import izhikevich_spike_times

import neurohelpers as nh

METHODS = ("rk4", "euler", "izhikevich2003", "izhikevich2004")

MODELS = {
    "RS": nh.Izhikevich.preset("RS"),
    "FS": nh.Izhikevich.preset("FS"),
    "class 1 quadratic": nh.Izhikevich(a=0.02, b=-0.1, c=-55.0, d=6.0, k1=4.1, k0=108.0),
    "accommodation": nh.Izhikevich(a=0.02, b=1.0, c=-55.0, d=4.0, recovery="accommodation"),
    "negative a and d": nh.Izhikevich(a=-0.026, b=-1.0, c=-45.0, d=-2.0),
}


def mixed_batch(n, dt, rows, seed=0):
    """Currents (rows, n): steps of random amplitude in -40 .. 60 starting at random times,
    some rows noisy; initial v and u spread over the range, some above v_peak."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) * dt
    amp = rng.uniform(-40.0, 60.0, rows)
    onset = rng.uniform(0.0, t[-1], rows)
    I = np.where(t[None, :] >= onset[:, None], amp[:, None], 0.0)
    I[::3] += rng.normal(0.0, 5.0, (I[::3].shape))
    v0 = rng.uniform(-90.0, 35.0, rows)
    u0 = rng.uniform(-20.0, 20.0, rows)
    return I, v0, u0


def assert_rows_alone(model, I, dt, method, v0, u0, record, gain=None):
    """The batch run equals each row run alone, bit for bit (V, u, spike times)."""
    batch = model.simulate(I, dt, method=method, V0=v0, u0=u0, record=record, gain=gain)
    rows = I.shape[0] if gain is None else gain.size
    for r in range(rows):
        I_r = I[r] if gain is None else gain[r] * I
        alone = model.simulate(I_r, dt, method=method, V0=v0[r], u0=u0[r], record=record)
        assert np.array_equal(batch.V[r], alone.V), (method, r)
        assert np.array_equal(batch.state["u"][r], alone.state["u"]), (method, r)
        assert np.array_equal(batch.spike_times[r], alone.spike_times), (method, r)
    return batch


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("method", METHODS)
def test_batch_equals_each_row_alone(name, method):
    # 37 rows and 300 steps: the trace block (256 steps here) is flushed once full and once partial
    I, v0, u0 = mixed_batch(301, 0.1, 37, seed=len(name))
    result = assert_rows_alone(MODELS[name], I, 0.1, method, v0, u0, record=True)
    assert sum(s.size for s in result.spike_times) > 0
    assert_rows_alone(MODELS[name], I, 0.1, method, v0, u0, record=False)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 2, 257, 1000])
def test_gain_batch_equals_each_row_alone(method, n):
    t = np.arange(n) * 0.1
    waveform = np.where(t >= 5.0, 1.0, 0.0) + 0.1 * np.sin(t)
    gain = np.linspace(-30.0, 40.0, 130)
    v0 = np.linspace(-80.0, 31.0, 130)
    u0 = np.linspace(-15.0, 10.0, 130)
    for record in (True, False):
        assert_rows_alone(MODELS["RS"], waveform, 0.1, method, v0, u0, record, gain=gain)


def test_stiff_and_ordinary_neurons_in_one_batch():
    """Strong hyperpolarising rows (RK4 splits their steps) next to spiking rows."""
    amps = np.array([-3000.0, 10.0, -1000.0, 0.0, 500.0, -2000.0, 25.0, 4.0, -500.0])
    I = np.repeat(amps[:, None], 501, axis=1)
    v0 = np.full(amps.size, -65.0)
    assert_rows_alone(MODELS["RS"], I, 0.1, "rk4", v0, 0.2 * v0, record=True)
    assert_rows_alone(MODELS["RS"], I, 0.25, "rk4", v0, 0.2 * v0, record=False)


def test_rk4_batch_spike_times_match_event_located_solve_ivp():
    """A batch of 64 RS neurons at constant currents; four of them against the DOP853
    reference with the reset applied at each located crossing."""
    currents = np.linspace(4.0, 20.0, 64)
    dt, t_stop = 0.02, 100.0
    n = round(t_stop / dt) + 1
    res = nh.Izhikevich.preset("RS").simulate(np.ones(n), dt, gain=currents, record=False)
    for r in (0, 21, 42, 63):
        reference = izhikevich_spike_times(0.02, 0.2, -65.0, 8.0, I=currents[r], t_stop=t_stop)
        assert reference.size >= 1
        assert res.spike_times[r].size == reference.size
        assert np.max(np.abs(res.spike_times[r] - reference)) < 1e-5


def literal_loop(method, a, b, c, d, I, dt, v, u):
    """The grid schemes written out per step for the 2003 quadratic (standard recovery).
    Returns the traces of v and u and the spike times (ms)."""
    vs, us, fired = [v], [u], []
    for k in range(I.size - 1):
        if method == "euler":
            v, u = v + dt * (0.04 * v * v + 5.0 * v + 140.0 - u + I[k]), u + dt * a * (b * v - u)
        elif method == "izhikevich2003":
            v = v + 0.5 * dt * (0.04 * v * v + 5.0 * v + 140.0 - u + I[k])
            v = v + 0.5 * dt * (0.04 * v * v + 5.0 * v + 140.0 - u + I[k])
            u = u + dt * a * (b * v - u)
        else:
            v = v + dt * (0.04 * (v * v) + 5.0 * v + 140.0 - u + I[k])
            u = u + dt * a * (b * v - u)
        if (v > 30.0) if method == "izhikevich2004" else (v >= 30.0):
            fired.append((k + 1) * dt)
            v, u = c, u + d
        vs.append(v)
        us.append(u)
    return np.array(vs), np.array(us), np.array(fired)


@pytest.mark.parametrize("method", ["euler", "izhikevich2003", "izhikevich2004"])
def test_grid_scheme_batch_equals_the_literal_loop(method):
    I, v0, u0 = mixed_batch(801, 0.1, 20, seed=3)
    I = np.clip(I, -20.0, 60.0)  # inside the schemes' stable range
    v0 = np.clip(v0, -80.0, 29.0)
    a, b, c, d = nh.PRESETS["RS"]
    res = nh.Izhikevich.preset("RS").simulate(I, 0.1, method=method, V0=v0, u0=u0)
    for r in range(I.shape[0]):
        V, U, fired = literal_loop(method, a, b, c, d, I[r], 0.1, v0[r], u0[r])
        assert np.array_equal(res.V[r], V) and np.array_equal(res.state["u"][r], U), r
        assert np.array_equal(res.spike_times[r], fired), r
    assert sum(s.size for s in res.spike_times) > 20


@pytest.mark.parametrize("method", METHODS)
def test_batch_failure_names_the_lowest_failing_neuron(method):
    """A huge inhibitory pulse on neuron 3 at step 5 and on neuron 1 at step 300: the error
    is neuron 1's (rows are reported as if run in order), at the step where it fails alone."""
    I = np.full((5, 501), 10.0)
    I[3, 5] = -1e300
    I[1, 300] = -1e300
    model = MODELS["RS"]
    with pytest.raises(ValueError) as alone:
        model.simulate(I[1], 0.1, method=method)
    step = str(alone.value).split("(neuron 0, step ")[1].split(":")[0]
    assert int(step) >= 300
    with pytest.raises(ValueError, match=rf"\(neuron 1, step {step}:"):
        model.simulate(I, 0.1, method=method)


def outcome(model, I, dt, method, v0, row_offset=0):
    """The result, or the error message with the neuron number shifted by ``row_offset``."""
    try:
        return model.simulate(I, dt, method=method, V0=v0, record=True)
    except ValueError as error:
        message = str(error)
        row = int(message.split("(neuron ")[1].split(",")[0])
        return message.replace(f"(neuron {row},", f"(neuron {row + row_offset},")


@pytest.mark.parametrize("method", METHODS)
def test_neurons_at_the_stability_and_stiffness_bounds(method):
    """Initial v within a few ulps of where the grid schemes turn unstable, (2 k2 v + k1) h
    = -2, or an RK4 step turns stiff, (2 k2 v + k1) dt = -STIFFNESS_LIMIT: the batch (which
    screens neurons with a bound on v) gives each neuron what it gets alone, errors included."""
    dt = 0.1
    h, bound = {"rk4": (dt, -nh.izhikevich.STIFFNESS_LIMIT), "izhikevich2003": (0.5 * dt, -2.0)}.get(
        method, (dt, -2.0))
    edge = (bound / h - 5.0) / (2.0 * 0.04)
    v_edge = [edge]
    for _ in range(4):
        v_edge = [np.nextafter(v_edge[0], -np.inf), *v_edge, np.nextafter(v_edge[-1], np.inf)]
    model = MODELS["RS"]
    ordinary = np.linspace(-70.0, -60.0, 5)
    I = np.full(30, 5.0)
    refused = []
    for v in v_edge:
        v0 = np.append(ordinary, v)
        batch = outcome(model, np.tile(I, (6, 1)), dt, method, v0)
        alone = outcome(model, I, dt, method, v, row_offset=5)
        refused.append(isinstance(alone, str))
        if refused[-1]:
            assert batch == alone
        else:
            assert np.array_equal(batch.V[5], alone.V)
            assert np.array_equal(batch.state["u"][5], alone.state["u"])
            assert np.array_equal(batch.spike_times[5], alone.spike_times)
    if method != "rk4":  # the grid schemes refuse the lower values and run the upper ones
        assert refused[0] and not refused[-1]


@pytest.mark.parametrize("record", [True, False])
def test_batch_equals_rows_when_spike_buffers_must_grow(record):
    """Inhibition-induced bursting under RK4 (Izhikevich 2004, panel S) fires hundreds of
    spikes within one 0.25 ms step late in the run: the RK4 scratch (64 slots) and the flat
    spike buffer (4096) both grow mid-step, in the batch and in the one-neuron kernel."""
    from neurohelpers.protocols import features2004 as f04

    feature = f04.get_feature("inhibition-induced bursting")
    _, I = f04.feature_current(feature, 0.25, 240.0)
    gain = np.array([1.0, 0.8, 1.0])
    batch = feature.model.simulate(I, 0.25, method="rk4", v0=feature.v0, u0=feature.initial_u, gain=gain,
                                   record=record)
    per_step = np.bincount((batch.spike_times[1] // 0.25).astype(int))
    assert per_step.max() > 64 and sum(s.size for s in batch.spike_times) > 4096
    for r in range(gain.size):
        alone = feature.model.simulate(gain[r] * I, 0.25, method="rk4", v0=feature.v0, u0=feature.initial_u,
                                       record=record)
        assert np.array_equal(batch.V[r], alone.V), r
        assert np.array_equal(batch.state["u"][r], alone.state["u"]), r
        assert np.array_equal(batch.spike_times[r], alone.spike_times), r


@pytest.mark.parametrize("method", ["euler", "izhikevich2004"])
def test_grid_batch_neuron_landing_on_the_reset_value_without_spiking(method):
    # These batches reset spiking neurons to c inside their pass and find them afterwards
    # among the neurons whose new v equals c: a neuron resting exactly at v = c (dv/dt = 0
    # there to the last bit: u0 is the quadratic at c, evaluated as each scheme does) must
    # not be counted as spiking when its neighbours spike in the same step.
    rs = MODELS["RS"]
    c = rs.c
    square = rs.k2 * c * c if method == "euler" else rs.k2 * (c * c)  # as each scheme rounds it
    u_rest = square + rs.k1 * c + rs.k0
    I = np.zeros((5, 3))
    I[[1, 2, 4]] = 50.0
    v0 = np.array([c, 29.9, 29.5, c, 29.0])
    u0 = np.array([u_rest, -10.0, -10.0, u_rest, -10.0])
    batch = assert_rows_alone(rs, I, 0.1, method, v0, u0, record=True)
    assert batch.V[0, 1] == c and batch.V[3, 1] == c  # on c after the first step ...
    assert batch.spike_times[0].size == 0 and batch.spike_times[3].size == 0  # ... but no spike
    for r in (1, 2, 4):
        assert batch.spike_times[r][0] == pytest.approx(0.1)  # 29 + 0.1 * dv/dt >= 30
