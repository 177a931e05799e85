"""Shared pieces of the benchmark scripts: timing a Python callable, running `latent-prior bench`."""
import re
import statistics
import subprocess
import time


def measure(fn, repeats):
    """Median wall time of `repeats` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def latent_prior_table(command):
    """Runs a `latent-prior bench …` command; returns {name: median seconds}, {name: peak MiB}
    from its table rows (name, median, min, peak)."""
    return parse_table(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def parse_table(output):
    """{name: median seconds}, {name: peak MiB} from the rows (name, median, min, peak) of a bench table."""
    medians, peaks = {}, {}
    for line in output.splitlines():
        match = re.match(r"^(\S+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)$", line.strip())
        if match:
            medians[match.group(1)] = float(match.group(2))
            peaks[match.group(1)] = float(match.group(4))
    return medians, peaks


def add_common_arguments(parser, repeats):
    """The options every comparison script takes: model folder, our binary, repeats, latent size."""
    parser.add_argument("--model", required=True, help="a diffusers model folder")
    parser.add_argument("--binary", default=".build/release/latent-prior")
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--latent-size", type=int, default=64)
