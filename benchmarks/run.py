"""neurohelpers benchmarks: against the 2020 loops, odeint, and a C loop with the same numerics.

Each workload runs in its own process; timings are paired (A B A B ...) and
ratios are medians of the per-pair ratios. Results go to benchmarks/RESULTS.md
and benchmarks/throughput.png. No timing here is asserted anywhere.

usage: python benchmarks/run.py [--quick] [--output DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Build folder for the C loop and saved results; tests point it at a temporary folder.
BUILD = Path(os.environ.get("NH_BENCH_BUILD", str(HERE / "build")))
LIMIT = BUILD / "limit"
#: The same C source compiled with -ffast-math (vectorised exp from glibc's libmvec).
LIMIT_FAST = BUILD / "limit_fast"
PEERS_VENV = HERE / ".venv-peers"
PEERS_PYTHON = PEERS_VENV / "bin" / "python"
PROTOCOL = [(0, 10), (100, -10), (200, 20), (300, 80), (400, -100)]
SEGMENTS = [(0, 100, 10.0), (100, 200, 0.0), (200, 300, 20.0), (300, 400, 100.0), (400, 500, 0.0)]


def log(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def paired(a, b, pairs: int) -> dict:
    """Time a and b alternately; ratio = time(b) / time(a) per pair."""
    ta, tb = [], []
    out_a = out_b = None
    for i in range(pairs):
        t, out_a = timed(a)
        ta.append(t)
        t, out_b = timed(b)
        tb.append(t)
        log(f"  pair {i + 1}/{pairs}: {ta[-1] * 1e3:.2f} ms vs {tb[-1] * 1e3:.2f} ms")
    return {
        "a": statistics.median(ta),
        "b": statistics.median(tb),
        "ratio": statistics.median(y / x for x, y in zip(ta, tb, strict=True)),
        "out_a": out_a,
        "out_b": out_b,
    }


def run_c(
    model: str,
    n: int,
    steps: int,
    dt: float,
    lo: float,
    hi: float,
    t_on: float,
    t_off: float,
    repeats: int = 3,
    binary: Path | None = None,
) -> dict | None:
    binary = binary or LIMIT
    if not binary.exists():
        return None
    args = [
        str(binary),
        model,
        str(n),
        str(steps),
        repr(dt),
        repr(lo),
        repr(hi),
        repr(t_on),
        repr(t_off),
        str(repeats),
    ]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    fields = dict(item.split("=") for item in out.split())
    return {"seconds": float(fields["seconds"]), "spikes": int(fields["spikes"])}


def versus_c(nh_run, c_args: tuple, pairs: int) -> dict:
    """Paired nh (in process) against the C loop (its own kernel clock)."""
    ratios, nh_times, c_times, nh_spikes, c_spikes = [], [], [], None, None
    for i in range(pairs):
        t, nh_spikes = timed(nh_run)
        c = run_c(*c_args)
        if c is None:
            return {"nh": t, "nh_spikes": nh_spikes, "c": None}
        nh_times.append(t)
        c_times.append(c["seconds"])
        c_spikes = c["spikes"]
        ratios.append(t / c["seconds"])
        log(f"  pair {i + 1}/{pairs}: neurohelpers {t * 1e3:.1f} ms, C {c['seconds'] * 1e3:.1f} ms")
    return {
        "nh": statistics.median(nh_times),
        "c": statistics.median(c_times),
        "nh_over_c": statistics.median(ratios),
        "nh_spikes": nh_spikes,
        "c_spikes": c_spikes,
    }


# --------------------------------------------------------------------------- workloads
def workload_lif_2020(quick: bool) -> dict:
    import numpy as np

    import neurohelpers as nh
    from benchmarks import baseline_2020 as base

    amps = np.linspace(0.0, 400.0, 100)
    model = nh.LIF(C=0.003, R=5.0, V_rest=-65.0, V_th=30.0, V_reset=-65.0, t_ref=0.0)
    steps, dt = 5001, 0.02

    shape = nh.pulse_current(nh.time_axis(100.0, dt), [(20.0, 80.0, 1.0)])

    def nh_euler():
        res = model.simulate(shape, dt, method="euler", allow_unstable=True, record=False, gain=amps)
        return sum(s.size for s in res.spike_times)

    def loop():
        return sum(len(s) for s in base.lif_euler_sweep(amps, steps, dt, 20.0, 80.0))

    nh_euler()  # load the compiled kernel
    log("LIF 2020 f-I sweep: neurohelpers (Euler, same numerics) vs the 2020 Python loop")
    p = paired(nh_euler, loop, 1 if quick else 3)
    warm = min(timed(nh_euler)[0] for _ in range(7))  # back to back: caches warm, memory reused
    t_exact, _ = timed(lambda: nh.fi_curve(model, amps, dt=dt, measure="isi"))
    log("  C loop")
    c = run_c("lif_euler_2020", 100, steps, dt, 0.0, 400.0, 20.0, 80.0)

    # neurohelpers' own f-I sweep (textbook LIF, exact method, 0-10 nA) on the same protocol
    lif, lif_amps = nh.LIF(), np.linspace(0.0, 10.0, 100)

    def nh_default():
        res = lif.simulate(shape, dt, record=False, gain=lif_amps)
        return [s.copy() for s in res.spike_times]

    def loop_exact():
        return base.lif_exact_sweep(lif_amps, steps, dt, 20.0, 80.0)

    nh_default()
    log("LIF textbook f-I sweep: neurohelpers (exact) vs a Python loop of the same numerics")
    same = paired(nh_default, loop_exact, 1 if quick else 3)
    log("LIF f-I sweep: neurohelpers' own sweep (textbook, exact) vs the 2020 loop")
    own_vs_2020 = paired(lambda: nh_default(), loop, 1 if quick else 3)
    same_agree = all(
        len(a) == len(b) and np.allclose(a, b, rtol=0, atol=1e-9)
        for a, b in zip(same["out_a"], same["out_b"], strict=True)
    )
    return {
        "default_nh": same["a"],
        "default_loop": same["b"],
        "default_speedup": same["ratio"],
        "default_agree": same_agree,
        "default_spikes": sum(len(x) for x in same["out_b"]),
        "own_vs_2020": own_vs_2020["ratio"],
        "name": "LIF f-I sweep, 100 currents x 5001 steps (2020 configuration)",
        "neuron_steps": 100 * 5000,
        "nh": p["a"],
        "baseline": p["b"],
        "speedup": p["ratio"],
        "nh_exact": t_exact,
        "nh_warm": warm,
        "c": c and c["seconds"],
        "agree": p["out_a"] == p["out_b"] == (c["spikes"] if c else p["out_b"]),
        "spikes": p["out_b"],
    }


def workload_izh_2020(quick: bool) -> dict:
    import numpy as np

    import neurohelpers as nh
    from benchmarks import baseline_2020 as base

    t = nh.time_axis(200.0, 0.02)
    I = nh.pulse_current(t, [(10, 50, 30.0)])
    rs = nh.Izhikevich.preset("RS")

    def nh_euler():
        return rs.simulate(I, 0.02, method="euler").spike_times

    def loop():
        return np.array(base.izhikevich_euler(30.0, t.size, 0.02, 10.0, 50.0))

    nh_euler()
    log("Izhikevich 200 ms: neurohelpers (Euler) vs the 2020 Python loop")
    p = paired(nh_euler, loop, 3 if quick else 7)
    t_rk4, _ = timed(lambda: rs.simulate(I, 0.02))
    c = run_c("izh_euler", 1, t.size, 0.02, 30.0, 30.0, 10.0, 50.0)
    agree = p["out_a"].size == p["out_b"].size and bool(np.allclose(p["out_a"], p["out_b"]))
    return {
        "name": "Izhikevich RS, 200 ms, 10000 steps (2020 protocol)",
        "neuron_steps": 10000,
        "nh": p["a"],
        "baseline": p["b"],
        "speedup": p["ratio"],
        "nh_exact": t_rk4,
        "c": c and c["seconds"],
        "agree": agree and (c is None or c["spikes"] == p["out_b"].size),
        "spikes": int(p["out_b"].size),
    }


def workload_hh_2020(quick: bool) -> dict:
    import numpy as np

    import neurohelpers as nh
    from benchmarks import baseline_2020 as base
    from tests.reference_models import hh_spike_times

    hh = nh.HodgkinHuxley()
    rest = hh.resting_state()
    x0 = [rest["V"], rest["m"], rest["h"], rest["n"]]
    t = nh.time_axis(500.0, 0.01)
    I = nh.step_current(t, PROTOCOL)
    log("HH 500 ms: reference solve_ivp (DOP853, rtol 1e-10)")
    reference = hh_spike_times(x0, SEGMENTS, rtol=1e-10, atol=1e-12)

    def nh_rk4():
        return hh.simulate(I, 0.01).spike_times

    def with_odeint():
        tt, V = base.hh_odeint(x0)
        return nh.spike_times(V, tt, 0.0)

    nh_rk4()
    log("HH 500 ms: neurohelpers (RK4, dt 0.01) vs odeint (the 2020 method)")
    p = paired(nh_rk4, with_odeint, 3 if quick else 7)
    errors = {}
    for label, spikes in (("neurohelpers", p["out_a"]), ("odeint", p["out_b"])):
        errors[label] = (
            float(np.max(np.abs(spikes - reference))) if spikes.size == reference.size else float("inf")
        )
    loop_time = None
    if not quick:
        log("HH 500 ms: per-step Python RK4 loop (one run)")
        loop_time, loop_spikes = timed(lambda: base.hh_rk4_loop(x0, t.size, 0.01))
        errors["python RK4 loop"] = float(np.max(np.abs(np.array(loop_spikes) - reference)))
    log("HH one neuron vs C (constant 10 uA/cm2, 50000 steps)")
    const = np.full(t.size, 10.0)
    vc = versus_c(
        lambda: hh.simulate(const, 0.01).spike_times.size,
        ("hh_rk4", 1, t.size, 0.01, 10.0, 10.0, 0.0, 501.0),
        3,
    )
    return {
        "name": "Hodgkin-Huxley, 500 ms step protocol, 50000 RK4 steps",
        "neuron_steps": 50000,
        "nh": p["a"],
        "odeint": p["b"],
        "speedup": p["ratio"],
        "python_loop": loop_time,
        "errors": errors,
        "spikes": int(reference.size),
        "c": vc.get("c"),
        "nh_const": vc["nh"],
        "agree": p["out_a"].size == reference.size == p["out_b"].size
        and (vc.get("c_spikes") is None or vc["c_spikes"] == vc["nh_spikes"]),
    }


def _population(model_name: str, n: int, quick: bool) -> dict:
    """One throughput point: n neurons, nh.fi_curve (record=False) against the C loop."""
    import numpy as np

    import neurohelpers as nh

    setups = {
        # model, C name, duration (ms), dt (ms), current range, pulse window
        "LIF": (nh.LIF(), "lif_exact", 100.0, 0.02, (0.0, 10.0), (20.0, 80.0)),
        "Izhikevich": (nh.Izhikevich.preset("RS"), "izh_rk4", 100.0, 0.02, (0.0, 30.0), (20.0, 80.0)),
        "Hodgkin-Huxley": (
            nh.HodgkinHuxley(),
            "hh_rk4",
            10.0 if n > 1000 else 100.0,
            0.01,
            (0.0, 20.0),
            (0.0, 10.0 if n > 1000 else 100.0),
        ),
    }
    model, c_name, duration, dt, (lo, hi), (t_on, t_off) = setups[model_name]
    amps = np.linspace(lo, hi, n)
    steps = round(duration / dt) + 1

    def nh_run():
        # count every spike of the run, like the C loop (a spike can finish after the pulse)
        whole = (0.0, duration + dt)
        rates = nh.fi_curve(model, amps, dt=dt, duration=duration, onset=t_on, offset=t_off, window=whole)
        return round(float(np.sum(rates)) * (duration + dt) / 1000.0)

    nh.fi_curve(model, amps[:2], dt=dt, duration=duration, onset=t_on, offset=t_off)
    log(f"{model_name}: {n} neurons x {steps - 1} steps")
    vc = versus_c(nh_run, (c_name, n, steps, dt, lo, hi, t_on, t_off, 1), 1 if quick else 3)
    return {"model": model_name, "n": n, "neuron_steps": n * (steps - 1), **vc}


def workload_populations(quick: bool) -> dict:
    points = []
    sizes = [1, 100] if quick else [1, 100, 10_000, 100_000]
    for model_name in ("LIF", "Izhikevich", "Hodgkin-Huxley"):
        for n in sizes:
            points.append(_population(model_name, n, quick))
    return {"points": points}


def workload_fi_sweeps(quick: bool) -> dict:
    import numpy as np

    import neurohelpers as nh
    from benchmarks import baseline_2020 as base

    rows = []
    lif = nh.LIF()
    for n in [1000] if quick else [1000, 100_000]:
        amps = np.linspace(0.0, 10.0, n)
        nh.fi_curve(lif, amps[:2])
        log(f"LIF f-I sweep, {n} currents (exact method, textbook LIF)")
        vc = versus_c(
            lambda a=amps: round(float(np.sum(nh.fi_curve(lif, a))) * 0.06),
            ("lif_exact", n, 5001, 0.02, 0.0, 10.0, 20.0, 80.0, 1),
            1 if quick else 3,
        )
        if n <= 1000 and not quick:
            log(f"  2020 Python loop for {n} currents (Euler, one run)")
            loop_amps = np.linspace(0.0, 400.0, n)
            t_loop, _ = timed(lambda a=loop_amps: base.lif_euler_sweep(a, 5001, 0.02, 20.0, 80.0))
            vc["baseline"], vc["baseline_note"] = t_loop, "measured"
        else:
            vc["baseline_note"] = "not run"
        rows.append({"n": n, "neuron_steps": n * 5000, **vc})
    return {"rows": rows}


def workload_latency(quick: bool) -> dict:
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import numpy as np, neurohelpers as nh\n"
        "t1 = time.perf_counter()\n"
        "t = nh.time_axis(500.0, 0.01)\n"
        "nh.HodgkinHuxley().simulate(nh.step_current(t, [(0, 10)]), 0.01)\n"
        "t2 = time.perf_counter()\n"
        "print(t1 - t0, t2 - t1)\n"
    )

    def fresh(env):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        imp, first = (float(x) for x in out.stdout.split())
        return imp, first

    env = dict(os.environ)
    fresh(env)  # make sure the on-disk cache is warm
    warm = [fresh(env) for _ in range(3)]
    with tempfile.TemporaryDirectory() as cold_dir:
        cold = fresh({**env, "NUMBA_CACHE_DIR": cold_dir})
    return {
        "warm_import": statistics.median(w[0] for w in warm),
        "warm_first_call": statistics.median(w[1] for w in warm),
        "cold_import": cold[0],
        "cold_first_call": cold[1],
    }




# --------------------------------------------------------------------------- vectorised limit and peers
#: model key -> (C name, dt ms, steps, current range, pulse window ms, neurohelpers method)
VECTOR_WORKLOADS = {
    "izh_euler": ("Izhikevich RS, forward Euler (2020)", 0.1, 2000, (0.0, 20.0), (10.0, 190.0), "euler"),
    "izh_rk4": ("Izhikevich RS, RK4 + spike timing", 0.1, 2000, (0.0, 20.0), (10.0, 190.0), "rk4"),
    "hh_rk4": ("Hodgkin-Huxley, RK4 (default)", 0.01, 1000, (0.0, 20.0), (1.0, 10.0), None),
}


def ensure_peers_venv() -> str | None:
    """Create benchmarks/.venv-peers from requirements-peers.txt if missing; None if it works."""
    stamp = PEERS_VENV / ".installed"
    wanted = (HERE / "requirements-peers.txt").read_text()
    if stamp.exists() and stamp.read_text() == wanted and PEERS_PYTHON.exists():
        return None
    log("installing the peers (Brian2, NEURON) into benchmarks/.venv-peers: a few minutes, once")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        pins = str(HERE / "requirements-peers.txt")
        subprocess.run([str(PEERS_PYTHON), "-m", "pip", "install", "--quiet", "-r", pins], check=True)
    except (subprocess.CalledProcessError, OSError) as error:
        return f"could not install the peers ({error}); their rows are missing"
    stamp.write_text(wanted)
    return None


def run_peer(simulator: str, model: str, c_args: tuple, *extra: str) -> dict:
    """One peer measurement in its own process; an error is reported, not raised."""
    n, steps, *rest = c_args
    script = str(HERE / "peers.py")
    args = [str(PEERS_PYTHON), script, simulator, model, str(n), str(steps), *map(repr, rest), *extra]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"{simulator} failed: {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def workload_vectorised(quick: bool) -> dict:
    """Populations against the vectorised C limit (strict and -ffast-math) and the peers."""
    import numpy as np

    import neurohelpers as nh

    n = 100 if quick else 10_000
    peers_note = "skipped in the quick configuration" if quick else ensure_peers_venv()
    rows = []
    for key, (label, dt, steps, (lo, hi), (t_on, t_off), method) in VECTOR_WORKLOADS.items():
        model = nh.HodgkinHuxley() if key.startswith("hh") else nh.Izhikevich.preset("RS")
        amps = np.linspace(lo, hi, n)
        duration = steps * dt
        kwargs = {"method": method} if method else {}

        def nh_run(model=model, amps=amps, duration=duration, dt=dt, t_on=t_on, t_off=t_off, kwargs=kwargs):
            whole = (0.0, duration + dt)
            rates = nh.fi_curve(
                model, amps, dt=dt, duration=duration, onset=t_on, offset=t_off, window=whole, **kwargs
            )
            return round(float(np.sum(rates)) * (duration + dt) / 1000.0)

        nh_run()  # compile / load the kernels
        times = []
        for _ in range(1 if quick else 3):
            t, nh_spikes = timed(nh_run)
            times.append(t)
        # limit.c runs steps + 1 samples' worth of steps like fi_curve: STEPS = number of updates
        c_args = (n, steps + 1, dt, lo, hi, t_on, t_off)
        row = {"key": key, "label": label, "n": n, "neuron_steps": n * steps,
               "nh": statistics.median(times), "nh_spikes": nh_spikes}
        scalar = run_c(key, *c_args, repeats=1)
        vec = run_c(key + "_vec", *c_args, repeats=1 if quick else 3)
        fast = run_c(key + "_vec", *c_args, repeats=1 if quick else 3, binary=LIMIT_FAST)
        row["c_scalar"], row["c_vec"], row["c_fast"] = scalar, vec, fast
        log(f"{label}: nh {row['nh'] * 1e3:.1f} ms, C vec {vec and vec['seconds'] * 1e3:.1f} ms, "
            f"fast-math {fast and fast['seconds'] * 1e3:.1f} ms")
        peers = []
        if peers_note is None:
            peer_args = (n, steps, dt, lo, hi, t_on, t_off)
            peers.append(run_peer("brian2", key, peer_args))
            peers.append(run_peer("brian2", key, peer_args, "--cold"))
            if key == "hh_rk4":
                peers.append(run_peer("brian2", key, peer_args, "--method", "exponential_euler"))
                peers.append(run_peer("neuron", key, peer_args))
                small = (max(n // 10, 10), steps, dt, lo, hi, t_on, t_off)
                cv = run_peer("neuron", key, small, "--method", "cvode")
                cv["n"] = small[0]
                peers.append(cv)
            for p in peers:
                seconds = p.get("seconds", float("nan"))
                log(f"  peer {p.get('method', p.get('error'))}: {seconds * 1e3:.1f} ms")
        row["peers"] = peers
        rows.append(row)
    return {"rows": rows, "peers_note": peers_note}


WORKLOADS = {
    "lif_2020": workload_lif_2020,
    "izh_2020": workload_izh_2020,
    "hh_2020": workload_hh_2020,
    "fi_sweeps": workload_fi_sweeps,
    "populations": workload_populations,
    "latency": workload_latency,
    "vectorised": workload_vectorised,
}


# --------------------------------------------------------------------------- driver and report
def compile_limit() -> str:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        log("no C compiler found: the C-limit columns are skipped")
        return "no C compiler"
    BUILD.mkdir(parents=True, exist_ok=True)
    # strict IEEE arithmetic: -ffp-contract=off because gcc otherwise fuses a * b + c into one
    # FMA (one rounding instead of two: other numbers than neurohelpers' unfused arithmetic);
    # -fno-trapping-math only lets the compiler turn the spike test into a vector select (no
    # change to any computed value)
    source = str(HERE / "limit.c")
    strict = [cc, "-O3", "-march=native", "-ffp-contract=off", "-fno-trapping-math", "-o", str(LIMIT),
              source, "-lm"]
    subprocess.run(strict, check=True)
    fast = [cc, "-O3", "-march=native", "-ffast-math", "-o", str(LIMIT_FAST), source, "-lm"]
    subprocess.run(fast, check=True)
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    log(f"compiled benchmarks/limit.c with {version}, strict and -ffast-math")
    return version + " (-O3 -march=native -ffp-contract=off -fno-trapping-math; and with -ffast-math)"


def run_workload(name: str, quick: bool) -> dict:
    args = [sys.executable, str(Path(__file__)), "--workload", name] + (["--quick"] if quick else [])
    log(f"=== workload {name} (own process)")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(args, stdout=subprocess.PIPE, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def fmt_ms(seconds) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def rate(neuron_steps, seconds) -> str:
    return "-" if not seconds else f"{neuron_steps / seconds:.2e}"


def brian2_status() -> str:
    """Where the peers come from: their own venv, measured in the vectorised-populations section."""
    if not PEERS_PYTHON.exists():
        return "peers venv not present (created by a full `make bench`; skipped in --quick)"
    return "Brian2 and NEURON from benchmarks/.venv-peers (requirements-peers.txt)"


def machine() -> list[str]:
    import numba
    import numpy
    import scipy

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {cpu}",
        f"- Python {platform.python_version()}, numpy {numpy.__version__}, numba {numba.__version__}, "
        f"scipy {scipy.__version__}",
    ]


def write_report(results: dict, cc: str, out_dir: Path, quick: bool) -> Path:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`benchmarks/run.py`); do not edit by hand."
        + (" **Quick smoke configuration: numbers are not representative.**" if quick else ""),
        "",
    ]
    lines += [*machine(), f"- C limit: {cc}", f"- peers: {brian2_status()}", ""]
    lines += [
        "Paired timings (A B A B), medians; speed-up = baseline time / neurohelpers time, median of "
        "the per-pair ratios. nh/C = neurohelpers time / C loop time with the same numerics (C clocks "
        "its own kernel; neurohelpers is timed around the public call, input generation included).",
        "",
    ]
    lines += [
        "## The three 2020 runs",
        "",
        "| workload | neurohelpers | 2020 baseline | speed-up | neuron-steps/s (nh) | C loop | nh/C | "
        "spike counts agree |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, base_label in (("lif_2020", "Python loop"), ("izh_2020", "Python loop"), ("hh_2020", "odeint")):
        r = results[key]
        base_time = r.get("baseline", r.get("odeint"))
        nh_c = (r["nh_const"] if key == "hh_2020" else r["nh"]) / r["c"] if r.get("c") else None
        lines.append(
            f"| {r['name']} | {fmt_ms(r['nh'])} | {fmt_ms(base_time)} ({base_label}) | "
            f"{r['speedup']:.0f}x | {rate(r['neuron_steps'], r['nh'])} | {fmt_ms(r.get('c'))} | "
            f"{'-' if nh_c is None else f'{nh_c:.2f}'} | {'yes' if r['agree'] else 'NO'} |"
        )
    lif, izh, hh = results["lif_2020"], results["izh_2020"], results["hh_2020"]
    lines.append(
        f"| LIF f-I sweep, 100 currents x 5001 steps, textbook LIF, exact method (neurohelpers default) | "
        f"{fmt_ms(lif['default_nh'])} | {fmt_ms(lif['default_loop'])} (Python loop, same exact numerics) | "
        f"{lif['default_speedup']:.0f}x | {rate(lif['neuron_steps'], lif['default_nh'])} | - | - | "
        f"{'yes' if lif['default_agree'] else 'NO'} |"
    )
    lines += [
        "",
        f"- The LIF and Izhikevich rows time neurohelpers with the 2020 numerics (forward Euler) so "
        f"that spike counts can be compared; the default accurate methods take {fmt_ms(lif['nh_exact'])} "
        f"(exact LIF, same sweep: with tau = 0.015 ms the 2020 parameters make the exact model fire at up "
        f"to 1.4 MHz, and each of those spikes is resolved) and {fmt_ms(izh['nh_exact'])} (Izhikevich RK4, "
        "same run).",
        f"- HH spike-time error against solve_ivp (DOP853, rtol 1e-10) over the {hh['spikes']} spikes: "
        + ", ".join(f"{k} {v:.1e} ms" for k, v in hh["errors"].items())
        + ".",
        "- HH per-step Python RK4 loop (same numerics as neurohelpers, not compiled): "
        + (
            f"{fmt_ms(hh['python_loop'])}, {hh['python_loop'] / hh['nh']:.0f}x slower than neurohelpers."
            if hh.get("python_loop")
            else "not run in quick mode."
        ),
        f"- HH nh/C uses a constant 10 uA/cm2 run of the same length: neurohelpers {fmt_ms(hh['nh_const'])}.",
        "",
    ]
    lines += [
        "## f-I sweeps (textbook LIF, exact method, 100 ms, dt 0.02 ms)",
        "",
        "| currents | neurohelpers | neuron-steps/s | C loop | nh/C | 2020 loop (Euler) | spikes agree |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["fi_sweeps"]["rows"]:
        base_txt = fmt_ms(r["baseline"]) if r.get("baseline") else r["baseline_note"]
        nh_c = f"{r['nh_over_c']:.2f}" if r.get("c") else "-"
        agree = "-" if r.get("c") is None else ("yes" if r["nh_spikes"] == r["c_spikes"] else "NO")
        lines.append(
            f"| {r['n']:,} | {fmt_ms(r['nh'])} | {rate(r['neuron_steps'], r['nh'])} | {fmt_ms(r.get('c'))} "
            f"| {nh_c} | {base_txt} | {agree} |"
        )
    lines += [
        "",
        "## Throughput against population size",
        "",
        "LIF and Izhikevich: 100 ms at dt 0.02 ms; Hodgkin-Huxley: 100 ms at dt 0.01 ms up to 1,000 "
        "neurons, 10 ms beyond. `nh.fi_curve` (chunks of 1,024 neurons, no traces kept).",
        "",
        "| model | N | neurohelpers | neuron-steps/s | C loop | nh/C | spike counts agree |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["populations"]["points"]:
        nh_c = f"{r['nh_over_c']:.2f}" if r.get("c") else "-"
        agree = "-" if r.get("c") is None else ("yes" if r["nh_spikes"] == r["c_spikes"] else "NO")
        lines.append(
            f"| {r['model']} | {r['n']:,} | {fmt_ms(r['nh'])} | {rate(r['neuron_steps'], r['nh'])} | "
            f"{fmt_ms(r.get('c'))} | {nh_c} | {agree} |"
        )
    lat = results["latency"]
    if "vectorised" in results:
        lines += vectorised_section(results["vectorised"])
    lines += targets(results)
    lines += [
        "",
        "## First call in a fresh process",
        "",
        "| on-disk compile cache | import neurohelpers | first HH simulation (500 ms) |",
        "|---|---|---|",
        f"| warm | {fmt_ms(lat['warm_import'])} | {fmt_ms(lat['warm_first_call'])} |",
        f"| cold | {fmt_ms(lat['cold_import'])} | {fmt_ms(lat['cold_first_call'])} |",
        "",
        "![throughput](throughput.png)",
        "",
    ]
    path = out_dir / "RESULTS.md"
    path.write_text("\n".join(lines))
    plot_throughput(results["populations"]["points"], out_dir / "throughput.png")
    return path


def vectorised_section(vec: dict) -> list[str]:
    """RESULTS.md section: populations against the vectorised C limit and the peers."""
    lines = [
        "",
        "## Populations against the vectorised limit and the peers",
        "",
        "`limit.c` in its vectorisable form (structure of arrays, time loop outside, neuron loop inside, "
        "spike handling in a second pass), compiled strict (IEEE arithmetic, no FMA contraction: "
        "`-ffp-contract=off`) and with `-ffast-math` "
        "(SIMD `exp` from glibc's libmvec); the scalar loop (neuron outside) is kept as a row label "
        "`C scalar`. Peers from `benchmarks/.venv-peers` (`requirements-peers.txt`): Brian2 cython "
        "(kernel = its code objects' own time on a rerun, warm cache; set-up = compilation and code "
        "generation), NEURON's `hh` mechanism with `usetable_hh = 0`. Spike counts: total over the "
        "population.",
        "",
        "| workload | N | neurohelpers | C scalar | C vec strict | C vec fast-math | nh / C vec | "
        "nh / fast-math | spikes (nh / C vec) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in vec["rows"]:
        cv, cf, cs = r.get("c_vec"), r.get("c_fast"), r.get("c_scalar")
        ratio = f"{r['nh'] / cv['seconds']:.2f}" if cv else "-"
        ratio_fast = f"{r['nh'] / cf['seconds']:.2f}" if cf else "-"
        spikes = f"{r['nh_spikes']:,} / {cv['spikes']:,}" if cv else f"{r['nh_spikes']:,} / -"
        lines.append(
            f"| {r['label']} | {r['n']:,} | {fmt_ms(r['nh'])} | {fmt_ms(cs and cs['seconds'])} | "
            f"{fmt_ms(cv and cv['seconds'])} | {fmt_ms(cf and cf['seconds'])} | {ratio} | {ratio_fast} | "
            f"{spikes} |"
        )
    lines += [
        "",
        "| workload | peer | N | kernel | set-up | neuron-steps/s | nh / peer | spikes (peer / nh) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if vec.get("peers_note"):
        lines.append(f"| - | peers: {vec['peers_note']} | | | | | | |")
    for r in vec["rows"]:
        for p in r.get("peers", []):
            if "error" in p:
                lines.append(f"| {r['label']} | {p['error']} | | | | | | |")
                continue
            n = p.get("n", r["n"])
            steps = r["neuron_steps"] // r["n"] * n
            same_n = n == r["n"]
            versus = f"{r['nh'] / p['seconds']:.2f}" if same_n else "-"
            nh_spikes = f"{r['nh_spikes']:,}" if same_n else "-"
            lines.append(
                f"| {r['label']} | {p['method']} | {n:,} | {fmt_ms(p['seconds'])} | {fmt_ms(p['setup'])} | "
                f"{rate(steps, p['seconds'])} | {versus} | {p['spikes']:,} / {nh_spikes} |"
            )
    return lines


def targets(results: dict) -> list[str]:
    """The PERFORMANCE.md targets against what this run measured."""
    lif, hh, lat = results["lif_2020"], results["hh_2020"], results["latency"]
    big = [p for p in results["populations"]["points"] if p["n"] >= 10_000 and p.get("c")]
    worst = max((p["nh_over_c"] for p in big), default=None)
    err_nh, err_ode = hh["errors"]["neurohelpers"], hh["errors"]["odeint"]
    rows = [
        (
            "LIF f-I sweep (100 currents) >= 200x the 2020 loop: 2020 configuration, same Euler numerics",
            f"{lif['speedup']:.0f}x",
            lif["speedup"] >= 200,
        ),
        (
            "LIF f-I sweep (100 currents) >= 200x the 2020 loop: neurohelpers' own sweep (textbook, exact)",
            f"{lif['own_vs_2020']:.0f}x (against a Python loop of the same exact numerics: "
            f"{lif['default_speedup']:.0f}x)",
            lif["own_vs_2020"] >= 200,
        ),
        (
            "HH 500 ms >= 10x odeint, spike times at least as accurate",
            f"{hh['speedup']:.0f}x; error {err_nh:.1e} vs {err_ode:.1e} ms",
            hh["speedup"] >= 10 and err_nh <= err_ode,
        ),
        (
            "Populations (10^4-10^5 neurons) within 1.5x of a C loop",
            "-" if worst is None else f"worst nh/C {worst:.2f}",
            worst is not None and worst <= 1.5,
        ),
        (
            "Warm on-disk cache: first simulation call < 0.5 s",
            fmt_ms(lat["warm_first_call"]),
            lat["warm_first_call"] < 0.5,
        ),
    ]
    lines = ["", "## Targets of PERFORMANCE.md", "", "| target | measured here | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else 'no'} |" for name, value, ok in rows]
    if lif["speedup"] < 200:
        per_step = lif["spikes"] / lif["neuron_steps"]
        lines += [
            "",
            "Why the LIF target is missed in the 2020 configuration: called back to back (caches warm, "
            "memory reused) the same sweep "
            f"takes {fmt_ms(lif['nh_warm'])} ({lif['baseline'] / lif['nh_warm']:.0f}x the loop's median); "
            f"alternated with the Python loop, which evicts the caches, {fmt_ms(lif['nh'])}. The sweep is "
            f"{lif['neuron_steps']:,} Euler steps that emit {lif['spikes']:,} spikes "
            f"({per_step:.2f} per step: "
            "the 2020 parameters fire at the 1/dt ceiling), each step a division on the neuron's dependency "
            f"chain; the plain C loop needs {fmt_ms(lif['c'])} for the same work. 200x would need "
            f"{fmt_ms(lif['baseline'] / 200)} for the whole call.",
        ]
    lines.append("")
    return lines


def plot_throughput(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
    for i, model in enumerate(("LIF", "Izhikevich", "Hodgkin-Huxley")):
        rows = [p for p in points if p["model"] == model]
        n = [p["n"] for p in rows]
        ax.loglog(
            n,
            [p["neuron_steps"] / p["nh"] for p in rows],
            "o-",
            color=f"C{i}",
            label=f"{model}, neurohelpers",
        )
        if all(p.get("c") for p in rows):
            ax.loglog(
                n,
                [p["neuron_steps"] / p["c"] for p in rows],
                "s--",
                color=f"C{i}",
                alpha=0.6,
                label=f"{model}, C loop",
            )
    ax.set(
        xlabel="Neurons simulated together (N)",
        ylabel="Throughput (neuron-steps per second)",
        title="Throughput against population size",
    )
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny configuration (smoke test)")
    parser.add_argument("--output", type=Path, default=HERE, help="folder for RESULTS.md and throughput.png")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite RESULTS.md and the plot from the last run's benchmarks/build/results.json",
    )
    args = parser.parse_args()
    if args.workload:
        sys.path.insert(0, str(HERE.parent))
        print(json.dumps(WORKLOADS[args.workload](args.quick), default=float))
        return 0
    saved = BUILD / ("results-quick.json" if args.quick else "results.json")
    if args.report_only:
        if not saved.exists():
            log(f"no saved results at {saved}: run the benchmarks first")
            return 1
        data = json.loads(saved.read_text())
        cc, results = data["cc"], data["results"]
    else:
        cc = compile_limit()
        results = {name: run_workload(name, args.quick) for name in WORKLOADS}
        BUILD.mkdir(exist_ok=True)
        saved.write_text(json.dumps({"cc": cc, "results": results}, indent=1, default=float))
    args.output.mkdir(parents=True, exist_ok=True)
    path = write_report(results, cc, args.output, args.quick)
    log(f"wrote {path} and {args.output / 'throughput.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
