"""Extreme and bad input (issue 10, section 2): no hang, no silent wrong trace, no garbage.

Every case that once hung inside a compiled kernel (where Ctrl-C cannot stop it) runs in
a subprocess with a timeout, so a regression fails the test instead of hanging the suite.
Accuracy is checked against references written here with SciPy (event-located
``solve_ivp``, Radau for the stiff hyperpolarised runs), not against the package.
"""

import inspect
import json
import math
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurohelpers as nh

RS = (0.02, 0.2, -65.0, 8.0)


def run_bounded(code: str, timeout: float = 120.0, prelude: str = "") -> dict:
    """Run ``prelude`` then ``code`` in a fresh interpreter; it must print a JSON line (the
    last line of its output) within ``timeout`` s. On a timeout the failure shows what the
    script printed so far (e.g. the name of the case that hung)."""
    script = "import json, numpy as np, neurohelpers as nh\n" + prelude + textwrap.dedent(code)
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as err:
        partial = err.stdout.decode() if isinstance(err.stdout, bytes) else err.stdout
        pytest.fail(f"did not finish within {timeout:g} s (hang); output so far:\n{partial}")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


OUTCOME = """
def outcome(call):
    try:
        res = call()
    except ValueError as err:
        return {"error": str(err)}
    V = np.ravel(res.V)
    return {"finite": bool(np.all(np.isfinite(V))), "V_end": float(V[-1]),
            "spikes": int(np.size(res.spike_times))}
"""


def izh_reference(I, t_eval, v0, u0, a=0.02, b=0.2, c=-65.0, d=8.0, v_peak=30.0):
    """Izhikevich 2003 with constant I, Radau (stiff, exact Jacobian), event-located spikes.
    Returns spike times and v, u at the sample times ``t_eval`` (ms)."""

    def rhs(_t, x):
        return [0.04 * x[0] ** 2 + 5 * x[0] + 140 - x[1] + I, a * (b * x[0] - x[1])]

    def jac(_t, x):
        return [[0.08 * x[0] + 5, -1.0], [a * b, -a]]

    def peak(_t, x):
        return x[0] - v_peak

    peak.terminal, peak.direction = True, 1.0
    t, x, spikes, vs, us = 0.0, [v0, u0], [], [], []
    while True:
        te = t_eval[t_eval >= t]
        sol = solve_ivp(rhs, (t, t_eval[-1]), x, method="Radau", jac=jac, rtol=1e-11, atol=1e-9,
                        events=peak, t_eval=te)
        vs += list(sol.y[0])
        us += list(sol.y[1])
        if sol.status != 1:
            return np.array(spikes), np.array(vs), np.array(us)
        t = sol.t_events[0][0]
        spikes.append(t)
        x = [c, sol.y_events[0][0][1] + d]


# --- no input may hang ----------------------------------------------------------------------------

HANG_CASES = {
    "Izhikevich I = -3000 at dt 0.25": "nh.Izhikevich.preset('RS').simulate(np.full(201, -3000.0), 0.25)",
    "Izhikevich u0 = 1e5": "nh.Izhikevich.preset('RS').simulate(np.zeros(201), 0.25, u0=1e5)",
    "Izhikevich v0 = 1e10": "nh.Izhikevich.preset('RS').simulate(np.zeros(201), 0.25, v0=1e10)",
    "Izhikevich allow_unstable dt 8": (
        "nh.Izhikevich.preset('RS').simulate(np.full(101, 10.0), 8.0, allow_unstable=True)"
    ),
    "Izhikevich allow_unstable dt 16": (
        "nh.Izhikevich.preset('RS').simulate(np.full(101, 10.0), 16.0, allow_unstable=True)"
    ),
    "Izhikevich I = 1e12 (too fast)": "nh.Izhikevich.preset('RS').simulate(np.full(201, 1e12), 0.25)",
    "Izhikevich I = -1e15 (too stiff)": "nh.Izhikevich.preset('RS').simulate(np.full(201, -1e15), 0.25)",
    "exact LIF t_ref = 0 at 1e15 nA": "nh.LIF(t_ref=0.0).simulate(np.full(101, 1e15), 0.1)",
}


def test_former_hangs_finish_with_a_result_or_a_clear_error():
    """All cases in one interpreter (one import); each prints its name before it runs."""
    lines = [f"print('running', {name!r}, flush=True)\nresults[{name!r}] = outcome(lambda: {call})"
             for name, call in HANG_CASES.items()]
    out = run_bounded("results = {}\n" + "\n".join(lines) + "\nprint(json.dumps(results))",
                      prelude=OUTCOME, timeout=240)
    assert set(out) == set(HANG_CASES)
    for name, result in out.items():
        if "error" in result:
            assert "(neuron 0, step" in result["error"] and "ms" in result["error"], (name, result)
            assert "too coarse" not in result["error"], name
        else:
            assert result["finite"], (name, result)


def test_the_extreme_cases_give_the_expected_kind_of_outcome():
    out = run_bounded(prelude=OUTCOME, code="""
        rs = nh.Izhikevich.preset('RS')
        print(json.dumps({
            "fast": outcome(lambda: rs.simulate(np.full(201, 1e12), 0.25)),
            "stiff": outcome(lambda: rs.simulate(np.full(201, -1e15), 0.25)),
            "lif": outcome(lambda: nh.LIF(t_ref=0.0).simulate(np.full(101, 1e15), 0.1)),
            "v0": outcome(lambda: rs.simulate(np.zeros(201), 0.25, v0=1e10)),
        }))
    """)
    assert "spikes within one time step" in out["fast"]["error"]
    assert "outside what the scheme can integrate" in out["stiff"]["error"]
    assert "spikes within one time step" in out["lif"]["error"]
    assert out["v0"]["finite"] and out["v0"]["spikes"] == 1  # the start above v_peak is one spike


def test_fi_curve_at_a_huge_current_finishes_and_matches_the_reference():
    """fi_curve(RS, [1e6]) once hung; the first 0.05 ms hold 525 spikes (event-located DOP853)."""
    out = run_bounded("""
        rate = nh.fi_curve(nh.Izhikevich.preset('RS'), [1e6])
        res = nh.Izhikevich.preset('RS').simulate(np.full(3, 1e6), 0.025)
        print(json.dumps({"rate": float(rate[0]), "spikes": res.spike_times.tolist()}))
    """)
    assert out["rate"] > 1e5  # Hz: spikes every few microseconds

    a, b, c, d = RS

    def rhs(_t, x):
        return [0.04 * x[0] ** 2 + 5 * x[0] + 140 - x[1] + 1e6, a * (b * x[0] - x[1])]

    def peak(_t, x):
        return x[0] - 30.0

    peak.terminal, peak.direction = True, 1.0
    t, x, reference = 0.0, [-65.0, -13.0], []
    while True:
        sol = solve_ivp(rhs, (t, 0.05), x, method="DOP853", rtol=1e-12, atol=1e-12, events=peak)
        if sol.status != 1:
            break
        t = sol.t_events[0][0]
        reference.append(t)
        x = [c, sol.y_events[0][0][1] + d]
    ours = np.array(out["spikes"])
    assert ours.size == len(reference) == 525
    assert np.max(np.abs(ours - reference)) < 1e-9


# --- strong hyperpolarisation: accurate, never a silent wrong trace --------------------------------

@pytest.mark.parametrize("I, v_end", [(-2000.0, -284.73), (-1000.0, -219.32), (-3000.0, -334.95)])
@pytest.mark.parametrize("dt", [0.25, 0.1])
def test_strong_negative_current_follows_the_stiff_reference(I, v_end, dt):
    """Once: I = -2000 at dt 0.25 gave 21 spikes (reference 0); I = -1000 ended at -128 mV
    (reference -219). Now RK4 sub-steps where the quadratic is stiff."""
    n = round(50.0 / dt) + 1
    t = np.arange(n) * dt
    spikes, v_ref, u_ref = izh_reference(I, t, -65.0, -13.0)
    res = nh.Izhikevich.preset("RS").simulate(np.full(n, I), dt)
    assert spikes.size == 0 and res.spike_times.size == 0
    assert v_ref[-1] == pytest.approx(v_end, abs=0.01)
    # largest during the fast initial fall (-1000 at dt 0.1: 0.18 mV after 0.1 ms, on a whole
    # step that does not reach the stiffness limit; the sub-stepped ones are within 0.003 mV)
    assert np.max(np.abs(res.V - v_ref)) < 0.2  # mV
    assert np.max(np.abs(res.V[t >= 2] - v_ref[t >= 2])) < 1e-4
    assert np.max(np.abs(res.state["u"] - u_ref)) < 1e-3


def test_huge_initial_u_follows_the_stiff_reference():
    t = np.arange(201) * 0.25
    _, v_ref, u_ref = izh_reference(0.0, t, -65.0, 1e5)
    res = nh.Izhikevich.preset("RS").simulate(np.zeros(201), 0.25, u0=1e5)
    assert np.max(np.abs(res.V - v_ref)) < 1e-3
    assert np.max(np.abs(res.state["u"] - u_ref) / np.abs(u_ref)) < 1e-8


@pytest.mark.parametrize("method", ["euler", "izhikevich2003", "izhikevich2004"])
def test_grid_schemes_refuse_to_run_where_they_are_unstable(method):
    """Forward Euler at v where 1 + (0.08 v + 5) dt < -1 would oscillate and diverge."""
    rs = nh.Izhikevich.preset("RS")
    with pytest.raises(ValueError, match="unstable"):
        rs.simulate(np.full(201, -2000.0), 0.25, method=method)
    # allow_unstable reproduces the artefact, but never returns NaN
    try:
        res = rs.simulate(np.full(201, -2000.0), 0.25, method=method, allow_unstable=True)
    except ValueError as err:
        assert "non-finite" in str(err)
    else:
        assert np.all(np.isfinite(res.V)) and np.all(np.isfinite(res.state["u"]))


def test_ordinary_hyperpolarisation_is_not_sub_stepped():
    """TC held at I = -10 (2003, Fig. 2): v stays near -76 mV, far from the stiffness limit;
    the run equals its own RK4 on whole steps (finer dt converges to the same)."""
    rest = -(4.75 + math.sqrt(4.75**2 - 0.16 * 130.0)) / 0.08  # 0.04 v^2 + 4.75 v + 130 = 0
    res = nh.Izhikevich.preset("TC").simulate(np.full(2001, -10.0), 0.25, v0=rest, u0=0.25 * rest)
    assert np.allclose(res.V, rest, atol=1e-9)


# --- record=False returns the final state ----------------------------------------------------------

@pytest.mark.parametrize("model, I, dt, names", [
    (nh.LIF(), np.full(501, 3.0), 0.1, ()),
    (nh.LIF(R=math.inf, t_ref=0.0), np.full(501, 0.5), 0.1, ()),
    (nh.Izhikevich.preset("RS"), np.full(501, 10.0), 0.1, ("u",)),
])
@pytest.mark.parametrize("method_index", [0, 1])
def test_record_false_returns_the_final_state(model, I, dt, names, method_index):
    method = ("exact", "euler")[method_index] if isinstance(model, nh.LIF) else ("rk4", "euler")[method_index]
    full = model.simulate(np.stack([I, 0.5 * I]), dt, method=method)
    final = model.simulate(np.stack([I, 0.5 * I]), dt, method=method, record=False)
    assert final.V.shape == (2, 1)
    assert np.array_equal(final.V[:, 0], full.V[:, -1])  # was uninitialised memory (5e-324)
    for name in names:
        assert np.array_equal(final.state[name][:, 0], full.state[name][:, -1])
    one = model.simulate(I, dt, method=method, record=False)
    assert one.V.shape == (1,) and one.V[0] == full.V[0, -1]
    assert final.dt == dt and final.method == method


# --- the sparse spike buffer -----------------------------------------------------------------------

@pytest.mark.slow
def test_memory_follows_the_total_spike_count():
    """10^4 neurons, one at gain 1e6: the dense (batch x most spikes) buffer asked for
    10^4 x 2.8e6 x 8 B = 211 GiB; the flat buffer needs about 16 B per spike."""
    out = run_bounded("""
        import resource
        gains = np.ones(10**4)
        gains[123] = 1e6
        res = nh.Izhikevich.preset('RS').simulate(np.full(401, 10.0), 0.25, record=False, gain=gains)
        alone = nh.Izhikevich.preset('RS').simulate(np.full(401, 1e7), 0.25, record=False)
        counts = [s.size for s in res.spike_times]
        print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "counts": [counts[0], counts[123], sum(counts)],
                          "same": bool(np.array_equal(res.spike_times[123], alone.spike_times))}))
    """, timeout=300)
    first, big, total = out["counts"]
    assert big > 2_000_000 and out["same"] and total == big + 9999 * first
    assert out["rss_mib"] < 1024, out


# --- validation --------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: nh.LIF().simulate(np.zeros(5) + 1j, 0.1), "I must be real"),
    (lambda: nh.Izhikevich().simulate(np.zeros(5, dtype=complex), 0.1), "I must be real"),
    (lambda: nh.LIF().simulate(np.zeros(5), 0.1, gain=[1 + 1j]), "gain must be real"),
    (lambda: nh.LIF().simulate(np.zeros(5), 0.1, V0=-65 + 0j), "V0 must be real"),
    (lambda: nh.LIF(C="1.0"), "C must be a real number"),
    (lambda: nh.Izhikevich(a="0.02"), "a must be a real number"),
    (lambda: nh.LIF(C=1 + 0j), "C must be a real number"),
    (lambda: nh.LIF().simulate(np.zeros(5), np.array([0.1])), "dt must be a scalar"),
    (lambda: nh.Izhikevich().simulate(np.zeros(5), np.array([0.1])), "dt must be a scalar"),
    (lambda: nh.LIF().simulate(np.zeros(5), 0.1, refractory0=-5.0), "refractory0"),
    (lambda: nh.LIF().simulate(np.zeros(5), 0.1, refractory0=[0.0, 1.0]), "refractory0"),
    (lambda: nh.LIF().simulate(np.full(5, 1e300), 0.1, gain=[1e10]), "overflows"),
    (lambda: nh.LIF().simulate(np.full(5, 1e308), 0.1), "overflows"),
    (lambda: nh.Izhikevich(a=10.0).simulate(np.full(5, 10.0), 0.25, method="euler"), "a \\* dt"),
    (lambda: nh.LIF().simulate(np.full(5, 3.0), 1e300), "spikes within one time step"),
])
def test_bad_input_gives_a_clear_value_error(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning or DeprecationWarning on the way
        with pytest.raises(ValueError, match=match):
            call()


def test_an_empty_batch_gives_empty_results():
    for model in (nh.LIF(), nh.Izhikevich()):
        res = model.simulate(np.zeros((0, 5)), 0.25)
        assert res.V.shape == (0, 5) and res.spike_times == []


def test_parameters_are_stored_as_floats():
    a = np.array(0.02)
    model = nh.Izhikevich(a=a, b=np.float32(0.25), c=-65, d=np.int64(2))
    a[...] = 5.0  # the caller's array changes later: the model must not
    assert model.a == 0.02 and all(type(getattr(model, f)) is float for f in ("a", "b", "c", "d", "k1"))
    lif = nh.LIF(C=np.array(2.0), R=math.inf, t_ref=1)
    assert type(lif.C) is float and lif.R == math.inf and type(lif.t_ref) is float
    with pytest.raises(Exception, match="cannot assign"):
        model.a = 1.0  # still frozen


def test_presets_are_read_only():
    with pytest.raises(TypeError):
        nh.PRESETS["RS"] = (1.0, 1.0, 1.0, 1.0)
    assert nh.Izhikevich.preset("RS").a == 0.02


@pytest.mark.parametrize("model, dt", [(nh.LIF(), 0.1), (nh.Izhikevich.preset("RS"), 0.1)])
def test_scalar_gain_gives_a_one_neuron_result(model, dt):
    amplitude = 3.0 if isinstance(model, nh.LIF) else 10.0
    I = nh.pulse_current(nh.time_axis(100.0, dt), [(10, 90, amplitude)])
    scaled = model.simulate(I, dt, gain=2.0)
    direct = model.simulate(2.0 * I, dt)
    assert scaled.V.shape == I.shape and isinstance(scaled.spike_times, np.ndarray)
    assert np.array_equal(scaled.V, direct.V) and np.array_equal(scaled.spike_times, direct.spike_times)


def test_simulate_options_are_keyword_only():
    with pytest.raises(TypeError):
        nh.LIF().simulate(np.zeros(5), 0.1, "euler")
    with pytest.raises(TypeError):
        nh.Izhikevich().simulate(np.zeros(5), 0.1, "euler")


def test_models_satisfy_the_spiking_model_protocol():
    """Each model's simulate takes I, dt and the protocol's options, keyword-only."""
    wanted = [name for name, p in inspect.signature(nh.SpikingModel.simulate).parameters.items()
              if p.kind == inspect.Parameter.KEYWORD_ONLY]
    assert wanted == ["method", "V0", "record", "allow_unstable", "gain"]
    for model in (nh.LIF(), nh.Izhikevich(), nh.HodgkinHuxley()):
        assert isinstance(model, nh.SpikingModel)
        params = inspect.signature(model.simulate).parameters
        assert list(params)[:2] == ["I", "dt"]
        assert all(params[name].kind == inspect.Parameter.KEYWORD_ONLY for name in wanted), model
