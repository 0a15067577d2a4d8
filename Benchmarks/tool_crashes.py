#!/usr/bin/env python3
"""Does swift-testcache itself crash the way Swift Build does? Its process-heavy paths, in a loop.

swift-build 6.3.1 crashes now and then in libdispatch (`_dispatch_event_loop_drain`, a bad pointer in the
manager thread); the same frame was reported crashing processes that use swift-subprocess on Linux.
swift-testcache uses swift-subprocess and Dispatch, so this driver runs its own busiest paths over and
over and counts the runs in which the tool (not a test it ran) died by a signal or printed the runtime's
crash banner on its own behalf:

- many targets at once: the medium benchmark shape (20 test targets), run with `--count 1 -j 8`;
- timeouts, retries and crashing tests: Fixtures/Behaviours with `--timeout 2s --retries 2`, where one
  test sleeps past its timeout, one ignores SIGTERM and is killed, one crashes.

    python3 Benchmarks/tool_crashes.py --runs 100       # each path 100 times (about 25 minutes)

The tool's exit status is 0 or 1 on every path when it survives (Behaviours has failing targets); a
negative status (a signal) or any other status counts as the tool crashing. Uses .build/debug/swift-testcache.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "Benchmarks"))
import packages  # noqa: E402  (the shapes of the package benchmark)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="runs of each path")
    parser.add_argument("--tool", type=Path, default=REPO / ".build" / "debug" / "swift-testcache")
    arguments = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tool-crashes-"))
    medium = work / "medium"
    packages.generate_swift(packages.SHAPES["medium"], medium)
    behaviours = work / "Behaviours"
    shutil.copytree(REPO / "Fixtures" / "Behaviours", behaviours)
    environment = dict(os.environ, SWIFT_TESTCACHE_DIR=str(work / "store"))
    paths = {
        "many targets": ([str(arguments.tool), "--package-path", str(medium), "--count", "1", "-j", "8"], {0}),
        "timeouts and retries": (
            [str(arguments.tool), "--package-path", str(behaviours), "--count", "1", "--timeout", "2s", "--retries", "2", "-j", "8"],
            {1}),
    }
    crashed = {name: 0 for name in paths}
    try:
        for name, (command, expected) in paths.items():
            # Built once first, so that each run after is the tool's own work and a null build.
            subprocess.run(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for number in range(1, arguments.runs + 1):
                process = subprocess.run(command, env=environment, capture_output=True)
                # A test's own crash is only output the tool shows; the tool's own would end it by a signal.
                if process.returncode not in expected:
                    crashed[name] += 1
                    (work.parent / f"tool-crash-{name.replace(' ', '-')}-{number}.log").write_bytes(process.stdout + process.stderr)
                    print(f"{name} {number}: exit {process.returncode}", flush=True)
            print(f"{name}: {crashed[name]} of {arguments.runs} runs ended abnormally", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
