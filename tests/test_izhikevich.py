"""Izhikevich: convergence against an event-driven SciPy reference, schemes, presets."""

import numpy as np
import pytest
from reference_models import izhikevich_spike_times
from scipy.integrate import solve_ivp

import neurohelpers as nh


def run(model, I, t_stop, dt, method="rk4"):
    n = round(t_stop / dt) + 1
    return model.simulate(np.full(n, I), dt, method=method)


def test_default_method_converges_at_fourth_order():
    reference = izhikevich_spike_times(0.02, 0.2, -65.0, 8.0, I=10.0, t_stop=200.0)
    rs = nh.Izhikevich.preset("RS")
    errors = []
    for dt in [0.2, 0.1, 0.05]:
        spikes = run(rs, 10.0, 200.0, dt).spike_times
        assert spikes.size == reference.size
        errors.append(np.max(np.abs(spikes - reference)))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    print(f"Izhikevich RS spike-time errors {errors} ms, orders {orders}")
    assert np.all(orders > 3.5)
    assert errors[-1] < 1e-4


def test_grid_schemes_are_first_order_and_far_less_accurate():
    reference = izhikevich_spike_times(0.02, 0.2, -65.0, 8.0, I=10.0, t_stop=200.0)
    rs = nh.Izhikevich.preset("RS")
    for method in ["euler", "izhikevich2003"]:
        e1 = np.max(np.abs(run(rs, 10.0, 200.0, 0.02, method).spike_times[:4] - reference[:4]))
        e2 = np.max(np.abs(run(rs, 10.0, 200.0, 0.01, method).spike_times[:4] - reference[:4]))
        assert 1.4 < e1 / e2 < 2.8, method  # roughly halves with dt
        assert e2 > 100 * np.max(np.abs(run(rs, 10.0, 200.0, 0.01).spike_times[:4] - reference[:4]))


def test_published_scheme_matches_the_2003_update_rule():
    """One hand-stepped run of the published algorithm (v twice by half steps, u from new v)."""
    a, b, c, d = nh.PRESETS["RS"]
    v, u, fired = -65.0, b * -65.0, []
    for k in range(1000):
        v += 0.5 * (0.04 * v * v + 5 * v + 140 - u + 10.0)
        v += 0.5 * (0.04 * v * v + 5 * v + 140 - u + 10.0)
        u += a * (b * v - u)
        if v >= 30:
            fired.append(k + 1)
            v, u = c, u + d
    res = run(nh.Izhikevich.preset("RS"), 10.0, 1000.0, 1.0, "izhikevich2003")
    assert np.array_equal(res.spike_times, np.array(fired, dtype=float))


def test_default_initial_state_is_b_times_v():
    res = nh.Izhikevich(b=0.25).simulate(np.zeros(3), 0.1)
    assert res.V[0] == -65.0 and res.state["u"][0] == pytest.approx(0.25 * -65.0)


def gallery_stats(name, I=10.0, t_stop=300.0):
    spikes = run(nh.Izhikevich.preset(name), I, t_stop, 0.05).spike_times
    return nh.isi_statistics(spikes)


def test_rs_adapts_and_fs_does_not():
    rs, fs = gallery_stats("RS"), gallery_stats("FS")
    assert rs["adaptation_index"] > 0.03 and rs["last_isi"] > 1.5 * rs["first_isi"]
    assert abs(fs["adaptation_index"]) < 0.02 and fs["adaptation_index"] < rs["adaptation_index"] / 3
    assert rs["bursts"] == 0 and fs["bursts"] == 0
    assert fs["count"] > 2 * rs["count"]


def test_ib_bursts_once_then_spikes_tonically():
    ib = gallery_stats("IB")
    assert ib["bursts"] == 1 and ib["first_isi"] < 10 and ib["last_isi"] > 20


def test_ch_bursts_repeatedly():
    assert gallery_stats("CH")["bursts"] >= 5


def test_tc_rebound_burst_from_hyperpolarisation():
    """TC neuron held at I = -10 then released to 0 fires a rebound burst (2003, Fig. 2)."""
    t = nh.time_axis(400.0, 0.05)
    I = nh.pulse_current(t, [(0, 200, -10.0)])
    res = nh.Izhikevich.preset("TC").simulate(I, 0.05, v0=-87.0)
    after = res.spike_times[res.spike_times > 200]
    assert res.spike_times[res.spike_times < 200].size == 0
    assert after.size >= 3 and after[2] < 230 and np.diff(after)[0] < 10


def test_unknown_preset():
    with pytest.raises(ValueError, match="preset"):
        nh.Izhikevich.preset("XX")


def test_fixed_points_of_rs_at_rest_and_the_saddle_node():
    rs = nh.Izhikevich.preset("RS")
    # 0.04 v^2 + 4.8 v + 140 = 0  ->  v = -70 (stable rest) and v = -50 (saddle)
    low, high = rs.fixed_points(0.0)
    assert low["v"] == pytest.approx(-70.0) and low["u"] == pytest.approx(-14.0) and low["stable"]
    assert high["v"] == pytest.approx(-50.0) and not high["stable"]
    assert rs.saddle_node_current == pytest.approx(4.0)
    assert rs.fixed_points(4.1) == []
    u_v, u_u = rs.nullclines(np.array([-70.0, -50.0]))
    assert np.allclose(u_v, u_u)
    # the linearised slow rate predicts the decay of a small perturbation of rest
    res = rs.simulate(np.zeros(4001), 0.05, v0=-70.0, u0=-14.5)
    late = res.t > 100
    tau = nh.decay_time_constant(res.t[late], res.state["u"][late], -14.0, (100, 200))
    assert tau == pytest.approx(-1.0 / low["lambda_slow"], rel=1e-3)


def test_fi_curve_window_for_steady_rate():
    rs = nh.Izhikevich.preset("RS")
    steady = nh.fi_curve(rs, [10.0], dt=0.05, duration=600.0, onset=0.0, offset=600.0,
                         window=(300.0, 600.0), measure="isi")
    reference = izhikevich_spike_times(0.02, 0.2, -65.0, 8.0, I=10.0, t_stop=600.0)
    late = reference[reference >= 300.0]
    assert steady[0] == pytest.approx(1000.0 * (late.size - 1) / (late[-1] - late[0]), rel=1e-6)


def rest_eigenvalues(a, b, I):
    """Eigenvalues (1/ms) at the lower (a > 0) or upper (a < 0) equilibrium, from scratch:
    equilibria solve 0.04 v^2 + (5 - b) v + 140 + I = 0; Jacobian [[0.08 v + 5, -1], [a b, -a]]."""
    roots = np.sort(np.roots([0.04, 5.0 - b, 140.0 + I]).real)
    v = roots[0] if a > 0 else roots[-1]
    return np.linalg.eigvals(np.array([[0.08 * v + 5.0, -1.0], [a * b, -a]]))


@pytest.mark.parametrize("name", list(nh.PRESETS))
def test_hopf_current_matches_the_hand_derived_closed_form(name):
    a, b, _, _ = nh.PRESETS[name]
    # trace = b - a - sqrt(D) at the rest, D = (5 - b)^2 - 0.16 (140 + I): zero at sqrt(D) = b - a
    expected = ((5.0 - b) ** 2 - (b - a) ** 2) / 0.16 - 140.0
    model = nh.Izhikevich.preset(name)
    assert model.hopf_current == pytest.approx(expected, rel=1e-12, abs=1e-12)
    summary = model.bifurcations()
    assert summary["rest_lost_by"] == "Andronov-Hopf" and summary["rest_lost_at"] == model.hopf_current
    assert summary["saddle_node"] == pytest.approx((5.0 - b) ** 2 / 0.16 - 140.0)
    assert summary["hopf"] < summary["saddle_node"]
    # the rest is a stable focus just below and an unstable focus just above
    below, above = rest_eigenvalues(a, b, expected - 1e-6), rest_eigenvalues(a, b, expected + 1e-6)
    assert np.all(below.real < 0) and np.all(above.real > 0)
    assert np.all(below.imag != 0) and np.all(above.imag != 0)
    # the linear frequency at the Hopf point
    omega = np.abs(rest_eigenvalues(a, b, expected).imag[0])
    assert summary["hopf_frequency"] == pytest.approx(1000.0 * omega / (2 * np.pi), rel=1e-6)


def test_hopf_values_for_the_2003_cortical_classes():
    """Hand arithmetic: RS (4.8^2 - 0.18^2)/0.16 - 140 = 3.7975; FS (4.8^2 - 0.1^2)/0.16 - 140 = 3.9375."""
    for name in ("RS", "IB", "CH"):
        assert nh.Izhikevich.preset(name).hopf_current == pytest.approx(3.7975, abs=1e-12)
    assert nh.Izhikevich.preset("FS").hopf_current == pytest.approx(3.9375, abs=1e-12)
    # Re(lambda) of the RS rest at I = 3.9: (b - a - sqrt(D)) / 2 with D = 4.8^2 - 0.16 * 143.9
    re = (0.18 - np.sqrt(4.8**2 - 0.16 * 143.9)) / 2
    assert re == pytest.approx(0.0268, abs=1e-4)
    assert not nh.Izhikevich.preset("RS").fixed_points(3.9)[0]["stable"]


def test_no_hopf_when_b_is_below_a():
    """b < a (class-1 integrator-like): the rest stays a stable node up to the saddle-node."""
    model = nh.Izhikevich(a=0.02, b=-0.1, c=-55.0, d=6.0)
    assert model.hopf_current is None
    summary = model.bifurcations()
    assert summary["rest_lost_by"] == "saddle-node" and summary["hopf_v"] is None
    sn = (5.0 + 0.1) ** 2 / 0.16 - 140.0
    assert summary["rest_lost_at"] == pytest.approx(sn)
    assert np.all(rest_eigenvalues(0.02, -0.1, sn - 1e-3).real < 0)


# --- Izhikevich (2004) model variants -------------------------------------------------------------

def variant_reference(a, b, c, d, segments, v0, u0, k2=0.04, k1=5.0, k0=140.0,
                      recovery="standard", v_peak=30.0):
    """Event-located solve_ivp (DOP853, tight tolerances) of the variant's own equations,
    written here from the model definition: piecewise-constant I on [(t0, t1, I), ...];
    at v = v_peak the run stops, v <- c, u <- u + d, and restarts."""

    def rhs(_t, x, I):
        v, u = x
        du = a * b * (v + 65.0) if recovery == "accommodation" else a * (b * v - u)
        return [k2 * v * v + k1 * v + k0 - u + I, du]

    def peak(_t, x, _I):
        return x[0] - v_peak

    peak.terminal = True
    peak.direction = 1.0
    spikes, x = [], [v0, u0]
    for t0, t1, I in segments:
        t = t0
        while t < t1:
            sol = solve_ivp(rhs, (t, t1), x, method="DOP853", rtol=1e-12, atol=1e-12,
                            events=peak, args=(I,))
            if sol.status != 1:
                x = sol.y[:, -1]
                break
            t = sol.t_events[0][0]
            spikes.append(t)
            x = [c, sol.y_events[0][0][1] + d]
    return np.array(spikes), np.array(x)


VARIANTS = {
    # name: (model keyword arguments, segments (ms, ms, I), v0, u0)
    "class 1 quadratic": (dict(a=0.02, b=-0.1, c=-55.0, d=6.0, k1=4.1, k0=108.0),
                          [(0.0, 20.0, 0.0), (20.0, 200.0, 30.0)], -60.0, 6.0),
    "accommodation": (dict(a=0.02, b=1.0, c=-55.0, d=4.0, recovery="accommodation"),
                      [(0.0, 10.0, 0.0), (10.0, 150.0, 12.0)], -65.0, -16.0),
    "negative a (inhibition-induced)": (dict(a=-0.02, b=-1.0, c=-60.0, d=8.0),
                                        [(0.0, 50.0, 80.0), (50.0, 250.0, 75.0)], -63.8, 63.8),
    "negative d (DAP)": (dict(a=1.0, b=0.2, c=-60.0, d=-21.0),
                         [(0.0, 10.0, 0.0), (10.0, 12.0, 20.0), (12.0, 60.0, 0.0)], -70.0, -14.0),
}


def sampled(segments, dt):
    t = nh.time_axis(segments[-1][1], dt)
    I = np.zeros(t.size)
    for t0, t1, amp in segments:
        I[(t >= t0 - 1e-9) & (t < t1 - 1e-9)] = amp
    return I


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_rk4_matches_event_located_solve_ivp(name):
    kwargs, segments, v0, u0 = VARIANTS[name]
    reference, final = variant_reference(segments=segments, v0=v0, u0=u0, **kwargs)
    assert reference.size >= 1, "the protocol should fire"
    res = nh.Izhikevich(**kwargs).simulate(sampled(segments, 0.01), 0.01, v0=v0, u0=u0)
    assert res.spike_times.size == reference.size
    assert np.max(np.abs(res.spike_times - reference)) < 1e-5
    assert res.V[-1] == pytest.approx(final[0], abs=1e-4)
    assert res.state["u"][-1] == pytest.approx(final[1], abs=1e-4)


def published_2004_loop(a, b, c, d, I, tau, v0, u0, k1=5.0, k0=140.0, accommodation=False):
    """The per-step update of figure1.m, literally: v first, then u from the new v,
    then ``if V > 30``: reset. Returns the spike step indices (k + 1) and final (v, u)."""
    V, u, fired = v0, u0, []
    for k in range(I.size - 1):
        V = V + tau * (0.04 * V**2 + k1 * V + k0 - u + I[k])
        if accommodation:
            u = u + tau * a * (b * (V + 65))
        else:
            u = u + tau * a * (b * V - u)
        if V > 30:
            fired.append(k + 1)
            V = c
            u = u + d
    return np.array(fired, dtype=float), V, u


@pytest.mark.parametrize("name", list(VARIANTS))
@pytest.mark.parametrize("tau", [0.25, 0.5])
def test_published_2004_scheme_equals_the_literal_loop(name, tau):
    kwargs, segments, v0, u0 = VARIANTS[name]
    I = sampled(segments, tau)
    fired, V, u = published_2004_loop(
        kwargs["a"], kwargs["b"], kwargs["c"], kwargs["d"], I, tau, v0, u0,
        k1=kwargs.get("k1", 5.0), k0=kwargs.get("k0", 140.0),
        accommodation=kwargs.get("recovery") == "accommodation",
    )
    res = nh.Izhikevich(**kwargs).simulate(I, tau, method="izhikevich2004", v0=v0, u0=u0)
    assert np.array_equal(res.spike_times, fired * tau)
    assert res.V[-1] == V and res.state["u"][-1] == u


def test_published_2004_scheme_needs_v_strictly_above_the_peak():
    """v held exactly at 30 mV (dv/dt = 0 there): 2004's ``V > 30`` does not fire, 2003's ``>=`` does."""
    u0 = 0.04 * 30.0 * 30.0 + 5.0 * 30.0 + 140.0  # dv/dt = 0 at v = 30, I = 0
    model = nh.Izhikevich(a=1e-9, b=0.0)
    assert model.simulate(np.zeros(2), 0.5, method="izhikevich2004", v0=30.0, u0=u0).spike_times.size == 0
    assert model.simulate(np.zeros(2), 0.5, method="izhikevich2003", v0=30.0, u0=u0).spike_times.size == 1


def test_variant_equilibria_and_bifurcations_from_their_own_equations():
    # class-1 quadratic: saddle-node where 0.04 v^2 + (4.1 - b) v + 108 + I has a double root
    class1 = nh.Izhikevich(a=0.02, b=-0.1, c=-55.0, d=6.0, k1=4.1, k0=108.0)
    assert class1.saddle_node_current == pytest.approx(4.2**2 / 0.16 - 108.0)
    assert class1.hopf_current is None
    low, high = class1.fixed_points(0.0)
    for fp in (low, high):
        assert 0.04 * fp["v"] ** 2 + 4.1 * fp["v"] + 108.0 - fp["u"] == pytest.approx(0.0, abs=1e-9)
        assert fp["u"] == pytest.approx(-0.1 * fp["v"])
    # negative a, b < a: Hopf at the *upper* equilibrium, ((5 - b)^2 - (b - a)^2)/0.16 - 140
    inhib = nh.Izhikevich(a=-0.02, b=-1.0, c=-60.0, d=8.0)
    I_H = (36.0 - 0.98**2) / 0.16 - 140.0
    assert inhib.hopf_current == pytest.approx(I_H)
    upper = lambda I: inhib.fixed_points(I)[-1]  # noqa: E731
    assert upper(I_H + 1e-3)["stable"] and not upper(I_H - 1e-3)["stable"]
    # accommodation: one equilibrium at v = -65 for every I, u = q(-65) + I
    acc = nh.Izhikevich(a=0.02, b=1.0, c=-55.0, d=4.0, recovery="accommodation")
    (fp,) = acc.fixed_points(3.0)
    assert fp["v"] == -65.0 and fp["u"] == pytest.approx(0.04 * 65**2 - 5 * 65 + 140 + 3.0)
    assert fp["stable"]  # trace 0.08 (-65) + 5 = -0.2 < 0, det = a b > 0
    assert acc.saddle_node_current is None and acc.hopf_current is None
    assert np.all(np.isnan(acc.nullclines([-70.0, -60.0])[1]))


@pytest.mark.parametrize("kwargs, match", [
    (dict(a=0.0), "a"), (dict(a=float("nan")), "a"), (dict(k2=0.0), "k2"), (dict(k2=-0.04), "k2"),
    (dict(k1=float("inf")), "k1"), (dict(k0=float("nan")), "k0"), (dict(recovery="fast"), "recovery"),
])
def test_variant_parameters_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nh.Izhikevich(**kwargs)


def test_initial_potential_is_V0_like_the_other_models_and_v0_still_works():
    I = np.full(201, 10.0)
    new = nh.Izhikevich.preset("RS").simulate(I, 0.1, V0=-70.0)
    old = nh.Izhikevich.preset("RS").simulate(I, 0.1, v0=-70.0)
    assert new.V[0] == -70.0 and new.state["u"][0] == pytest.approx(0.2 * -70.0)
    assert np.array_equal(new.V, old.V) and np.array_equal(new.spike_times, old.spike_times)
    with pytest.raises(ValueError, match="V0"):
        nh.Izhikevich().simulate(I, 0.1, V0=-70.0, v0=-70.0)
