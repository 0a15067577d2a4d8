#!/usr/bin/env python3
"""Save to result: how long after a one-line change is saved its test result is on the screen.

On a clone of a mirrored package nobody here wrote (console-kit, or swift-argument-parser), one line is
added to a test (a new value each time, so that every save is a real change), and the time from the
write to the result is taken three ways, each `--runs` times:

- `watch`: `swift-testcache watch` in a real terminal (tmux), from the write to the run's tally
  line on the screen (the footer under it, printed once the next run's scope is known, is printed too);
- `filtered`: what a developer types without it, knowing which target the file belongs to:
  `swift build --build-tests && swift test --skip-build --filter TARGET`;
- `swift test`: the whole package's tests, as most do (it builds first, as `swift build && swift test`).

    python3 Benchmarks/watch.py --tool .build/debug/swift-testcache --runs 3
    python3 Benchmarks/watch.py --package swift-argument-parser --clone PATH

Each mode starts from a built package (one warm-up save first). Results: printed, and
Benchmarks/results/watch-PACKAGE.json.
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

# Per package: its URL, the test file edited, the line after which one is added, and the file's target.
PACKAGES = {
    "console-kit": ("https://github.com/vapor/console-kit", "Tests/AsyncConsoleKitTests/AsyncCommandErrorTests.swift",
                    "    func testMissingCommand() async throws {\n", "AsyncConsoleKitTests"),
    "swift-argument-parser": ("https://github.com/apple/swift-argument-parser",
                              "Tests/ArgumentParserUnitTests/SplitArgumentTests.swift",
                              "  func testEmpty() throws {\n", "ArgumentParserUnitTests"),
}
FILE, ANCHOR, TARGET = PACKAGES["console-kit"][1:]


def edit(root, original, n):
    """Writes the test file with one line added to testMissingCommand, an assertion on a new number (a
    line such as `_ = n` compiles to nothing, and the cache rightly replays it)."""
    with open(os.path.join(root, FILE), "w") as f:
        f.write(original.replace(ANCHOR, ANCHOR + f"        XCTAssertEqual({n}, {n})\n", 1))


def screen(socket):
    return subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "w", "-S", "-200"],
                          capture_output=True, text=True).stdout


def footers(text, run, result_only=False):
    """Whether run `run` of the watch screen has finished: its tally is shown (the result), or its
    footer, which follows once the next run's scope is known."""
    head = text.find(f"[watch] run {run}:")
    if head < 0:
        return False
    if result_only:
        return " targets: " in text[head:]
    return "[watch] PASS;" in text[head:] or "[watch] FAIL;" in text[head:]


def watch_times(tool, root, original, runs, store, counter):
    socket = f"bench-{os.getpid()}"
    env = f"SWIFT_TESTCACHE_DIR={store}"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "w", "-x", "200", "-y", "60",
                    f"cd {root} && {env} {tool} watch --no-clear; sleep 600"], check=True)
    times = []
    try:
        deadline = time.time() + 1800
        while not footers(screen(socket), 1):
            if time.time() > deadline:
                raise SystemExit("watch's first run did not finish")
            time.sleep(0.2)
        for i in range(runs + 1):
            run = i + 2
            start = time.time()
            edit(root, original, next(counter))
            while not footers(screen(socket), run, result_only=True):
                if time.time() - start > 900:
                    raise SystemExit(f"watch run {run} did not finish:\n{screen(socket)}")
                time.sleep(0.02)
            elapsed = time.time() - start
            while not footers(screen(socket), run):
                time.sleep(0.02)
            footer = time.time() - start
            text = screen(socket)
            tail = text[text.find(f"[watch] run {run}:"):]
            print(f"watch run {run}: result {elapsed:.2f} s, footer {footer:.2f} s" + (" (warm-up)" if i == 0 else ""), flush=True)
            print("   " + "\n   ".join(l for l in tail.splitlines() if l.strip())[:2000], flush=True)
            if i > 0:
                times.append(elapsed)
            time.sleep(1)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"])
    return times


def command_times(commands, root, original, runs, counter, name):
    times = []
    for i in range(runs + 1):
        start = time.time()
        edit(root, original, next(counter))
        for command in commands:
            result = subprocess.run(command, cwd=root, shell=True, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        elapsed = time.time() - start
        print(f"{name} {i}: {elapsed:.2f} s" + (" (warm-up)" if i == 0 else ""), flush=True)
        if i > 0:
            times.append(elapsed)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", default=".build/debug/swift-testcache")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--package", choices=sorted(PACKAGES), default="console-kit")
    parser.add_argument("--clone", help="an existing clone of the package to use (default: a fresh clone)")
    args = parser.parse_args()
    global FILE, ANCHOR, TARGET
    url, FILE, ANCHOR, TARGET = PACKAGES[args.package]
    tool = os.path.abspath(args.tool)
    work = tempfile.mkdtemp(prefix="watch-bench-")
    root = args.clone or os.path.join(work, args.package)
    if not args.clone:
        subprocess.run(["git", "clone", "-q", url, root], check=True)
    with open(os.path.join(root, FILE)) as f:
        original = f.read()
    counter = iter(range(int(time.time()), 10**12))
    results = {}
    try:
        results["watch"] = watch_times(tool, root, original, args.runs, os.path.join(work, "store"), counter)
        results["filtered"] = command_times(
            ["swift build --build-tests", f"swift test --skip-build --filter {TARGET}"], root, original, args.runs, counter, "filtered")
        results["swift test"] = command_times(["swift test"], root, original, args.runs, counter, "swift test")
    finally:
        with open(os.path.join(root, FILE), "w") as f:
            f.write(original)
        shutil.rmtree(work, ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    summary = {name: {"median": statistics.median(t), "min": min(t), "max": max(t), "runs": t} for name, t in results.items()}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", f"watch-{args.package}.json")
    with open(out, "w") as f:
        json.dump({"commit": commit, "package": url, "file": FILE, "results": summary}, f, indent=2)
    for name, s in summary.items():
        print(f"{name:12} median {s['median']:.2f} s (min {s['min']:.2f}, max {s['max']:.2f}) over {len(s['runs'])} saves")


if __name__ == "__main__":
    sys.exit(main())
