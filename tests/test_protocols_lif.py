"""LIF chapter protocols against closed forms (and the 2020 loop against hand-derived values)."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import neurohelpers as nh

P = nh.protocols
LIF = nh.LIF(C=1.0, R=10.0, V_rest=-65.0, V_th=-50.0, V_reset=-65.0, t_ref=2.0)


def period(C, R, gap, I, t_ref):
    """Closed-form ISI (ms) from reset = rest to threshold gap (mV) above it."""
    if math.isinf(R):
        return t_ref + C * gap / I
    return t_ref + R * C * math.log(R * I / (R * I - gap))


def test_if_counterpart_removes_only_the_leak():
    perfect = P.if_counterpart(LIF)
    assert math.isinf(perfect.R)
    assert (perfect.C, perfect.V_th, perfect.V_reset, perfect.t_ref) == (1.0, -50.0, -65.0, 2.0)


def test_constant_current_runs_match_closed_forms():
    runs = P.constant_current_runs(LIF, 3.0, duration=200.0, dt=0.02)
    table = runs["table"]
    assert table["model"] == ["IF", "LIF"]
    assert table["first spike (ms)"][0] == pytest.approx(15.0 / 3.0, abs=1e-9)
    assert table["first spike (ms)"][1] == pytest.approx(10.0 * math.log(30.0 / 15.0), abs=1e-9)
    assert table["rate (Hz)"][0] == pytest.approx(1000.0 / period(1.0, math.inf, 15.0, 3.0, 2.0), rel=1e-9)
    assert table["rate (Hz)"][1] == pytest.approx(1000.0 / period(1.0, 10.0, 15.0, 3.0, 2.0), rel=1e-9)
    assert runs["V_inf"] == pytest.approx(-35.0)


def test_constant_current_runs_below_rheobase():
    runs = P.constant_current_runs(LIF, 1.2, duration=200.0, dt=0.02)
    assert runs["table"]["spikes"][1] == 0
    assert runs["table"]["first spike (ms)"][1] is None
    assert math.isnan(runs["table"]["closed form (ms)"][1])
    assert runs["runs"]["LIF"].V[-1] == pytest.approx(-65.0 + 12.0 * (1 - math.exp(-20.0)), abs=1e-9)


def test_weak_current_table_if_first_spike_and_lif_asymptote():
    cols = P.weak_current_table(LIF, [1.2, 0.1])
    first = cols["IF first spike (ms)"]
    assert first == pytest.approx([15.0 / 1.2, 15.0 / 0.1], rel=1e-9)
    assert cols["LIF spikes"] == [0, 0]
    # run length 2 * 150 ms = 30 tau: settled to round-off
    assert cols["LIF $V$ at end (mV)"] == pytest.approx([-53.0, -64.0], abs=1e-9)
    with pytest.raises(ValueError, match="currents"):
        P.weak_current_table(LIF, [0.0])


def test_steady_fi_curves_match_closed_forms():
    currents = np.array([0.5, 1.6, 3.0, 10.0])
    fi = P.steady_fi_curves(LIF, currents, dt=0.1, duration=1000.0)
    expected_if = [1000.0 / period(1.0, math.inf, 15.0, I, 2.0) for I in currents]
    expected_lif = [0.0] + [1000.0 / period(1.0, 10.0, 15.0, I, 2.0) for I in currents[1:]]
    assert fi["isi_if"] == pytest.approx(expected_if, rel=1e-9)
    assert fi["isi"] == pytest.approx(expected_lif, rel=1e-9)
    assert fi["max_error"] < 1e-9


def test_lif_fi_curves_count_rate_in_the_pulse_window():
    currents = np.array([1.0, 1.6, 4.0])
    fi = P.lif_fi_curves(LIF, currents)  # pulse 20-80 ms in a 100 ms run
    counts = [expected_spikes(1.0, 10.0, 15.0, I, 2.0, 20.0, 80.0).size if I > 1.5 else 0 for I in currents]
    assert fi["count"] == pytest.approx(1000.0 * np.array(counts) / 60.0)
    noref = [1000.0 / period(1.0, 10.0, 15.0, I, 0.0) if I > 1.5 else 0.0 for I in currents]
    assert fi["formula_noref"] == pytest.approx(noref)


def test_rate_gap_tends_to_half_inverse_tau_without_refractory_period():
    cols = P.rate_gap_table(LIF, [3.0, 1000.0], dt=0.02, duration=200.0)
    noref = cols[r"gap, no $t_\mathrm{ref}$ (Hz)"]
    expected = [1000.0 / period(1.0, math.inf, 15.0, I, 0.0) - 1000.0 / period(1.0, 10.0, 15.0, I, 0.0)
                for I in (3.0, 1000.0)]
    assert noref[:2] == pytest.approx(expected, rel=1e-6)
    assert noref[2] == pytest.approx(1000.0 / (2 * 10.0))
    assert abs(noref[1] - 50.0) < 0.02
    with_ref = cols[r"gap, $t_\mathrm{ref}$ (Hz)"]
    assert with_ref[1] < 0.01 and with_ref[2] == 0.0
    assert cols["$I$ (nA)"][-1] == r"$\to\infty$"


def test_shunting_shift_against_inverted_closed_form():
    gR = 1.0
    out = P.shunting_shift(LIF, gR, rates=(50.0, 200.0))
    R1 = 10.0 / (1 + gR)

    def current_for(rate, R):
        T = 1000.0 / rate - 2.0
        return 15.0 / (R * (1.0 - math.exp(-T / (R * 1.0))))

    table = out["table"]
    for key, R in (("$I$, no shunt (nA)", 10.0), ("$I$, shunt (nA)", R1)):
        assert table[key][1:] == pytest.approx([current_for(f, R) for f in (50, 200)], abs=2e-3)
    assert table["ratio"][0] == pytest.approx(1 + gR)  # onset: rheobase scales by 1 + g_s R
    assert table["shift (nA)"][0] == pytest.approx(gR * 1.5)
    # a shift, not a division: the ratio falls towards 1 as the rate grows
    assert table["ratio"][2] < table["ratio"][1] < table["ratio"][0]
    with pytest.raises(ValueError, match="rates"):
        P.shunting_shift(LIF, gR, rates=(600.0,))


def test_lif_limitations_values():
    lim = P.lif_limitations(LIF)
    first, last = (float(x) for x in lim["table"]["LIF"][0].split(" / "))
    assert first == pytest.approx(period(1.0, 10.0, 15.0, 3.0, 2.0), abs=0.005)
    assert last == first
    assert lim["table"]["LIF"][2] == "0"  # no rebound spike
    assert lim["d"]["shunted"].rheobase == pytest.approx(3.0)
    rs_first, rs_last = lim["table"]["model with the mechanism"][0].split(" (")[0].split(" / ")
    assert float(rs_last) > float(rs_first)  # RS adapts


def expected_spikes(C, R, gap, I, t_ref, onset, offset):
    """Spike times of an LIF pulse response (reset = rest), by the closed form."""
    T = R * C * math.log(R * I / (R * I - gap))
    times, s = [], onset + T
    while s < offset:
        times.append(s)
        s += t_ref + T
    return np.array(times)


def test_pulse_protocol_decay_and_spike_times():
    q = P.lif_pulse_protocol(LIF, [(20, 40, 1.0), (70, 80, 2.0)], [(20, 80, 4.0)])
    assert q["tau_fit"] == pytest.approx(10.0, rel=1e-6)
    assert q["spikes_a"].size == 0
    V40 = -65.0 + 10.0 * (1 - math.exp(-2.0))  # end of the first pulse
    V70 = -65.0 + (V40 + 65.0) * math.exp(-3.0)  # after 30 ms of decay
    assert q["V_a"].max() == pytest.approx(-45.0 + (V70 + 45.0) * math.exp(-1.0), abs=1e-9)
    assert q["spikes_b"] == pytest.approx(expected_spikes(1.0, 10.0, 15.0, 4.0, 2.0, 20.0, 80.0), abs=1e-9)
    cols = P.pulse_table({"ours": q})
    assert cols["(b) spikes"] == [q["spikes_b"].size]


def test_pulse_protocol_2020_set_and_loop():
    model = nh.LIF(C=4.0, R=5.0, V_rest=-65.0, V_th=30.0, V_reset=-65.0, t_ref=0.0)
    a, b = [(20, 40, 1.0), (70, 80, 2.0)], [(20, 80, 4.0)]
    exact = P.lif_pulse_protocol(model, a, b, scale=10.0)
    loop = P.lif_pulse_protocol(model, a, b, scale=10.0, method="2020 loop")
    truth = expected_spikes(4.0, 5.0, 95.0, 40.0, 0.0, 20.0, 80.0)
    assert exact["spikes_b"] == pytest.approx(truth, abs=1e-9)
    # tau = 20 ms >> dt: the 2020 loop lands within a few steps of the true times
    assert loop["spikes_b"].size == truth.size
    assert np.max(np.abs(loop["spikes_b"] - truth)) < 0.05
    assert loop["tau_fit"] == pytest.approx(20.0, rel=1e-3)
    assert np.max(exact["I_b"]) == 40.0 and P.LOOP_2020["V_spike"] == 80.0
    with pytest.raises(ValueError):
        P.lif_pulse_protocol(model, a, b, method="rk4")
    with pytest.raises(ValueError, match="two pulses"):
        P.lif_pulse_protocol(model, a[:1], b)


def test_loop_2020_subthreshold_is_geometric_euler():
    C, R, dt, I = 4.0, 5.0, 0.02, 10.0
    V, count = P.lif_loop_2020(np.full(500, I), C, R, dt=dt)
    V_inf, a = -65.0 + R * I, 1.0 - dt / (R * C)
    k = np.arange(500)
    assert count == 0
    assert np.max(np.abs(V - (V_inf + a ** (k + 1) * (-65.0 - V_inf)))) < 1e-9


def test_loop_2020_leak_from_spike_value_after_a_spike():
    C, R, dt, I = 0.003, 5.0, 0.02, 30.0
    V, count = P.lif_loop_2020(np.full(3, I), C, R, dt=dt)
    assert V[0] == 80.0  # one step from rest: -65 + dt I / C = 135 > 30
    assert V[1] == pytest.approx(-65.0 + dt * (I - (80.0 + 65.0) / R) / C)  # leak from 80 mV
    assert count == 2


def test_loop_2020_regimes_at_hand_derived_currents():
    C, R, dt = 0.003, 5.0, 0.02
    first = 95.0 * C / dt  # one step from rest reaches +30 mV: 14.25
    every = first + 145.0 / R  # ... even after the leak from 80 mV: 43.25
    currents = np.array([first - 0.05, first + 0.05, every - 0.05, every + 0.05])
    rates = P.fi_curve_loop_2020(currents, C, R, dt=dt)
    assert rates.tolist() == [0.0, 25000.0, 25000.0, 50000.0]
    cols = P.loop_2020_regimes(currents, rates)
    assert cols["rate (kHz)"] == [0.0, 25.0, 50.0]
    assert cols["from $I$ (nA)"] == pytest.approx([first - 0.05, first + 0.05, every + 0.05])
    assert cols["grid points"] == [1, 2, 1]
    expected = {"every second step": first, "every step": every}
    assert P.loop_2020_thresholds(C, R, dt=dt) == pytest.approx(expected)
    with pytest.raises(ValueError, match="dt"):
        P.loop_2020_thresholds(4.0, 5.0, dt=0.02)


def test_fi_2020_artefact_curves():
    amps = np.linspace(0.0, 400.0, 100)
    art = P.fi_2020_artefact(amps)
    curves = list(art["curves"].values())
    assert art["rheobase"] == pytest.approx(19.0)
    np.testing.assert_allclose(curves[3], art["analytic"], rtol=1e-9)  # exact follows the closed form
    assert art["onset"][next(iter(art["curves"]))] == pytest.approx(amps[amps > 14.25][0])
    assert list(art["onset"].values())[3] == pytest.approx(amps[amps > 19.0][0])
    assert curves[1].max() <= 1000.0 / 0.02 and curves[2].max() <= 1000.0 / 0.01  # at most a spike a step
    assert art["regimes"]["rate (kHz)"] == [0.0, 25.0, 50.0]
    assert art["table"]["highest $f$ (kHz)"][0] == 50.0


def test_columns_table():
    table = P.columns_table({"a (nA)": [1.0, 2.5], "b": ["x", None]})
    assert str(table).splitlines() == ["| a (nA) | b |", "|---:|:---|", "| 1 | x |", "| 2.5 | – |"]
    with pytest.raises(ValueError, match="same length"):
        P.columns_table({"a": [1], "b": [1, 2]})


def test_rate_error_vs_dt_orders():
    err = P.rate_error_vs_dt(LIF, 3.0, np.geomspace(0.002, 0.5, 9), duration=1000.0)
    assert err["target"] == pytest.approx(1000.0 / period(1.0, 10.0, 15.0, 3.0, 2.0))
    assert np.max(err["exact"]) < 1e-10
    assert 0.6 < err["order"] < 1.4
    assert 0.0 < err["bound"] < 1.0  # each grid interval is late by less than one step


def test_lif_figures_are_text_width_with_readable_fonts():
    amps = np.linspace(0.0, 10.0, 21)
    fi = P.lif_fi_curves(LIF, amps)
    with matplotlib.rc_context():
        nh.plotting.use_style()
        figures = [
            nh.plotting.weak_current_figure(P.constant_current_runs(LIF, 1.2, duration=50.0)),
            nh.plotting.strong_current_figure(P.constant_current_runs(LIF, 3.0, duration=50.0), fi),
            nh.plotting.lif_pulse_figure(
                P.lif_pulse_protocol(LIF, [(20, 40, 1), (70, 80, 2)], [(20, 80, 4)])),
            nh.plotting.lif_fi_figure(fi, LIF),
            nh.plotting.rate_saturation_figure(fi, LIF),
            nh.plotting.artefact_2020_figure(P.fi_2020_artefact(np.linspace(0.0, 400.0, 11))),
            nh.plotting.lif_explore_figure(LIF, 1.55),
            nh.plotting.lif_explore_figure(LIF, 1.6),
        ]
    for fig in figures:
        assert fig.get_size_inches()[0] == pytest.approx(nh.plotting.TEXT_WIDTH)
        assert all("(" in ax.get_ylabel() for ax in fig.get_axes())  # labelled, with a unit
        assert all("(" in ax.get_xlabel() for ax in fig.get_axes() if ax.get_xlabel())
        assert any(ax.get_xlabel() for ax in fig.get_axes())
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
        assert min(sizes) >= nh.plotting.MIN_FONT_PT
        plt.close(fig)
    assert "1 spike," in figures[-2].get_axes()[0].get_title()  # singular
    assert "2 spikes," in figures[-1].get_axes()[0].get_title()


def test_lif_fi_curves_mask_unmeasurable_interval_rates_and_give_window_onsets():
    # 20-80 ms window, start at rest, V_reset = V_rest: first spike at tau ln(RI / (RI - 15)),
    # so one spike falls in 60 ms for RI > 15 e^6 / (e^6 - 1) and two (T + t_ref + T < 60) for
    # RI > 15 e^2.9 / (e^2.9 - 1)
    fi = P.lif_fi_curves(LIF, np.array([1.0, 1.55, 1.6, 4.0]))
    assert fi["onset_count"] == pytest.approx(1.5 * math.exp(6) / (math.exp(6) - 1), rel=1e-12)
    assert fi["onset_isi"] == pytest.approx(1.5 * math.exp(2.9) / (math.exp(2.9) - 1), rel=1e-12)
    assert fi["isi"][0] == 0.0  # below rheobase: a true zero
    assert math.isnan(fi["isi"][1]) and math.isnan(fi["isi_noref"][1])  # fires, < 2 spikes in window
    expected = [1000.0 / period(1.0, 10.0, 15.0, I, 2.0) for I in (1.6, 4.0)]
    assert fi["isi"][2:] == pytest.approx(expected)
    assert fi["count"][1] == pytest.approx(1000.0 / 60.0)  # one spike counted
