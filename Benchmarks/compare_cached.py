#!/usr/bin/env python3
"""Times two swift-testcache binaries on the fully cached path, alternating run by run.

Uses the packages Benchmarks/packages.py generates (run it once with `--scenarios cached` first), so that
a before/after comparison of one change is made in one session, under the same load:

    python3 Benchmarks/compare_cached.py OLD/.build/release/swift-testcache .build/release/swift-testcache
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--sizes", default="seed,large")
    parser.add_argument("--runs", type=int, default=30, help="runs per binary and size (default 30)")
    parser.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "swift-testcache-bench"))
    args = parser.parse_args()
    tools = {"before": args.before, "after": args.after}
    for size in args.sizes.split(","):
        root = os.path.join(args.work_dir, size, "swift")
        # A store each: two versions may file their entries differently under the same keys.
        envs = {name: dict(os.environ, SWIFT_TESTCACHE_DIR=os.path.join(args.work_dir, size, f"store-compare-{name}"),
                           BENCH_WORK_MS="200") for name in tools}
        times: dict[str, list[float]] = {name: [] for name in tools}
        for name, tool in tools.items():  # a warm-up run each, which fills its store
            subprocess.run([tool, "--package-path", root], env=envs[name], capture_output=True)
        for index in range(args.runs):
            order = list(tools.items()) if index % 2 == 0 else list(tools.items())[::-1]
            for name, tool in order:
                start = time.perf_counter()
                result = subprocess.run([tool, "--package-path", root], env=envs[name], capture_output=True, text=True)
                elapsed = time.perf_counter() - start
                if result.returncode != 0 or "(cached)" not in result.stdout or "\tFAIL" in result.stdout:
                    raise SystemExit(f"{name} did not replay every target:\n{result.stdout[-2000:]}")
                times[name].append(elapsed * 1000)
        for name, samples in times.items():
            samples.sort()
            quarter = len(samples) // 4
            print(f"{size:6} {name:6} median {statistics.median(samples):6.1f} ms "
                  f"(p25 {samples[quarter]:.1f}, p75 {samples[-quarter - 1]:.1f})")


if __name__ == "__main__":
    main()
