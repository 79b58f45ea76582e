"""Hodgkin-Huxley chapter protocols against an independent SciPy reference.

The truth comes from ``reference_models`` (textbook equations integrated by
``solve_ivp``; no neurohelpers import) or from a reference written here with
``solve_ivp`` for the temperature-scaled model.
"""

import math

import numpy as np
import pytest
from reference_models import (
    hh_hopf_currents,
    hh_radau,
    hh_rates,
    hh_resting_state,
    hh_spike_times,
    izhikevich_segment_spike_times,
)
from scipy.integrate import solve_ivp

import neurohelpers as nh
from neurohelpers import protocols as pr

HH = nh.HodgkinHuxley()
REST = list(hh_resting_state(0.0))
Q35 = [(0, 100, 10.0), (100, 200, 0.0), (200, 300, 20.0), (300, 400, 100.0), (400, 500, 0.0)]


def windows(spikes, width=100.0, n=5):
    return [int(np.sum((spikes >= k * width) & (spikes < (k + 1) * width))) for k in range(n)]


def test_q35_window_table_counts_and_rates_match_reference():
    current, run = pr.hh_step_protocol(HH, dt=0.01)
    table = pr.hh_window_table(run, current)
    ref = hh_spike_times(REST, Q35)
    assert [row[2] for row in table.rows] == windows(ref) == [7, 0, 9, 1, 0]
    assert [row[1] for row in table.rows] == [10.0, 0.0, 20.0, 100.0, 0.0]
    first = ref[ref < 100]
    assert table.rows[0][3] == pytest.approx(1000.0 / np.mean(np.diff(first)), abs=0.06)
    assert table.rows[3][3] is None  # one spike defines no rate
    # peaks = upward crossings of -40 mV: the small spikes at 100 uA/cm^2 count too
    peaks = hh_spike_times(REST, Q35, threshold=-40.0)
    assert [row[4] for row in table.rows] == windows(peaks)
    late = peaks[(peaks >= 300.0) & (peaks < 400.0)]
    assert late.size > 10
    assert table.rows[3][5] == pytest.approx(1000.0 / np.mean(np.diff(late)), abs=0.1)


def test_upward_crossings_of_a_sine_match_the_closed_form():
    t = np.arange(0.0, 100.0, 0.01)
    f = 0.147  # 1/ms
    V = -40.0 + 20.0 * np.sin(2.0 * np.pi * f * (t - 0.5))
    times = pr.upward_crossings(t, V, -40.0)
    expected = 0.5 + np.arange(15) / f
    np.testing.assert_allclose(times, expected[expected < 100.0], atol=1e-4)
    both = pr.upward_crossings(t, np.vstack([V, V + 100.0]), -40.0)
    assert both[1].size == 0
    with pytest.raises(ValueError, match="V must"):
        pr.upward_crossings(t, V[:-1], 0.0)


def test_2020_initial_condition_shifts_only_the_first_window():
    effect = pr.hh_initial_condition_effect(HH, dt=0.01)
    ref_rest = hh_spike_times(REST, Q35)
    ref_2020 = hh_spike_times([-130.0, 0.0, 0.0, 0.0], Q35)
    assert windows(ref_2020) == windows(ref_rest) == [r[2] for r in effect["table"].rows]
    shift = ref_2020[:7] - ref_rest[:7]
    assert effect["table"].rows[0][3] == pytest.approx(shift.min(), abs=2e-3)
    assert effect["table"].rows[0][4] == pytest.approx(shift.max(), abs=2e-3)
    assert np.max(np.abs(ref_2020[7:] - ref_rest[7:])) < 1e-5
    assert effect["max_shift_after"] < 1e-5


def _fires_reference(I, window, duration, onset=10.0):
    spikes = hh_spike_times(REST, [(0.0, onset, 0.0), (onset, duration, I)])
    return bool(np.any((spikes >= window[0]) & (spikes < window[1])))


@pytest.mark.slow
def test_excitability_thresholds_bracket_the_reference_and_hopf_points_agree():
    exc = pr.hh_excitability(HH)
    assert _fires_reference(exc["one_spike"] + 0.01, (10.0, 110.0), 110.0)
    assert not _fires_reference(exc["one_spike"] - 0.01, (10.0, 110.0), 110.0)
    assert _fires_reference(exc["sustained"] + 0.01, (1510.0, 2010.0), 2010.0)
    assert not _fires_reference(exc["sustained"] - 0.01, (1510.0, 2010.0), 2010.0)
    hopf = hh_hopf_currents()
    assert exc["hopf_low"] == pytest.approx(hopf[0], abs=1e-4)
    assert exc["hopf_high"] == pytest.approx(hopf[-1], abs=1e-4)
    ref = hh_spike_times(REST, [(0.0, 2000.0, exc["sustained"])])
    late = ref[ref >= 1000.0]
    assert exc["onset_rate"] == pytest.approx(1000.0 / np.mean(np.diff(late)), rel=1e-3)
    assert 45.0 < exc["onset_rate"] < 55.0


def test_fi_scan_rate_and_range_match_reference_at_sample_currents():
    scan = pr.hh_fi_scan(HH, [5.0, 20.0, 100.0], [20.0])
    for I, rate in zip((5.0, 20.0, 100.0), scan["rate"], strict=True):
        spikes = hh_spike_times(REST, [(0.0, 10.0, 0.0), (10.0, 410.0, I)])
        late = spikes[spikes >= 210.0]
        expected = 1000.0 / np.mean(np.diff(late)) if late.size > 1 else 0.0
        assert rate == pytest.approx(expected, abs=0.05)
    assert scan["max_current"] == 20.0 and scan["max_rate"] == scan["rate"][1]
    peaks = hh_spike_times(REST, [(0.0, 10.0, 0.0), (10.0, 410.0, 20.0)], threshold=-40.0)
    late = peaks[peaks >= 210.0]
    assert scan["peak_rate"][0] == pytest.approx(1000.0 / np.mean(np.diff(late)), abs=0.1)
    assert scan["v_min"][0] < -70.0 < 0.0 < scan["v_max"][0]


def test_staircase_shows_hysteresis_like_the_reference():
    stair = pr.hh_staircase(HH, [12.0, 8.0, 8.0], hold=200.0)
    seg = [(0.0, 200.0, 12.0), (200.0, 600.0, 8.0)]
    ref = hh_spike_times(REST, seg)
    assert stair["rate"][2] == pytest.approx(
        1000.0 / np.mean(np.diff(ref[ref >= 450.0])), abs=0.05)
    # creeping up in 0.25 steps keeps the neuron at rest at 8 (a jump from rest to 8 fires)
    levels = np.arange(4.0, 8.01, 0.25)
    creep = pr.hh_staircase(HH, levels)
    ref_creep = hh_spike_times(REST, [(200.0 * k, 200.0 * (k + 1), I) for k, I in enumerate(levels)])
    assert np.all(creep["rate"] == 0.0)
    assert ref_creep[ref_creep >= 50.0].size == 0  # (the jump from 0 to 4 fires once at first)
    assert hh_spike_times(REST, [(0.0, 400.0, 8.0)]).size > 0
    assert stair["rising"].tolist() == [True, False, False]
    assert stair["first_up"] == 12.0 and stair["last_down"] == 8.0


def _second_pulse_fires(spike_time, delay, amplitude, first=20.0):
    start = spike_time + delay
    seg = [(0.0, 5.0, 0.0), (5.0, 6.0, first), (6.0, start, 0.0), (start, start + 1.0, amplitude),
           (start + 1.0, start + 13.0, 0.0)]
    spikes = hh_spike_times(REST, seg)
    return bool(np.any(spikes >= start))


def test_paired_pulse_threshold_and_refractory_period_bracket_the_reference():
    first = hh_spike_times(REST, [(0.0, 5.0, 0.0), (5.0, 6.0, 20.0), (6.0, 40.0, 0.0)])
    assert first.size == 1
    pulses = pr.hh_paired_pulse_thresholds(HH, [8.0, 18.0], dt=0.01)
    assert pulses["spike_time"] == pytest.approx(first[0], abs=1e-3)
    thr = pulses["threshold"][0]
    assert _second_pulse_fires(first[0], 8.0, thr * 1.01)
    assert not _second_pulse_fires(first[0], 8.0, thr * 0.99)
    assert pulses["threshold"][1] < pulses["rest_threshold"]  # supernormal period
    period = pr.hh_refractory_periods(HH, [70.0], dt=0.01)[0]
    assert _second_pulse_fires(first[0], period + 0.03, 70.0)
    assert not _second_pulse_fires(first[0], period - 0.03, 70.0)


def _reference_rate_at_temperature(I, temperature, duration=600.0):
    """1 / mean ISI (Hz) over the second half of a step from rest, rates x 3^((T-6.3)/10)."""
    phi = 3.0 ** ((temperature - 6.3) / 10.0)

    def rhs(_t, x):
        V, m, h, n = x
        am, bm, ah, bh, an, bn = (phi * r for r in hh_rates(V))
        dV = I - 120.0 * m**3 * h * (V - 50.0) - 36.0 * n**4 * (V + 77.0) - 0.3 * (V + 54.387)
        return [dV, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]

    def up(_t, x):
        return x[0]

    up.direction = 1.0
    sol = solve_ivp(rhs, (0.0, duration), REST, method="DOP853", rtol=1e-9, atol=1e-10, events=up)
    late = sol.t_events[0][sol.t_events[0] >= duration / 2]
    return 1000.0 / np.mean(np.diff(late))


def test_temperature_table_rates_match_a_scaled_reference():
    table = pr.hh_temperature_effects(HH, [6.3, 15.0], current=10.0, cap=100.0)
    for row, temperature in zip(table.rows, (6.3, 15.0), strict=True):
        assert row[1] == pytest.approx(3.0 ** ((temperature - 6.3) / 10.0), abs=1e-3)
        assert row[2] == pytest.approx(_reference_rate_at_temperature(10.0, temperature), abs=0.1)
    assert table.rows[1][4] < table.rows[0][4]  # refractoriness shortens when warmer
    assert table.rows[0][3] == table.rows[0][2]


def test_three_model_fi_onsets():
    comp = pr.three_model_fi(HH, np.array([0.5, 0.99, 1.01, 2.0]), hh_scale=9.775)
    rs = comp["rates"]["Izhikevich RS"]
    lif = comp["rates"]["LIF"]
    hh = comp["rates"]["Hodgkin-Huxley"]
    assert comp["scales"]["Izhikevich RS"] == pytest.approx(3.7975, abs=1e-12)
    assert lif[1] == 0.0 and lif[2] > 0.0
    v_rest = (-(5.0 - 0.2) - math.sqrt((5.0 - 0.2) ** 2 - 4 * 0.04 * 140.0)) / 0.08
    ref = izhikevich_segment_spike_times(0.02, 0.2, -65.0, 8.0, [(0.0, 1000.0, 2.0 * 3.7975)],
                                         v0=v_rest, u0=0.2 * v_rest)
    late = ref[ref >= 500.0]
    assert rs[3] == pytest.approx(1000.0 / np.mean(np.diff(late)), rel=1e-3)
    assert rs[1] == 0.0 and rs[2] > 0.0
    assert hh[0] == 0.0 and hh[1] > 40.0  # fires below the Hopf point: bistable
    tau = nh.LIF().tau
    t_ref = nh.LIF().t_ref
    drive = 2.0 * nh.LIF().rheobase * nh.LIF().R
    closed = 1000.0 / (t_ref + tau * math.log(drive / (drive - (nh.LIF().V_th - nh.LIF().V_rest))))
    assert lif[3] == pytest.approx(closed, rel=1e-3)


def test_bad_input_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="delays"):
        pr.hh_paired_pulse_thresholds(HH, [-1.0])
    with pytest.raises(ValueError, match="caps"):
        pr.hh_refractory_periods(HH, [])
    with pytest.raises(ValueError, match="levels"):
        pr.hh_staircase(HH, [])
    with pytest.raises(ValueError, match="currents"):
        pr.hh_fi_scan(HH, [])


def test_second_spike_peak_matches_the_reference_trace():
    spike = hh_spike_times(REST, [(0.0, 5.0, 0.0), (5.0, 6.0, 20.0), (6.0, 20.0, 0.0)])[0]
    caps, delays = np.array([70.0, 140.0]), np.array([8.0, 6.0])
    peaks = pr.hh_second_spike_peaks(HH, caps, delays, dt=0.01)
    for cap, d, peak in zip(caps, delays, peaks, strict=True):
        on = spike + d
        ref = hh_radau(REST, [(0.0, 5.0, 0.0), (5.0, 6.0, 20.0), (6.0, on, 0.0),
                              (on, on + 1.0, cap), (on + 1.0, on + 13.0, 0.0)], sample_dt=0.01)
        assert peak == pytest.approx(ref["V"][ref["t"] >= on].max(), abs=0.1)
    with pytest.raises(ValueError, match="caps and delays"):
        pr.hh_second_spike_peaks(HH, [70.0], [1.0, 2.0])



@pytest.mark.parametrize("amplitude, duration, spikes, gates", [(10.0, 100.0, 7, True), (1.0, 1.0, 0, False)])
def test_explore_figure_titles_the_spike_count_and_draws_the_panels(amplitude, duration, spikes, gates):
    """The slider figure of notebook 03. 7 spikes: 100 ms of 10 uA/cm^2 from rest is the first
    window of Question 3.5 (7 spikes against solve_ivp in the validation table); a 1 ms pulse of
    1 uA/cm^2 is far below the 6.9 uA/cm^2 single-pulse threshold. Gates add a panel."""
    import matplotlib.pyplot as plt

    fig = nh.plotting.hh_explore_figure(nh.HodgkinHuxley(), amplitude, duration, gates)
    titles = [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]
    noun = "spike" if spikes == 1 else "spikes"
    assert any(f"{spikes} {noun}" in title for title in titles), titles
    assert len(fig.axes) == (3 if gates else 2)
    plt.close(fig)
