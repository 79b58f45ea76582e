"""Izhikevich chapter protocols against independent truth.

Truth: closed-form equilibria and Jacobians written here from the model
equations, and an event-located SciPy (DOP853) integration of piecewise-
constant input (``_spikes_ivp``), independent of the package's kernels.
"""

import math

import matplotlib
import numpy as np
import pytest
from reference_models import izhikevich_spike_times
from scipy.integrate import solve_ivp

import neurohelpers as nh
from neurohelpers import protocols as P

matplotlib.use("Agg")


def _spikes_ivp(a, b, c, d, segments, v0, u0, v_peak=30.0, rtol=1e-10, atol=1e-10):
    """Spike times (ms) for constant-input segments [(t_start, t_stop, I), ...], reset at v_peak."""
    x, spikes = [v0, u0], []
    for t0, t1, current in segments:

        def rhs(_t, y, current=current):
            return [0.04 * y[0] ** 2 + 5 * y[0] + 140 - y[1] + current, a * (b * y[0] - y[1])]

        def peak(_t, y):
            return y[0] - v_peak

        peak.terminal, peak.direction = True, 1.0
        t = t0
        while t < t1:
            sol = solve_ivp(rhs, (t, t1), x, method="DOP853", rtol=rtol, atol=atol, events=peak)
            x = list(sol.y[:, -1])
            if sol.status != 1:
                break
            t = sol.t_events[0][0]
            spikes.append(t)
            x = [c, sol.y_events[0][0][1] + d]
    return np.array(spikes), x


def _rest(a, b, current=0.0):
    """Lower root of 0.04 v^2 + (5 - b) v + 140 + I = 0, written out here."""
    v = (-(5 - b) - math.sqrt((5 - b) ** 2 - 0.16 * (140 + current))) / 0.08
    return v, b * v


def _max_real_eig(a, b, current):
    v, _ = _rest(a, b, current)
    return np.linalg.eigvals(np.array([[0.08 * v + 5, -1.0], [a * b, -a]])).real.max()


@pytest.mark.parametrize(("name", "hopf"), [("RS", 3.7975), ("IB", 3.7975), ("CH", 3.7975), ("FS", 3.9375)])
def test_hopf_current_closed_form_and_eigenvalue_crossing(name, hopf):
    cell = nh.Izhikevich.preset(name)
    bif = P.bifurcation_currents(cell)
    assert bif["hopf"] == pytest.approx(hopf, abs=1e-9)
    assert bif["saddle_node"] == pytest.approx(4.0, abs=1e-12)
    a, b = cell.a, cell.b
    assert _max_real_eig(a, b, hopf - 1e-4) < 0 < _max_real_eig(a, b, hopf + 1e-4)
    assert bif["hopf_v"] == pytest.approx(_rest(a, b, hopf)[0], abs=1e-6)
    assert bif["hopf_period"] == pytest.approx(2 * math.pi / math.sqrt(a * (b - a)))


def test_no_hopf_when_b_below_a():
    bif = P.bifurcation_currents(nh.Izhikevich(a=0.2, b=0.1))
    assert math.isnan(bif["hopf"])
    assert bif["saddle_node"] == pytest.approx((5 - 0.1) ** 2 / 0.16 - 140)


def test_rest_state_matches_closed_form_and_refuses_above_saddle_node():
    rest = P.rest_state(nh.Izhikevich.preset("RS"), 3.9)
    assert rest["v"] == pytest.approx(_rest(0.02, 0.2, 3.9)[0])
    assert rest["lambda_slow"].real == pytest.approx(_max_real_eig(0.02, 0.2, 3.9))
    with pytest.raises(ValueError, match="saddle-node"):
        P.rest_state(nh.Izhikevich.preset("RS"), 4.5)


def test_firing_onset_brackets_sustained_firing_in_reference():
    cell = nh.Izhikevich.preset("RS")
    onset = P.firing_onset(cell, 3.6, 4.0, tol=1e-4, duration=4000.0)
    assert onset["current"] - onset["low"] <= 1e-4
    v0, u0 = _rest(0.02, 0.2)
    late = []
    for current in (onset["low"] - 2e-3, onset["current"] + 2e-3):
        s, _ = _spikes_ivp(0.02, 0.2, -65, 8, [(0.0, 4000.0, current)], v0, u0)
        late.append(np.sum(s > 2000.0))
    assert late[0] == 0 and late[1] >= 3
    assert onset["current"] < P.bifurcation_currents(cell)["hopf"]  # bistable below the Hopf point


def test_steady_fi_curve_against_reference():
    cell = nh.Izhikevich.preset("FS")
    rates = P.steady_fi_curve(cell, [3.0, 10.0], duration=1000.0)
    v0, u0 = _rest(0.1, 0.2)
    ref, _ = _spikes_ivp(0.1, 0.2, -65, 2, [(0.0, 1000.0, 10.0)], v0, u0)
    late = ref[ref >= 500.0]
    assert rates[0] == 0
    assert rates[1] == pytest.approx(1000.0 / np.mean(np.diff(late)), rel=1e-4)


def test_firing_onset_refuses_a_bad_bracket():
    with pytest.raises(ValueError, match="bracket"):
        P.firing_onset(nh.Izhikevich.preset("RS"), 3.0, 3.5, duration=1000.0)


def test_perturbed_rest_run_fires_only_when_nudged_off_the_unstable_focus():
    cell = nh.Izhikevich.preset("RS")
    exact = P.perturbed_rest_run(cell, 3.9, 0.0, duration=3000.0)
    nudged = P.perturbed_rest_run(cell, 3.9, 1e-3, duration=3000.0)
    assert math.isnan(exact["first_spike"]) and exact["rate"] == 0
    v, u = _rest(0.02, 0.2, 3.9)
    ref, _ = _spikes_ivp(0.02, 0.2, -65, 8, [(0.0, 3000.0, 3.9)], v + 1e-3, u)
    assert nudged["first_spike"] == pytest.approx(ref[0], abs=1e-3)
    assert nudged["re_lambda"] == pytest.approx(_max_real_eig(0.02, 0.2, 3.9))


def test_recovery_measures_against_reference():
    cell = nh.Izhikevich.preset("RS")
    dt = 0.02
    t = nh.time_axis(200.0, dt)
    drive = nh.pulse_current(t, [(10, 50, 30.0)])
    m = P.recovery_measures(cell.simulate(drive, dt), cell, 50.0, times=(100.0, 200.0))
    spikes, state = _spikes_ivp(0.02, 0.2, -65, 8, [(0, 10, 0.0), (10, 50, 30.0), (50, 200, 0.0)],
                                -65.0, -13.0)
    assert m["v_end"] == pytest.approx(state[0], abs=1e-4)
    assert m["u_end"] == pytest.approx(state[1], abs=1e-4)
    assert m["v_at"][1] == m["v_end"]
    _, at_100 = _spikes_ivp(0.02, 0.2, -65, 8, [(0, 10, 0.0), (10, 50, 30.0), (50, 100, 0.0)], -65.0, -13.0)
    assert m["v_at"][0] == pytest.approx(at_100[0], abs=1e-4)
    assert m["v_rest"] == pytest.approx(-70.0) and m["u_rest"] == pytest.approx(-14.0)
    _, at_50 = _spikes_ivp(0.02, 0.2, -65, 8, [(0, 10, 0.0), (10, 50, 30.0)], -65.0, -13.0)
    sol = solve_ivp(lambda _t, y: [0.04 * y[0] ** 2 + 5 * y[0] + 140 - y[1], 0.02 * (0.2 * y[0] - y[1])],
                    (50.0, 200.0), at_50, method="DOP853", rtol=1e-10, atol=1e-10, dense_output=True)
    v_fine = sol.sol(np.arange(50.0, 200.0, 0.001))[0]
    assert spikes[-1] < 50.0 and v_fine.max() < 30.0
    assert m["v_min"] == pytest.approx(v_fine.min(), abs=1e-3)
    assert m["t_min"] == pytest.approx(50.0 + 0.001 * np.argmin(v_fine), abs=dt)
    assert m["tau_slow"] == pytest.approx(-1 / _max_real_eig(0.02, 0.2, 0.0))


def _fires_after(cell, delay, amplitude, single_factor, single, first_spike, width=1.0):
    """Does a second pulse of ``amplitude`` at ``first_spike + delay`` make a spike (reference)?"""
    a, b, c, d = cell.a, cell.b, cell.c, cell.d
    v0, u0 = _rest(a, b)
    begin = first_spike + delay
    segments = [(0, 10, 0.0), (10, 11, single_factor * single), (11, begin, 0.0),
                (begin, begin + width, amplitude), (begin + width, begin + width + 100.0, 0.0)]
    s, _ = _spikes_ivp(a, b, c, d, segments, v0, u0)
    return s.size >= 2


def test_paired_pulse_thresholds_against_reference():
    cell = nh.Izhikevich.preset("RS")
    pp = P.paired_pulse_thresholds(cell, [3.0, 50.0], dt=0.005, tol=1e-3)
    v0, u0 = _rest(0.02, 0.2)

    def single_pulse(amplitude):
        return _spikes_ivp(0.02, 0.2, -65, 8, [(0, 10, 0), (10, 11, amplitude), (11, 60, 0)], v0, u0)[0]

    assert single_pulse(pp["single"] * 0.995).size == 0
    assert single_pulse(pp["single"] * 1.005).size == 1
    one = single_pulse(2 * pp["single"])
    assert pp["first_spike"] == pytest.approx(one[0], abs=1e-3)
    for delay, th in zip(pp["delays"], pp["thresholds"], strict=True):
        assert not _fires_after(cell, delay, th * 0.995, 2.0, pp["single"], one[0])
        assert _fires_after(cell, delay, th * 1.005, 2.0, pp["single"], one[0])
    assert pp["ratio"][0] > pp["ratio"][1] > 1.0  # refractoriness wears off


def test_paired_pulse_thresholds_validates():
    cell = nh.Izhikevich.preset("RS")
    with pytest.raises(ValueError, match="delays"):
        P.paired_pulse_thresholds(cell, [-1.0])
    with pytest.raises(ValueError, match="first_factor"):
        P.paired_pulse_thresholds(cell, [5.0], first_factor=0.5)


@pytest.mark.parametrize(("gap", "fires"), [(10.0, True), (25.0, False), (41.0, True), (60.0, False)])
def test_pulse_pair_scan_against_reference(gap, fires):
    cell = nh.Izhikevich.preset("RZ")
    scan = P.pulse_pair_scan(cell, [gap], dt=0.01)
    v0, u0 = _rest(0.1, 0.26)
    segments = [(0, 20, 0), (20, 21, 2.2), (21, 20 + gap, 0), (20 + gap, 21 + gap, 2.2), (21 + gap, 200, 0)]
    ref, _ = _spikes_ivp(0.1, 0.26, -65, 2, segments, v0, u0)
    assert scan["single"] == 0
    assert scan["counts"][0] == ref.size
    assert (ref.size > 0) is fires


def test_firing_windows():
    gaps = [1, 2, 3, 4, 5, 6]
    assert P.firing_windows(gaps, [1, 1, 0, 0, 2, 1]) == [(1.0, 2.0), (5.0, 6.0)]
    assert P.firing_windows(gaps, [0] * 6) == []
    with pytest.raises(ValueError, match="same shape"):
        P.firing_windows(gaps, [1, 0])


def test_gallery_rs_panel_against_reference():
    gallery = P.izhikevich_gallery()
    run = gallery["RS"]
    v0, u0 = _rest(0.02, 0.2)
    ref, _ = _spikes_ivp(0.02, 0.2, -65, 8, [(0, 20, 0.0), (20, 300, 10.0)], v0, u0)
    np.testing.assert_allclose(run.result.spike_times, ref, atol=1e-4)
    headers, rows = P.gallery_table(gallery)
    assert len(headers) == len(rows[0])
    assert [r[0] for r in rows] == list(gallery)
    rs_row = rows[0]
    assert rs_row[5] == ref.size
    assert rs_row[6] == pytest.approx(ref[1] - ref[0], abs=1e-4)


def test_compare_schemes_reference_and_isi_rows():
    cell = nh.Izhikevich.preset("RS")
    spikes = P.compare_schemes(cell, 10.0, 500.0, {"default": ("rk4", 0.02)})
    ref = izhikevich_spike_times(0.02, 0.2, -65, 8, 10.0, 500.0)
    np.testing.assert_allclose(spikes["reference"], ref, atol=1e-6)
    np.testing.assert_allclose(spikes["default"], ref, atol=1e-5)
    rows = P.scheme_isi_rows({"reference": ref, "late": ref + 0.5}, skip=2, spike=3)
    isi = np.diff(ref)[2:]
    assert rows[0][1] == ref.size
    expected = [isi.mean(), isi.std(ddof=1), isi.min(), isi.max(), 1000 / isi.mean(), 0.0]
    assert rows[0][2:] == pytest.approx(expected)
    assert rows[1][-1] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no intervals"):
        P.scheme_isi_rows({"short": np.array([1.0, 2.0])}, skip=1)


def test_figures_are_text_width_with_readable_fonts():
    import matplotlib.pyplot as plt

    cell = nh.Izhikevich.preset("RS")
    t = nh.time_axis(100.0, 0.05)
    drive = nh.pulse_current(t, [(10, 90, 30.0)])
    figs = [nh.plotting.izhikevich_trace_figure(cell.simulate(drive, 0.05), drive, cell),
            nh.plotting.explore_izhikevich(I=0.0)]
    for fig in figs:
        assert fig.get_figwidth() == pytest.approx(nh.plotting.TEXT_WIDTH)
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
        assert min(sizes) >= nh.plotting.MIN_FONT_PT
        plt.close(fig)
    assert nh.plotting.spike_count_text(1) == "1 spike"
    assert nh.plotting.spike_count_text(0) == "0 spikes"


def test_tables_and_descriptions_report_the_measured_values():
    cell = nh.Izhikevich.preset("RS")
    pp = {"delays": np.array([1.0, 3.0]), "ratio": np.array([2.0, 2.5]), "single": 16.0,
          "first_spike": 11.5}
    headers, rows = P.paired_pulse_table(pp, [3.0])
    assert headers == ["delay (ms)", "3"] and rows == [["threshold / single", 2.5]]
    with pytest.raises(ValueError, match="not run"):
        P.paired_pulse_table(pp, [7.0])
    assert "2.50 x single, 3 ms after" in P.describe_paired_pulse(pp)
    t = nh.time_axis(100.0, 0.02)
    res = cell.simulate(nh.pulse_current(t, [(10, 90, 30.0)]), 0.02)
    lines = P.describe_train(res).splitlines()
    assert lines[0].count(",") == res.spike_times.size - 1
    assert f"{res.spike_times[1] - res.spike_times[0]:.2f}" in lines[1]
    headers, rows = P.scheme_table({"reference": np.arange(0.0, 100.0, 10.0)})
    assert len(headers) == len(rows[0]) and rows[0][2] == pytest.approx(10.0)


def test_describe_resonance_and_phase_plane_runs():
    text = P.describe_resonance(nh.Izhikevich.preset("RZ"), [10.0, 25.0, 41.0])
    period = 2 * math.pi / 0.15329709716755863  # Im lambda of the RZ rest: sqrt(det - tr^2 / 4)
    a, b = 0.1, 0.26
    v, _ = _rest(a, b)
    tr, det = 0.08 * v + 5 - a, a * (b - 0.08 * v - 5)
    assert math.sqrt(det - tr**2 / 4) == pytest.approx(0.15329709716755863)
    assert f"period {period:.1f} ms" in text
    assert "intervals 10 to 10 ms and 41 to 41 ms" in text
    with pytest.raises(ValueError, match="node"):
        P.describe_resonance(nh.Izhikevich.preset("RS"), [10.0])
    spiking, escape = P.phase_plane_runs(nh.Izhikevich.preset("RS"), 10.0, 3.9, nudge=1e-3)
    v0, u0 = _rest(0.02, 0.2)
    ref, _ = _spikes_ivp(0.02, 0.2, -65, 8, [(0.0, 200.0, 10.0)], v0, u0)
    np.testing.assert_allclose(spiking.spike_times, ref, atol=1e-4)
    v, u = _rest(0.02, 0.2, 3.9)
    assert escape.V[0] == pytest.approx(v + 1e-3) and escape.state["u"][0] == pytest.approx(u)


def test_excitability_summary_is_consistent_with_its_parts():
    cell = nh.Izhikevich.preset("RS")
    s = P.excitability_summary(cell, 3.6, 4.0, probe=3.9, tol=1e-3)
    assert s["hopf"] == pytest.approx(3.7975) and s["saddle_node"] == pytest.approx(4.0)
    assert 3.6 < s["onset"] < s["hopf"]  # sustained firing below the Hopf point (bistable range)
    assert s["rate_onset"] > 0 and s["rate_1e-2"] >= s["rate_1e-4"] > 0
    assert s["re_lambda"] == pytest.approx(_max_real_eig(0.02, 0.2, 3.9))
    assert s["rate_exact"] == 0 and s["rate_nudged"] > 0
    headers, rows = P.excitability_table({"RS": s})
    assert headers == ["", "RS"] and len(rows) == len(P.EXCITABILITY_LABELS)


def test_every_chapter_figure_is_text_width_with_readable_fonts():
    import matplotlib.pyplot as plt

    cell = nh.Izhikevich.preset("RS")
    spiking, escape = P.phase_plane_runs(cell, 10.0, 3.9, nudge=1e-3)
    bif = P.bifurcation_currents(cell)
    pp = {"delays": np.array([1.0, 10.0]), "ratio": np.array([2.0, 1.5])}
    currents = np.linspace(3.6, 4.2, 4)
    rates = {"RS": np.array([0.0, 5.0, 6.0, 7.0])}
    figs = [
        nh.plotting.gallery_figure(P.izhikevich_gallery(duration=100.0)),
        nh.plotting.bifurcation_phase_plane_figure(cell, spiking, 10.0, escape, 3.9, bif),
        nh.plotting.paired_pulse_figure(pp),
        nh.plotting.fi_onset_figure(currents, rates, currents, rates, {"RS": bif}),
        nh.plotting.scheme_isi_figure({"reference": np.arange(0.0, 100.0, 10.0)}),
    ]
    for fig in figs:
        assert fig.get_figwidth() == pytest.approx(nh.plotting.TEXT_WIDTH)
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
        assert min(sizes) >= nh.plotting.MIN_FONT_PT
        plt.close(fig)
