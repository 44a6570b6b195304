#!/usr/bin/env python3
"""Whole training, glassbox against libtorch (C++) and PyTorch (Python): runs them, prints the table.

1. `bench_training --task T --export WORK` writes each task's work once: the data, the initial
   weights and biases, every epoch's order of the samples (the order glassbox's train() draws).
2. Every contender trains on it, each run in a process of its own, interleaved (glassbox, libtorch
   float64, libtorch float32, PyTorch float64, PyTorch float32, then again …) so that a slow moment
   of the machine does not fall on one contender only, at each thread count, `--runs` times,
   each after `--settle` seconds of rest: the system frees and compacts the memory of a large
   process (the torch contenders) after it ends, on one of the cores, and that should not be timed
   with the next contender's two threads.
   glassbox gets the thread count through GLASSBOX_THREADS, the others through their
   set_num_threads (and OMP_NUM_THREADS, for all).
3. Per task and thread count: the median time of each contender, the spread (min–max), processor
   over elapsed time (how many cores it kept busy), the losses after training (they should be
   close — the same work — but not equal: the summation orders differ, and float32 rounds more),
   and the ratios glassbox/other of the medians (below 1: glassbox is faster).

With --busy, a program that keeps one processor busy (a loop, pinned to the last processor) runs
beside every run, as another program on a shared machine would: it shows what each contender's
threads are worth when one of the cores they count on is not theirs alone.

A contender that is not installed is left out with a message (libtorch: the bench_training_torch
target needs libtorch-dev at configure time; PyTorch: python3-torch).

Run: scripts/bench (builds everything first), or
  bench/compare_training.py --bin build/release/bin [--quick] [--runs N] [--threads 1,2] [--tasks fmnist,circles]
    [--settle SECONDS] [--busy]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def say(*args):
    print(*args, file=sys.stderr, flush=True)


def run_json(command, env):
    """Runs a contender; its last line of output is its JSON result. None (and why) if it failed."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return None, (done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1]), None
    except (json.JSONDecodeError, IndexError):
        return None, f"no JSON line in its output: {done.stdout.strip()[-200:]!r}"


def torch_importable(python):
    try:
        return subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    except OSError:
        return False


def python_with_torch(asked):
    """The Python to run PyTorch with: the one asked for, else this one, else Debian's (python3-torch)."""
    candidates = [asked] if asked else [sys.executable, "/usr/bin/python3"]
    return next((p for p in candidates if torch_importable(p)), None)


def fmt_seconds(s):
    return f"{s:.4f}" if s < 0.1 else f"{s:.3f}"


def table(headers, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True, help="the build's bin folder (bench_training, bench_training_torch)")
    parser.add_argument("--quick", action="store_true", help="one run of a tenth of the work: checks that it all runs")
    parser.add_argument("--runs", type=int, help="runs of each contender (default 5; 1 with --quick)")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    parser.add_argument("--tasks", default="fmnist,circles", help="fmnist, circles or both (default)")
    parser.add_argument("--python", help="the Python that runs PyTorch (default: this one, else /usr/bin/python3)")
    parser.add_argument("--work", help="where to write the work (default: a temporary folder, removed after)")
    parser.add_argument("--results", help="also write every run's JSON result to this file")
    parser.add_argument("--settle", type=float,
                        help="seconds to wait before each run, so that the system's work after the last one "
                             "(freeing and compacting its memory) is not timed with the next (default 2; 0 with --quick)")
    parser.add_argument("--busy", action="store_true",
                        help="keep the last processor busy with a loop during every run (another program on the machine)")
    args = parser.parse_args()
    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    settle = args.settle if args.settle is not None else (0 if args.quick else 2)
    try:
        threads = [int(t) for t in args.threads.split(",")]
        if runs < 1 or any(t < 1 for t in threads):
            raise ValueError
    except ValueError:
        parser.error(f"--runs and --threads take whole numbers ≥ 1 (got --runs {runs}, --threads {args.threads})")
    tasks = args.tasks.split(",")
    if any(t not in ("fmnist", "circles") for t in tasks):
        parser.error(f"--tasks: expected fmnist and/or circles, got {args.tasks}")
    quick = ["--quick"] if args.quick else []

    glassbox = os.path.join(args.bin, "bench_training")
    if not os.access(glassbox, os.X_OK):
        sys.exit(f"compare_training: {glassbox} not found: build the bench_training target first")
    contenders = [("glassbox", "float64", lambda task, n: [glassbox, "--task", task, "--json"] + quick)]
    torch_cpp = os.path.join(args.bin, "bench_training_torch")
    if os.access(torch_cpp, os.X_OK):
        for dtype in ("float64", "float32"):
            contenders.append(("libtorch", dtype, lambda task, n, d=dtype: [
                torch_cpp, "--work", work, "--task", task, "--dtype", d, "--threads", str(n)]))
    else:
        say(f"compare_training: no libtorch contender ({torch_cpp} not built: install libtorch-dev and reconfigure)")
    python = python_with_torch(args.python)
    if python:
        for dtype in ("float64", "float32"):
            contenders.append(("PyTorch", dtype, lambda task, n, d=dtype: [
                python, os.path.join(HERE, "bench_training.py"), "--work", work, "--task", task, "--dtype", d,
                "--threads", str(n)]))
    else:
        say(f"compare_training: no PyTorch contender (no Python here imports torch: install python3-torch)")

    busy = None
    if args.busy:
        processors = sorted(os.sched_getaffinity(0))
        if len(processors) < 2:
            parser.error("--busy needs two processors or more: one for the busy loop, one for the contenders")
        busy_processor = processors[-1]
        busy = subprocess.Popen([sys.executable, "-c",
                                 f"import os\nos.sched_setaffinity(0, {{{busy_processor}}})\nwhile True: pass"])
        say(f"compare_training: processor {busy_processor} is kept busy by a loop (process {busy.pid}) during every run")
    work = args.work or tempfile.mkdtemp(prefix="glassbox-bench-")
    try:
        ready = []
        for task in tasks:
            result = subprocess.run([glassbox, "--task", task, "--export", work] + quick, capture_output=True, text=True)
            if result.returncode != 0:
                say(f"compare_training: leaving out {task}: {result.stderr.strip()}")
            else:
                ready.append(task)
        results = []
        for run in range(1, runs + 1):
            for n in threads:
                env = dict(os.environ, GLASSBOX_THREADS=str(n), OMP_NUM_THREADS=str(n))
                for task in ready:
                    for name, dtype, command in contenders:
                        say(f"  run {run}/{runs}, {n} thread(s), {task}: {name} {dtype}")
                        time.sleep(settle)
                        r, error = run_json(command(task, n), env)
                        if r is None:
                            sys.exit(f"compare_training: {name} {dtype} failed on {task}:\n{error}")
                        r.update(run=run, threads=n)
                        results.append(r)
    finally:
        if busy:
            busy.kill()
            busy.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)

    print(f"Whole training: glassbox against {', '.join(sorted({c[0] for c in contenders[1:]})) or 'nothing'}"
          f"; {runs} run(s) of each, interleaved; times in seconds (median, min–max)")
    if args.quick:
        print("--quick: a tenth of the work, one run: checks that everything runs; the times are rough")
    if busy:
        print(f"--busy: processor {busy_processor} was kept busy by another program (a loop) during every run")
    for task in ready:
        report(task, [r for r in results if r["task"] == task], contenders, threads)


def report(task, results, contenders, threads):
    first = results[0]
    what = {"fmnist": "Fashion-MNIST 784-128-10 (ReLU, softmax cross-entropy), SGD η=0.01, batch 32",
            "circles": "make_circles 2-20-1 (ReLU, sigmoid, binary cross-entropy), SGD η=0.5, batch 20"}[task]
    print(f"\n{task}: {what}; {first['epochs']} epoch(s) of {first['samples']} samples, {first['steps']} steps")
    label = lambda name, dtype: f"{name} {dtype}"
    medians = {}
    rows = []
    for n in threads:
        for name, dtype, _ in contenders:
            mine = [r for r in results if r["contender"] == name and r["dtype"] == dtype and r["threads"] == n]
            seconds = [r["seconds"] for r in mine]
            medians[(name, dtype, n)] = statistics.median(seconds)
            cores = statistics.median(r["cpu_seconds"] / r["seconds"] for r in mine)
            last = mine[-1]
            reported = last.get("reported_threads") or "?"
            rows.append([n, label(name, dtype), reported, fmt_seconds(statistics.median(seconds)),
                         f"{fmt_seconds(min(seconds))}–{fmt_seconds(max(seconds))}", f"{cores:.2f}",
                         f"{last['mean_batch_loss']:.8g}", f"{last['train_loss']:.8g}", f"{last['test_loss']:.8g}"])
            if name == "glassbox":
                if "floor_seconds" in last:
                    floor = statistics.median(r["floor_seconds"] for r in mine)
                    floor_eval = statistics.median(r["floor_eval_seconds"] for r in mine)
                    medians[("floor", dtype, n)] = floor
                    rows.append([n, "  GEMM-only floor (steps)", "", fmt_seconds(floor), "", "", "", "", ""])
                    rows.append([n, "  GEMM-only floor (evaluation)", "", fmt_seconds(floor_eval), "", "", "", "", ""])
    print(table(["threads", "contender", "reports", "median", "min–max", "cpu/wall", "batch loss", "train loss",
                 "test loss"], rows))

    print("(reports: the thread count the contender says it uses, ? if it does not say; cpu/wall: processor over\n"
          " elapsed time; batch loss: the mean of the last epoch's batch losses; train and test loss: after training)")

    others = [(name, dtype) for name, dtype, _ in contenders if name != "glassbox"]
    if others:
        print("\nratios of the medians, glassbox / other (below 1: glassbox is faster):")
        rows = []
        for n in threads:
            g = medians[("glassbox", "float64", n)]
            rows.append([n] + [f"{g / medians[(name, dtype, n)]:.2f}" for name, dtype in others])
        print(table(["threads"] + [f"glassbox/{name}-{dtype.replace('float', 'f')}" for name, dtype in others], rows))
    if len(threads) > 1:
        base = threads[0]
        print(f"\neach contender at n threads / itself at {base} (below 1: the extra threads helped):")
        rows = []
        for n in threads[1:]:
            rows.append([n] + [f"{medians[(name, dtype, n)] / medians[(name, dtype, base)]:.2f}"
                               for name, dtype, _ in contenders])
        print(table(["threads"] + [label(name, dtype) for name, dtype, _ in contenders], rows))
    floors = [n for n in threads if ("floor", "float64", n) in medians]
    if floors:
        print("\nglassbox's steps over their GEMM-only floor (the rest is the work around the products): " +
              ", ".join(f"{medians[('glassbox', 'float64', n)] / medians[('floor', 'float64', n)]:.2f}× at {n} "
                        f"thread(s)" for n in floors))
    host_report(results, threads)
    single = [r["cpu_seconds"] / r["seconds"] for r in results if r["threads"] == 1]
    if single and min(single) < 0.9:
        print(f"\nnote: a one-thread run had the CPU only {100 * min(single):.0f}% of its time: other programs were "
              "running, so some times are longer than this machine can do")


def host_report(results, threads):
    """What two threads got from the machine around each glassbox run: bench_training measures it
    just before and right after training and reports the worse (two threads at once over one alone;
    1: two whole cores, 2: one core shared by two hyper-threads, as a virtual machine's host may
    arrange from one minute to the next)."""
    mine = [r for r in results if r["contender"] == "glassbox" and "host_arithmetic_factor" in r]
    if not mine or len(threads) < 2:
        return
    print(f"\nwhat the machine gave two threads around each glassbox run (two at once over one alone, the worse of "
          f"just before and right after the run,\nin the product kernel's arithmetic and in a pass over memory; "
          f"1: two whole cores, 2: one core shared):")
    rows = []
    for r in mine:
        rows.append([r["run"], r["threads"], fmt_seconds(r["seconds"]), f"{r['host_arithmetic_factor']:.2f}",
                     f"{r['host_memory_factor']:.2f}"])
    print(table(["run", "threads", "glassbox", "arithmetic", "memory"], rows))
    print("(measured around the run, not during it: the host may change what it gives within seconds)")
    base = threads[0]
    by_run = {(r["run"], r["threads"]): r["seconds"] for r in mine}
    for n in threads[1:]:
        ratios = [by_run[(run, n)] / by_run[(run, base)] for run in sorted({r["run"] for r in mine})
                  if (run, n) in by_run and (run, base) in by_run]
        # Each round's two runs are a minute apart at most, so the median of the rounds' ratios is
        # less at the mercy of the host's drift over the whole bench than the ratio of the medians.
        if ratios:
            print(f"glassbox at {n} threads / {base}, round by round: " + ", ".join(f"{x:.2f}" for x in ratios)
                  + f" (median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
