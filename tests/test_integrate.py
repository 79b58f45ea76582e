"""The shared simulation plumbing: flat spike buffer, simulate recipe, legacy dense buffer."""

import numpy as np
import pytest

import neurohelpers as nh
from neurohelpers import integrate


def test_push_spike_grows_the_flat_buffer_and_keeps_every_time():
    times, owners, used = np.empty(1), np.empty(1, dtype=np.int64), 0
    expected = []
    for k in range(1000):
        times, owners, used = integrate.push_spike(times, owners, used, 0.5 * k, k % 3)
        expected.append((0.5 * k, k % 3))
    assert used == 1000 and times.size >= 1000
    assert list(zip(times[:used].tolist(), owners[:used].tolist(), strict=True)) == expected


def test_split_spikes_groups_interleaved_neurons_in_push_order():
    times = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 4.5])
    owners = np.array([2, 0, 2, 0, 2, 3])
    rows = integrate.split_spikes(times, owners, 5)
    assert [r.tolist() for r in rows] == [[1.5, 3.0], [], [1.0, 2.0, 4.0], [4.5], []]
    empty = integrate.split_spikes(np.empty(0), np.empty(0, dtype=np.int64), 2)
    assert [r.size for r in empty] == [0, 0]


def test_run_kernel_reports_where_a_kernel_stopped():
    drive = integrate.prepare_drive(np.zeros(11), 0.5, gain=[1.0, 2.0, 3.0])

    def kernel(traces, times, owners, status):
        integrate.fail(status, integrate.TOO_MANY_SPIKES, 2, 7)
        return times, owners, 0

    with pytest.raises(ValueError, match=r"too fast \(neuron 2, step 7: t = 3.5 to 4 ms, dt = 0.5 ms"):
        integrate.run_kernel(kernel, drive, ("V",), True, "demo", {integrate.TOO_MANY_SPIKES: "too fast"})


def test_run_kernel_packages_traces_spikes_dt_and_method():
    drive = integrate.prepare_drive(np.zeros((2, 4)), 0.25)

    def kernel(traces, times, owners, status):
        traces[0] = [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
        traces[1] = -traces[0]
        used = 0
        for t, row in [(0.3, 1), (0.1, 0), (0.6, 1)]:
            times, owners, used = integrate.push_spike(times, owners, used, t, row)
        return times, owners, used

    res = integrate.run_kernel(kernel, drive, ("V", "w"), True, "demo", {})
    assert res.V.shape == (2, 4) and np.array_equal(res.state["w"], -res.V)
    assert [s.tolist() for s in res.spike_times] == [[0.1], [0.3, 0.6]]
    assert res.dt == 0.25 and res.method == "demo" and np.allclose(res.t, [0, 0.25, 0.5, 0.75])


def test_legacy_dense_buffer_still_regrows_and_packages():
    """HodgkinHuxley still uses run_with_spike_buffer/package_result (same signatures)."""
    calls = []

    def kernel_call(traces, spikes, counts, record):
        calls.append(spikes.shape[1])
        traces[...] = 1.0
        for j in range(spikes.shape[0]):
            counts[j] = 5 * (j + 1)
            for i in range(min(counts[j], spikes.shape[1])):
                spikes[j, i] = float(i)

    traces, spikes, counts = integrate.run_with_spike_buffer(kernel_call, 2, 3, 2, True, capacity=4)
    assert calls == [4, 10]  # the first attempt overflowed, the rerun fit
    res = integrate.package_result(np.arange(3.0), traces, spikes, counts, ("x",), False)
    assert [s.size for s in res.spike_times] == [5, 10] and res.state["x"].shape == (2, 3)
    assert res.dt is None and res.method is None


@pytest.mark.parametrize("model, method", [(nh.LIF(), "euler"), (nh.Izhikevich(), "izhikevich2004")])
def test_results_record_dt_and_method(model, method):
    res = model.simulate(np.zeros(5), 0.125, method=method)
    assert res.dt == 0.125 and res.method == method
    default = model.simulate(np.zeros(5), 0.125)
    assert default.method == ("exact" if isinstance(model, nh.LIF) else "rk4")


def test_prepare_drive_checks_dt_and_overflow():
    with pytest.raises(ValueError, match="dt must be a scalar"):
        integrate.prepare_drive(np.zeros(3), [0.1])
    with pytest.raises(ValueError, match="overflows"):
        integrate.prepare_drive(np.full(3, 1e200), 0.1, gain=[1e200])
    drive = integrate.prepare_drive(np.ones(3), np.float32(0.5), gain=[1.0, 2.0])
    assert drive.batch == 2 and drive.n == 3 and type(drive.dt) is float and not drive.was_1d
