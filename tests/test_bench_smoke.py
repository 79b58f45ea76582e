"""`make bench` end to end in its tiny configuration: it runs, writes its report,
and neurohelpers, the 2020 loops and the C loop agree on spike counts.
No timing is asserted."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_runs_and_spike_counts_agree(tmp_path):
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(tmp_path)]
    env = {**os.environ, "NH_BENCH_BUILD": str(tmp_path / "build")}
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True, text=True, env=env)
    assert (tmp_path / "build" / "results-quick.json").exists()  # the build went to the temporary folder
    report = (tmp_path / "RESULTS.md").read_text()
    assert (tmp_path / "throughput.png").stat().st_size > 0
    for heading in ("The three 2020 runs", "f-I sweeps", "Throughput against population size",
                    "First call in a fresh process"):
        assert heading in report
    assert "| NO |" not in report
    assert report.count("| yes |") >= 3
