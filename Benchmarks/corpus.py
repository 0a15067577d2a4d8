#!/usr/bin/env python3
"""The tool on every mirrored package, as a new user runs it: does it crash, and does it agree with no cache?

For each package of Benchmarks/corpus.txt (owner/name and tag, one a line) that has test targets: a clean
clone at the tag, then, with a store of its own,
1. a cold run (`swift-testcache`: build, run, store),
2. the same again (every passing target should be `(cached)`),
3. `swift-testcache --count 1 --json` (no cache: the verdicts to agree with, and the number of tests),
4. when the `--count 1` run has a failing target: `swift test`, to tell the package's own failures (a
   test that needs the network, say) from the tool's.
Each command gets what is left of a time budget per package. The tool crashed when it died by a signal or
printed the Swift runtime's fatal-error banner on its own behalf; it refused when it exited 2.

    python3 Benchmarks/corpus.py --tool /tmp/corpus-tool/swift-testcache          # every package not yet done
    python3 Benchmarks/corpus.py --packages davecom/SwiftGraph --again             # one, again

Rows are kept in Benchmarks/results/corpus.json as each package ends (a run can stop and go on later), and
the table is written into BENCHMARKS.md between the corpus markers. Each command takes the build lock
(`--lock`, flock) so that no other build that honours it runs beside it on a two-core machine. A clone is
deleted after its row is written unless `--keep`.
"""
import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIST = REPO / "Benchmarks" / "corpus.txt"
RESULTS = REPO / "Benchmarks" / "results" / "corpus.json"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- corpus:begin", "<!-- corpus:end -->"
# `ok  \tName\t0.1s`, `ok  \tName\t(cached)`, `FAIL\tName\t0.1s`, `FAIL\tName [build failed]`, `?   \tName\t[no test files]`.
SUMMARY = re.compile(r"^(ok  |FAIL|\?   )\t(\S+)(?:[\t ](.*))?$")
# What the Swift runtime prints when a Swift program traps; a test's own crash is reported inside a
# target's output, the tool's own comes with the tool dying by a signal.
FATAL = re.compile(r"^(.*Fatal error: .*|.*Stack dump:.*)$", re.MULTILINE)
# Why a row is as it is, as a look at its logs found it (the package's own, or the tool's and still open);
# shown in the table's notes beside what the run measured.
EXPLAINED = {
    "apple/swift-nio-http2": "NIOHPACKTests is not stored, by design: HPACKIntegrationTests writes its encoded stories "
        "into Tests/hpack-test-case/swift-nio-hpack-*, directories it also probes, so what it read changed while it ran "
        "and the state it saw cannot be known",
    "swiftlang/swift-subprocess": "the package's own hang: `swift test` hangs too (3 of 12 runs here, 40 s timeout), a child "
        "made by a raw clone3 deadlocking in setuid (glibc's setxid waits on a thread that was being created when it was "
        "cloned); the tool's `--timeout` (10m) stops it",
    "pointfreeco/swift-snapshot-testing": "SnapshotTestingTests is not stored, by design: its RecordTests record snapshots "
        "into Tests/SnapshotTestingTests/__Snapshots__ and remove them, a directory the other tests probe, so what they read "
        "changed while they ran",
    "pointfreeco/combine-schedulers": "fixed in 607eb49: UISchedulerTests.testRunsOnMain fails after other tests in one "
        "process and passes alone; the second run used to run only it and say ok (21 of 22 cached). Now its pass alone "
        "sends the whole target to run again, and all three runs FAIL, as `--count 1`. `swift test` failed it in the "
        "previous session's run and passed it in this one: the test depends on order and timing",
    "hummingbird-project/hummingbird-websocket": "the package's own hang: the `--count 1` run hung in "
        "WebSocketTests.testRouteSelection after the socket closed, until the tool's 10m timeout (the cold run passed, "
        "22 tests); the test binary `swift test` started (no tracer in its environment) was found still running 84 "
        "minutes later, orphaned when the budget stopped `swift test`",
    "vapor/fluent-postgres-driver": "needs a PostgreSQL server at localhost:5432 (connection refused), which this "
        "machine does not run; its tests fail and retry until the budget ends",
    "vapor/postgres-nio": "its IntegrationTests connect to a PostgreSQL server, which this machine does not run: the "
        "cold run printed ok for PostgresNIOTests and ConnectionPoolModuleTests and no line for IntegrationTests "
        "before the 900 s budget ended",
    "swift-server/async-http-client": "the package's own failures, 3 of 633 tests: testConnectTimeout (twice) and "
        "testConnectErrorPropagatedToDelegate expect a connect to a listener with a backlog of 1 to time out, and this "
        "machine's kernel accepts it; `swift test` fails the same three. The second run ran only them (630 of 633 cached)",
    "vapor/postgres-kit": "needs a PostgreSQL server (PSQLError, connection refused); `swift test` fails too",
    "swiftwasm/WasmKit": "its WASI and WAT tests read test suites under Vendor/ that its checkout script fetches from "
        "the network (\"failed to open file …/Vendor/…\"); the other six targets pass and are cached",
}


def verdicts(output: str) -> dict:
    """Target -> (verdict, rest of the line) from the tool's summary lines, plain or inside `--json` events."""
    found = {}
    for line in output.splitlines():
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("Action") != "output" or event.get("Test"):
                continue
            line = event.get("Output", "").rstrip("\n")
        match = SUMMARY.match(line)
        if match:
            status = {"ok  ": "ok", "FAIL": "FAIL", "?   ": "no tests"}[match.group(1)]
            rest = match.group(3) or ""
            if "[build failed]" in rest:
                status = "build failed"
            elif "[no tests to run]" in rest:
                status = "no tests"
            found[match.group(2)] = (status, rest)
    return found


def count_tests(output: str) -> int:
    """Leaf tests that passed, failed or were skipped in a `--json` stream."""
    tests = set()
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("Test") and event.get("Action") in ("pass", "fail", "skip"):
            tests.add((event.get("Package"), event["Test"]))
    # A class or suite is reported as a test too, the parent of its tests: only the leaves count.
    parents = {(package, name.rsplit("/", 1)[0]) for package, name in tests if "/" in name}
    return len(tests - parents)


class Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def run(command, cwd, env, budget: Budget, lock: Path | None):
    """(exit status or None on timeout, output, seconds), under the build lock, its process group
    killed when the budget runs out."""
    handle = None
    if lock:
        handle = open(lock, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
    start = time.monotonic()
    try:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=max(1.0, budget.left()))
            status = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            status = None
        return status, output.decode("utf-8", "replace"), time.monotonic() - start
    finally:
        if handle:
            handle.close()


def crashed(status, output: str) -> str | None:
    """Why the tool itself crashed, or None: death by a signal, or an exit that is not 0, 1 or 2 with the
    runtime's banner."""
    if status is None:
        return None
    if status < 0:
        return f"signal {-status}: " + "; ".join(m.strip() for m in FATAL.findall(output)[:1])
    if status not in (0, 1, 2):
        return f"exit {status}: " + "; ".join(m.strip() for m in FATAL.findall(output)[:1])
    return None


def has_tests(root: Path) -> bool:
    """Whether a manifest of the package declares a test target (every Package*.swift: a versioned one
    may be the one this toolchain reads)."""
    return any("testTarget(" in path.read_text(errors="replace") for path in root.glob("Package*.swift"))


def measure(name: str, tag: str, tool: Path, work: Path, budget_seconds: float, lock: Path | None, keep: bool) -> dict:
    row = {"package": name, "tag": tag}
    root = work / name.replace("/", "+")
    shutil.rmtree(root, ignore_errors=True)
    clone = subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", tag, f"https://github.com/{name}", str(root)],
                           capture_output=True, text=True)
    if clone.returncode != 0:
        row["note"] = "clone failed: " + clone.stderr.strip().splitlines()[-1:][0] if clone.stderr.strip() else "clone failed"
        return row
    try:
        if not has_tests(root):
            row["note"] = "no test targets"
            return row
        store = work / (name.replace("/", "+") + ".store")
        shutil.rmtree(store, ignore_errors=True)
        env = dict(os.environ, SWIFT_TESTCACHE_DIR=str(store))
        budget = Budget(budget_seconds)
        logs = work / "logs"
        logs.mkdir(exist_ok=True)
        base = [str(tool), "--package-path", str(root)]
        steps = [("cold", base), ("again", base), ("count1", base + ["--count", "1", "--json"])]
        outputs = {}
        for step, command in steps:
            status, output, seconds = run(command, root, env, budget, lock)
            (logs / f"{name.replace('/', '+')}.{step}.log").write_text(output)
            row[f"{step}_status"] = status
            row[f"{step}_seconds"] = round(seconds, 1)
            outputs[step] = output
            why = crashed(status, output)
            if why:
                row["crashed"] = f"{step}: {why}"
                return row
            if status is None:
                row["note"] = f"over the budget ({budget_seconds:.0f} s) in the {step} run"
                return row
            if status == 2:
                row["note"] = f"refused in the {step} run: " + (output.strip().splitlines() or [""])[-1][:200]
                # Whether SwiftPM itself can resolve the package: a refusal it shares is the package's own.
                resolved, output, _ = run(["swift", "package", "resolve"], root, env, budget, lock)
                (logs / f"{name.replace('/', '+')}.resolve.log").write_text(output)
                row["swift_resolve_status"] = resolved
                return row
        cold, again, count1 = (verdicts(outputs[s]) for s in ("cold", "again", "count1"))
        row["targets"] = len(count1)
        row["tests"] = count_tests(outputs["count1"])
        row["built"] = not any(v == "build failed" for v, _ in count1.values())
        row["verdicts"] = {t: v for t, (v, _) in count1.items()}
        differ = {t: (cold.get(t, ("missing",))[0], v) for t, (v, _) in count1.items() if cold.get(t, ("missing",))[0] != v}
        differ.update({t: (again.get(t, ("missing",))[0], v) for t, (v, _) in count1.items()
                       if again.get(t, ("missing",))[0] != v and t not in differ})
        row["differ"] = {t: f"{a} vs {b} with --count 1" for t, (a, b) in differ.items()}
        row["uncached"] = sorted(t for t, (v, rest) in again.items() if v == "ok" and "(cached)" not in rest)
        if any(v in ("FAIL", "build failed") for v in row["verdicts"].values()):
            status, output, seconds = run(["swift", "test"], root, env, budget, lock)
            (logs / f"{name.replace('/', '+')}.swift-test.log").write_text(output)
            row["swift_test_status"] = status
            row["swift_test_seconds"] = round(seconds, 1)
        return row
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(work / (name.replace("/", "+") + ".store"), ignore_errors=True)


def verdict_cell(row: dict) -> tuple[str, str, str, str]:
    """(builds?, crashed?, same verdicts?, all cached?) for the table."""
    if row.get("crashed"):
        return ("", "**yes**: " + row["crashed"][:120], "", "")
    if "verdicts" not in row:
        return ("", "no", "", "")
    builds = "yes" if row["built"] else "no"
    same = "yes" if not row["differ"] else "**no**: " + ", ".join(f"{t} {d}" for t, d in row["differ"].items())
    cached = "yes" if not row["uncached"] else "**no**: " + ", ".join(row["uncached"])
    return (builds, "no", same, cached)


def why_cell(row: dict) -> str:
    parts = []
    if row.get("note"):
        parts.append(row["note"])
    failing = [t for t, v in row.get("verdicts", {}).items() if v in ("FAIL", "build failed")]
    if failing:
        status = row.get("swift_test_status")
        own = "fails under `swift test` too" if status not in (0, None) else (
            "`swift test` passes: the tool's" if status == 0 else "`swift test` over the budget")
        parts.append(f"FAIL {', '.join(failing)}: {own}")
    if "swift_resolve_status" in row:
        parts.append("`swift package resolve` fails too" if row["swift_resolve_status"] not in (0, None)
                     else "`swift package resolve` succeeds: the tool's")
    if row.get("explanation") or row["package"] in EXPLAINED:
        parts.append(row.get("explanation") or EXPLAINED[row["package"]])
    return "; ".join(parts)


def render(rows: dict, commit: str, command: str) -> str:
    lines = [f"{BEGIN} (generated by Benchmarks/corpus.py; edit the script, not this) -->",
             "", f"Last run with the tool at {commit}; rows come from the tool at "
             f"{', '.join(sorted({r.get('commit', '?') for r in rows.values()}))} (each row's commit is in "
             f"Benchmarks/results/corpus.json); `{command}`. Times are the cold run's (build included), the cached run's "
             "and the `--count 1` run's wall seconds.", "",
             "| package | tag | builds | tool crashed | verdicts = `--count 1` | all cached 2nd run | targets | tests | seconds (cold / cached / count 1) | notes |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in sorted(rows, key=str.lower):
        row = rows[name]
        builds, crash, same, cached = verdict_cell(row)
        seconds = " / ".join(str(row.get(f"{s}_seconds", "")) for s in ("cold", "again", "count1")) if "cold_seconds" in row else ""
        lines.append(f"| {name} | {row.get('tag', '')} | {builds} | {crash} | {same} | {cached} | {row.get('targets', '')} | "
                     f"{row.get('tests', '')} | {seconds} | {why_cell(row)} |")
    tested = [r for r in rows.values() if "verdicts" in r or r.get("crashed")]
    lines += ["", f"{len(rows)} packages tried, {len(tested)} with test targets run through; tool crashes: "
              f"{sum(1 for r in rows.values() if r.get('crashed'))}; verdicts differing from `--count 1`: "
              f"{sum(1 for r in tested if r.get('differ'))}; not all cached on the second run: "
              f"{sum(1 for r in tested if r.get('uncached'))}.", "", END]
    return "\n".join(lines)


def write_table(rows: dict, commit: str, command: str) -> None:
    text = BENCHMARKS_MD.read_text()
    table = render(rows, commit, command)
    if BEGIN in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + table + text[end:]
    else:
        text += "\n## Every mirrored package (issue 34)\n\n" + table + "\n"
    BENCHMARKS_MD.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", type=Path, default=REPO / ".build" / "release" / "swift-testcache")
    parser.add_argument("--packages", nargs="*", help="owner/name of the packages to run (default: every one not yet done)")
    parser.add_argument("--again", action="store_true", help="run packages that already have a row")
    parser.add_argument("--budget", type=float, default=1200, help="seconds per package, all its commands together")
    parser.add_argument("--work", type=Path, default=Path("/tmp/corpus"))
    parser.add_argument("--lock", type=Path, default=Path("/tmp/swift-testcache-build.lock"))
    parser.add_argument("--keep", action="store_true", help="keep each clone and its store")
    parser.add_argument("--table-only", action="store_true", help="rewrite BENCHMARKS.md's table from the results")
    arguments = parser.parse_args()

    listed = [line.split() for line in LIST.read_text().splitlines() if line.strip() and not line.startswith("#")]
    tags = {name: tag for name, tag in listed}
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    commit = rows.pop("_commit", "")
    command = "python3 Benchmarks/corpus.py --tool <release build>"
    if not arguments.table_only:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        wanted = arguments.packages or [name for name, _ in listed]
        arguments.work.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            if name not in tags:
                print(f"corpus.py: {name} is not in {LIST.name}", file=sys.stderr)
                return 2
            if name in rows and not arguments.again:
                continue
            print(f"== {name} {tags[name]}", flush=True)
            row = measure(name, tags[name], arguments.tool.resolve(), arguments.work, arguments.budget, arguments.lock, arguments.keep)
            row["commit"] = commit
            print("   " + json.dumps(row), flush=True)
            rows[name] = row
            RESULTS.write_text(json.dumps({"_commit": commit, **rows}, indent=1, sort_keys=True) + "\n")
    write_table(rows, commit, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
