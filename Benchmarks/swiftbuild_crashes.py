#!/usr/bin/env python3
"""How often a clean Swift Build build crashes here, and under what.

Swift Build in Swift 6.3.1 crashes now and then in libdispatch while planning a clean build
(`*** Program crashed: Bad pointer dereference`, signal 11; swiftlang/swift#87033). This driver makes
clean builds of a copy of the seed fixture (Fixtures/TestCache) one after another and counts the ones
that crashed, so that what raises or lowers the rate can be measured rather than guessed:

    python3 Benchmarks/swiftbuild_crashes.py --builds 30                    # alone, output to a file
    python3 Benchmarks/swiftbuild_crashes.py --builds 30 --way pipe         # output through a pipe
    python3 Benchmarks/swiftbuild_crashes.py --builds 30 --load unit        # the unit suites beside it
    python3 Benchmarks/swiftbuild_crashes.py --builds 30 --load pair        # two clean builds at once
    python3 Benchmarks/swiftbuild_crashes.py --builds 30 --jobs 1           # swift build -j 1

A build "crashed" when swift-build died by a signal or printed the runtime's crash banner; "failed"
when it exited non-zero without either (a real failure: the fixture always builds, so this should not
happen). Each build's line goes to stdout as it ends, the totals last. Nothing is written into the
repository; the copies live in a temporary directory removed at the end.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "Fixtures" / "TestCache"
BANNER = b"*** Program crashed: "


def swift() -> str:
    found = shutil.which("swift") or "/opt/swift/usr/bin/swift"
    return found


def build_command(package: Path, jobs: int | None) -> list[str]:
    command = [swift(), "build", "--build-tests", "--build-system", "swiftbuild", "--package-path", str(package)]
    if jobs:
        command += ["-j", str(jobs)]
    return command


def clean_build(package: Path, way: str, jobs: int | None, environment: dict[str, str]) -> tuple[str, float, bytes]:
    """One clean build: 'ok', 'crashed' or 'failed', its wall time, and its output."""
    shutil.rmtree(package / ".build", ignore_errors=True)
    command = build_command(package, jobs)
    started = time.monotonic()
    if way == "file":
        # As a person at a shell with output redirected: no pipe between swift-build and its reader.
        with tempfile.TemporaryFile() as log:
            process = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=environment, stdin=subprocess.DEVNULL)
            log.seek(0)
            output = log.read()
    else:
        # As swift-testcache runs it: stdout and stderr merged into one pipe read as it comes.
        process = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment, stdin=subprocess.DEVNULL)
        output = process.stdout
    elapsed = time.monotonic() - started
    if process.returncode < 0 or BANNER in output:
        return "crashed", elapsed, output
    return ("ok" if process.returncode == 0 else "failed"), elapsed, output


def load_unit_suites() -> subprocess.Popen:
    """The unit suites of this repository in a loop, as CI runs them beside the integration tests."""
    script = f"while true; do {swift()} test --package-path {REPO} --skip-build --skip IntegrationTests >/dev/null 2>&1; done"
    return subprocess.Popen(["bash", "-c", script], start_new_session=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", type=int, default=30, help="clean builds to make (per copy with --load pair)")
    parser.add_argument("--way", choices=["file", "pipe"], default="file", help="where the build's output goes")
    parser.add_argument("--load", choices=["none", "unit", "pair"], default="none", help="what runs beside the builds")
    parser.add_argument("--jobs", type=int, default=None, help="swift build -j")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="set for the builds")
    parser.add_argument("--keep-crashes", type=Path, default=None, help="directory to save each crash's output into")
    arguments = parser.parse_args()

    environment = dict(os.environ)
    environment["_"] = swift()
    for assignment in arguments.env:
        name, _, value = assignment.partition("=")
        environment[name] = value

    work = Path(tempfile.mkdtemp(prefix="swiftbuild-crashes-"))
    copies = 2 if arguments.load == "pair" else 1
    packages = []
    for index in range(copies):
        package = work / f"Seed{index}"
        shutil.copytree(FIXTURE, package)
        packages.append(package)
    loader = load_unit_suites() if arguments.load == "unit" else None
    counts = {"ok": 0, "crashed": 0, "failed": 0}
    times = []
    try:
        for number in range(1, arguments.builds + 1):
            if copies == 1:
                outcomes = [clean_build(packages[0], arguments.way, arguments.jobs, environment)]
            else:
                from concurrent.futures import ThreadPoolExecutor
                with ThreadPoolExecutor(copies) as pool:
                    outcomes = list(pool.map(lambda p: clean_build(p, arguments.way, arguments.jobs, environment), packages))
            for copy, (outcome, elapsed, output) in enumerate(outcomes):
                counts[outcome] += 1
                times.append(elapsed)
                print(f"build {number}.{copy}: {outcome} {elapsed:.1f}s", flush=True)
                if outcome != "ok" and arguments.keep_crashes:
                    arguments.keep_crashes.mkdir(parents=True, exist_ok=True)
                    (arguments.keep_crashes / f"build-{number}.{copy}.log").write_bytes(output)
    finally:
        if loader:
            os.killpg(loader.pid, signal.SIGTERM)
            loader.wait()
        shutil.rmtree(work, ignore_errors=True)
    total = sum(counts.values())
    times.sort()
    median = times[len(times) // 2] if times else 0
    print(f"way={arguments.way} load={arguments.load} jobs={arguments.jobs or 'default'} env={arguments.env}: "
          f"{counts['crashed']} crashed, {counts['failed']} failed, {counts['ok']} ok of {total} clean builds; "
          f"median {median:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
