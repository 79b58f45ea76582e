"""Izhikevich: convergence against an event-driven SciPy reference, schemes, presets."""

import numpy as np
import pytest
from reference_models import izhikevich_spike_times

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
