"""Helpers shared by the junction-kernel benchmarks (tools/bench/*/run): where the kernel is,
what this machine is, and hyperfine runs. Python 3 standard library only."""

import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_KERNEL = os.path.join(ROOT, "target", "release", "junction-kernel")
RESULTS_DIR = os.path.join(ROOT, "tools", "bench", "results")  # git-ignored


def scratch_dir(prefix):
    """A temporary directory for built programs and inputs, removed on exit. Never under
    /tmp: the instance's /tmp is its own tmpfs, so a program there would not be found under
    the kernel. In the repo's target/ unless the checkout itself is under /tmp."""
    parent = os.path.join(ROOT, "target", "bench")
    if os.path.realpath(ROOT).startswith("/tmp/"):
        parent = "/var/tmp"
    os.makedirs(parent, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=parent)


def die(name, message):
    print(f"{name}: {message}", file=sys.stderr)
    sys.exit(1)


def require_kernel(name, path):
    if not os.access(path, os.X_OK):
        die(
            name,
            f"{path} not found; build it with\n"
            "  cargo build --release --manifest-path crates/kernel/Cargo.toml",
        )


def require_tool(name, tool):
    if not shutil.which(tool):
        die(name, f"{tool} not found on PATH")


def kernel_info(path):
    """`junction-kernel --info --json`: what the machine allows."""
    out = subprocess.run([path, "--info", "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    with open("/proc/sys/vm/mmap_min_addr") as f:
        mmap_min = f.read().strip()
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    return {
        "cpu": model,
        "logical_cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "mmap_min_addr": mmap_min,
        "load_1min_at_start": load,
        "date": datetime.date.today().isoformat(),
    }


def describe(m):
    return (
        f"{m['date']}  {m['cpu']}, {m['logical_cores']} logical cores, {m['memory_gib']} GiB, "
        f"Linux {m['kernel']}, vm.mmap_min_addr={m['mmap_min_addr']}, "
        f"load {m['load_1min_at_start']} at start"
    )


def hyperfine(commands, warmup, runs, blocks, export_json):
    """Times [(name, argv)] with hyperfine, without a shell (-N).

    The runs are split into `blocks` hyperfine invocations whose command order alternates,
    so that slow drift on a shared machine (other builds starting or stopping) hits every
    command alike instead of whichever hyperfine happened to run last. Each block warms up.
    Returns one dict per command, in order: name, times (s, pooled), median, mean, stddev,
    min, max. Every block's hyperfine JSON goes into `export_json` as a list."""
    per_block = max(1, -(-runs // blocks))
    pooled = {name: [] for name, _ in commands}
    exports = []
    for block in range(blocks):
        order = commands if block % 2 == 0 else commands[::-1]
        argv = ["hyperfine", "-N", "--warmup", str(warmup), "--runs", str(per_block),
                "--export-json", export_json]
        for name, cmd in order:
            # -N splits the command line itself, shell-style.
            argv += ["--command-name", name, shlex.join(cmd)]
        print(f"block {block + 1}/{blocks}:", file=sys.stderr, flush=True)
        subprocess.run(argv, check=True, stdout=sys.stderr)
        with open(export_json) as f:
            block_results = json.load(f)["results"]
        exports.append(block_results)
        for r in block_results:
            pooled[r["command"]] += r["times"]
    with open(export_json, "w") as f:
        json.dump({"blocks": exports}, f, indent=1)
    return [summarize(name, pooled[name]) for name, _ in commands]


def summarize(name, times):
    times = sorted(times)
    n = len(times)
    mean = sum(times) / n
    median = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
    stddev = (sum((t - mean) ** 2 for t in times) / (n - 1)) ** 0.5 if n > 1 else 0.0
    return {"name": name, "times": times, "median": median, "mean": mean, "stddev": stddev,
            "min": times[0], "max": times[-1]}


def print_table(header, rows, markdown):
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        for cells in rows:
            print("| " + " | ".join(cells) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for cells in [header, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(cells, widths))))
