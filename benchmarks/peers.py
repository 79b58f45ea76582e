"""Peer simulators on the bench's population workloads: Brian2 and NEURON.

Run by ``benchmarks/run.py`` with the interpreter of ``benchmarks/.venv-peers``
(its own pinned versions, see ``requirements-peers.txt``), one process per
measurement. It prints one JSON object: the kernel time (s) of the simulation
run alone, the set-up time (s, code generation/compilation or model building),
and the total spike count, which run.py checks against neurohelpers.

Workloads (the same as ``limit.c``'s): neuron j of N gets a current pulse of
amplitude ``lo + (hi - lo) j / (N - 1)`` for ``t_on <= t < t_off`` (ms):

- ``izh_euler`` / ``izh_rk4``: Izhikevich RS (0.02, 0.2, -65, 8), v0 = -65 mV,
  u0 = b v0, spike when v >= 30 mV (Brian2 only).
- ``hh_rk4``: Hodgkin-Huxley, modern parameters (E_L = -54.387 mV, 6.3 degC),
  from rest; a spike is an upward crossing of 0 mV. Brian2 with ``rk4`` or
  ``exponential_euler``; NEURON's ``hh`` mechanism (tables off) with its
  fixed-step backward Euler or with CVODE at a tight tolerance.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time

import numpy as np


def pulse_samples(steps: int, dt: float, t_on: float, t_off: float) -> np.ndarray:
    """1.0 where the pulse is on at t_k = k dt (the rule of limit.c), else 0.0."""
    t = np.arange(steps) * dt
    tol = 1e-9 * np.maximum(t, 1.0)
    return ((t >= t_on - tol) & (t < t_off - tol)).astype(float)


def amplitudes(n: int, lo: float, hi: float) -> np.ndarray:
    return lo + (hi - lo) * np.arange(n) / (n - 1) if n > 1 else np.array([lo])


IZH_EQS = """
dv/dt = (0.04*v**2 + 5*v + 140 - u + stim(t)*drive)/ms : 1
du/dt = 0.02*(0.2*v - u)/ms : 1
drive : 1 (constant)
"""

HH_EQS = """
dv/dt = (stim(t)*drive - 120*m**3*h*(v - 50) - 36*n**4*(v + 77) - 0.3*(v + 54.387))/ms : 1
dm/dt = (alpha_m*(1 - m) - beta_m*m)/ms : 1
dh/dt = (alpha_h*(1 - h) - beta_h*h)/ms : 1
dn/dt = (alpha_n*(1 - n) - beta_n*n)/ms : 1
alpha_m = 1/exprel(-(v + 40)/10) : 1
beta_m = 4*exp(-(v + 65)/18) : 1
alpha_h = 0.07*exp(-(v + 65)/20) : 1
beta_h = 1/(1 + exp(-(v + 35)/10)) : 1
alpha_n = 0.1/exprel(-(v + 55)/10) : 1
beta_n = 0.125*exp(-(v + 65)/80) : 1
drive : 1 (constant)
"""

#: Resting state of the modern HH model at I = 0 (V mV, m, h, n).
HH_REST = (-64.9963793311922, 0.052955086813007535, 0.5959941247398676, 0.31773239976086504)


def run_brian2(args) -> dict:
    """Brian2, cython target: one run to build and compile, then a timed rerun from the stored state."""
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    if args.cold:
        b2.prefs.codegen.runtime.cython.cache_dir = tempfile.mkdtemp(prefix="brian2-cold-")
    b2.defaultclock.dt = args.dt * b2.ms
    stim = b2.TimedArray(pulse_samples(args.steps, args.dt, args.t_on, args.t_off), dt=args.dt * b2.ms)
    if args.model.startswith("izh"):
        method = "euler" if args.model == "izh_euler" else "rk4"
        group = b2.NeuronGroup(
            args.n, IZH_EQS, threshold="v >= 30", reset="v = -65; u += 8", method=method,
            namespace={"stim": stim, "ms": b2.ms},
        )
        group.v = -65.0
        group.u = 0.2 * -65.0
    else:
        method = args.method or "rk4"
        group = b2.NeuronGroup(
            args.n, HH_EQS, threshold="v > 0", refractory="v > 0", method=method,
            namespace={"stim": stim, "ms": b2.ms},
        )
        group.v, group.m, group.h, group.n = HH_REST
    group.drive = amplitudes(args.n, args.lo, args.hi)
    counter = b2.SpikeMonitor(group, record=False)
    net = b2.Network(group, counter)
    net.store()
    duration = args.steps * args.dt * b2.ms
    start = time.perf_counter()
    net.run(duration)
    first = time.perf_counter() - start
    net.restore()
    net.run(duration, profile=True)
    # the code objects' own time: Brian2 re-prepares the run (0.1-1 s) on every call
    kernel = sum(float(seconds) for _, seconds in net.profiling_info)
    return {"seconds": kernel, "setup": max(first - kernel, 0.0), "spikes": int(counter.num_spikes),
            "method": f"brian2 cython {method}" + (" (cold cache)" if args.cold else "")}


def run_neuron(args) -> dict:
    """NEURON's hh mechanism (usetable_hh = 0), one 100 um^2 compartment per neuron."""
    from neuron import h

    h.load_file("stdrun.hoc")
    h.celsius = 6.3
    h.usetable_hh = 0
    start = time.perf_counter()
    side = math.sqrt(100.0 / math.pi)  # L = diam: area pi * diam * L = 100 um^2
    cells, clamps, counters = [], [], []
    for amp in amplitudes(args.n, args.lo, args.hi):
        sec = h.Section()
        sec.L = sec.diam = side
        sec.cm = 1.0
        sec.insert("hh")
        sec.el_hh = -54.387
        sec.ena, sec.ek = 50.0, -77.0
        clamp = h.IClamp(sec(0.5))
        clamp.delay, clamp.dur = args.t_on, args.t_off - args.t_on
        clamp.amp = amp * 100.0 * 1e-5  # uA/cm^2 * 100 um^2 -> nA
        count = h.APCount(sec(0.5))
        count.thresh = 0.0
        cells.append(sec)
        clamps.append(clamp)
        counters.append(count)
    cvode = h.CVode()
    if args.method == "cvode":
        cvode.active(1)
        cvode.atol(1e-8)
        cvode.rtol(1e-8) if hasattr(cvode, "rtol") else None
    else:
        cvode.active(0)
        h.dt = args.dt
    h.finitialize(HH_REST[0])
    setup = time.perf_counter() - start
    start = time.perf_counter()
    h.continuerun(args.steps * args.dt)
    kernel = time.perf_counter() - start
    spikes = int(sum(c.n for c in counters))
    label = "NEURON CVODE (atol 1e-8)" if args.method == "cvode" else "NEURON backward Euler"
    return {"seconds": kernel, "setup": setup, "spikes": spikes, "method": label}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("simulator", choices=["brian2", "neuron"])
    parser.add_argument("model", choices=["izh_euler", "izh_rk4", "hh_rk4"])
    parser.add_argument("n", type=int)
    parser.add_argument("steps", type=int)
    parser.add_argument("dt", type=float)
    parser.add_argument("lo", type=float)
    parser.add_argument("hi", type=float)
    parser.add_argument("t_on", type=float)
    parser.add_argument("t_off", type=float)
    parser.add_argument("--method", help="brian2: state updater for HH; neuron: 'cvode' or fixed step")
    parser.add_argument("--cold", action="store_true", help="brian2: empty compilation cache")
    args = parser.parse_args()
    result = run_brian2(args) if args.simulator == "brian2" else run_neuron(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
