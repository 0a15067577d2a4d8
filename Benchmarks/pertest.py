#!/usr/bin/env python3
"""Results per test on real packages: how many tests a small edit reruns, and whether any replay is unsound.

For each package (cloned at a fixed version), one cold run fills a store; then each mutation of
soundness.py's kinds (an operator swapped, a constant changed, a comment added, a test data file or a
dependency's source changed, in Sources and in Tests) is applied alone, run as a user would with
`--json`, then with `--verify` (which runs every test the cache replayed and reports a replayed pass
whose fresh run fails: an unsound hit), and undone.

Per edit it records, for the targets that did not replay whole (the ones whole-target caching reruns):
- the tests whole-target caching would have run (every test of those targets);
- the tests that ran (the others were replayed one by one);
- the test time saved, estimated: the cold run's wall time of each target, times the share of that
  target's summed test durations the replayed tests took (Swift Testing runs a target's tests in
  parallel, so their durations overlap, and their sum overstates the time a target takes).

    python3 Benchmarks/pertest.py                                   # every package, 40 mutations each
    python3 Benchmarks/pertest.py --packages swift-tagged --mutations 5

Results: Benchmarks/results/pertest.json and BENCHMARKS.md between the per-test markers.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import soundness  # noqa: E402  (the mutations and the package model are soundness.py's)

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "Benchmarks" / "results" / "pertest.json"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- pertest:begin", "<!-- pertest:end -->"

# Packages nobody here wrote, with tests in one or two big targets: (clone URL, tag).
PACKAGES = {
    "swift-tagged": ("https://github.com/pointfreeco/swift-tagged", "0.10.0"),
    "console-kit": ("https://github.com/vapor/console-kit", "4.16.2"),
    "swift-log": ("https://github.com/apple/swift-log", "1.16.2"),
    "SwiftCSV": ("https://github.com/swiftcsv/SwiftCSV", "0.10.0"),
    "routing-kit": ("https://github.com/vapor/routing-kit", "4.9.3"),
    "swift-argument-parser": ("https://github.com/apple/swift-argument-parser", "1.8.2"),
}
CACHED_TEST = re.compile(r"^--- (PASS|SKIP): (.+) \(cached\)$")


def read_events(output: str) -> dict:
    """Per target: its tests (leaf IDs) with their elapsed time, the ones replayed, and whether the
    target was replayed whole, from the tool's `--json` stream."""
    targets = {}
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        package = event.get("Package")
        if not package:
            continue
        target = targets.setdefault(package, {"tests": {}, "replayed": set(), "whole": False, "failed": False, "elapsed": 0.0})
        test, action = event.get("Test"), event.get("Action")
        if action == "output":
            text = event.get("Output", "").rstrip("\n")
            match = CACHED_TEST.match(text)
            if match:
                target["replayed"].add(match.group(2))
            if test is None and re.match(r"^ok  \t\S+\t\(cached\)", text):
                target["whole"] = True
        elif test and action in ("pass", "fail", "skip"):
            target["tests"][test] = float(event.get("Elapsed") or 0)
        elif test is None and action in ("pass", "fail"):
            target["failed"] = action == "fail"
            target["elapsed"] = float(event.get("Elapsed") or 0)
    for target in targets.values():
        ids = list(target["tests"])
        # A suite's ID is the prefix of its tests' (`Module.Suite/test`): only leaves are tests.
        leaves = {i for i in ids if not any(other != i and other.startswith(i + "/") for other in ids)}
        target["tests"] = {i: target["tests"][i] for i in leaves}
        target["replayed"] &= leaves
    return targets


def measure(name: str, args, tool: Path, env) -> list[dict]:
    url, tag = PACKAGES[name]
    work = Path(args.work_dir) / name
    root, store = work / "package", work / "store"
    if root.exists():
        shutil.rmtree(root)
    shutil.rmtree(store, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    soundness.run(["git", "clone", "--quiet", "--branch", tag, url, str(root)], work, env)
    ours = dict(env, SWIFT_TESTCACHE_DIR=str(store))
    # A mutation can make a test loop for ever: stopped after this long, it fails, which is a fair outcome.
    timeout = ["--timeout", "60s"]
    print(f"[{time.strftime('%H:%M:%S')}] {name}: cold run", flush=True)
    cold = soundness.run([str(tool), "--package-path", str(root), "--json"] + timeout, root, ours, check=False)
    if cold.returncode not in (0, 1):
        sys.exit(f"pertest.py: the cold run of {name} failed:\n{cold.stdout[-3000:]}{cold.stderr[-3000:]}")
    baseline = read_events(cold.stdout)
    rng = soundness.random.Random(f"{args.seed}-{name}")
    outcomes = []
    for index, mutation in enumerate(soundness.candidates(root, rng, args.mutations, args.data_share)):
        start = time.time()
        soundness.apply(root, mutation)
        try:
            normal = soundness.run([str(tool), "--package-path", str(root), "--json"] + timeout, root, ours, check=False)
            targets = read_events(normal.stdout)
            # A mutation that does not compile reruns nothing: it is left out of the counts.
            built = normal.returncode in (0, 1) and bool(targets) and "[build failed]" not in normal.stdout
            unsound = []
            if built and any(t["replayed"] for t in targets.values()):
                verify = soundness.run([str(tool), "--package-path", str(root), "--verify"] + timeout, root, ours, check=False)
                unsound = re.findall(r"verify: (\S+): unsound hit: (\S+)?", verify.stderr)
        finally:
            soundness.apply(root, mutation, undo=True)
        whole, ran, saved = 0, 0, 0.0
        for target_name, target in (targets if built else {}).items():
            if target["whole"]:
                continue
            # A test that crashed or hung reports nothing: the cold run's list counts it.
            tests = set(target["tests"]) | set(baseline.get(target_name, {}).get("tests", {}))
            whole += len(tests)
            ran += len(tests - target["replayed"])
            cold = baseline.get(target_name, {})
            summed = sum(cold.get("tests", {}).values())
            if summed > 0:
                saved += cold.get("elapsed", 0) * sum(cold["tests"].get(t, 0) for t in target["replayed"]) / summed
        outcome = {
            "package": name, "mutation": soundness.asdict(mutation), "built": bool(built), "whole": whole, "ran": ran,
            "saved": round(saved, 4), "unsound": [list(u) for u in unsound], "seconds": round(time.time() - start, 1),
        }
        outcomes.append(outcome)
        print(f"[{time.strftime('%H:%M:%S')}] {name} {index + 1:3}/{args.mutations} {mutation.kind:10} "
              f"{mutation.path}:{mutation.line}  ran {ran} of {whole} tests whole-target caching runs, "
              f"saved {saved:.3f} s, unsound {len(unsound)}  ({outcome['seconds']} s)", flush=True)
    return outcomes


def render(outcomes: list[dict], commit: str, command: str) -> str:
    rows = []
    def summary(mine):
        code = [o for o in mine if o["built"] and o["whole"] > 0 and o["mutation"]["kind"] in ("operator", "constant", "dependency")]
        shares = [o["ran"] / o["whole"] for o in code]
        median = f"{100 * statistics.median(shares):.0f}%" if shares else "—"
        library = [o["ran"] / o["whole"] for o in code if o["mutation"]["path"].startswith("Sources/")]
        median += f" ({100 * statistics.median(library):.0f}% of {len(library)} in Sources/)" if library else ""
        ran, whole = sum(o["ran"] for o in mine), sum(o["whole"] for o in mine)
        saved = sum(o["saved"] for o in mine)
        unsound = sum(len(o["unsound"]) for o in mine)
        return len(mine), unsound, median, len(code), ran, whole, saved
    for package in PACKAGES:
        mine = [o for o in outcomes if o["package"] == package]
        if not mine:
            continue
        count, unsound, median, code, ran, whole, saved = summary(mine)
        kinds = {}
        for o in mine:
            kinds[o["mutation"]["kind"]] = kinds.get(o["mutation"]["kind"], 0) + 1
        rows.append(f"| {package} {PACKAGES[package][1]} | {count} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
                    f"| {unsound} | {median} of {code} | {ran} of {whole} | {saved:.2f} s |")
    count, unsound, median, code, ran, whole, saved = summary(outcomes)
    return "\n".join([
        f"{BEGIN} (generated by Benchmarks/pertest.py; edit the script, not this) -->",
        "",
        f"At {commit}, `{command}`. Each mutation is applied alone, run with `--json`, then with `--verify`, then undone.",
        "\"Median share\" is, over the code edits that built and missed some target (operators, constants,",
        "dependencies' sources), the median of tests run ÷ tests whole-target caching runs (the tests of every",
        "target not replayed whole); in brackets, the same over the edits of library code (`Sources/`). \"Saved\"",
        "is each target's cold wall time times the share of its summed test durations the replayed tests took.",
        "",
        "| package | mutations | unsound hits | median share of a code edit | tests run of whole-target's | test time saved |",
        "|---|---|---|---|---|---|",
        *rows,
        f"| **all** | {count} | **{unsound}** | **{median} of {code}** | {ran} of {whole} | {saved:.2f} s |",
        "",
        END,
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", default=",".join(list(PACKAGES)[:5]))
    parser.add_argument("--mutations", type=int, default=40, help="per package (default 40)")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--tool", default=str(REPO / ".build" / "release" / "swift-testcache"))
    parser.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "swift-testcache-pertest"))
    parser.add_argument("--data-share", type=float, default=0.1)
    parser.add_argument("--render-only", action="store_true", help="write BENCHMARKS.md from the last results file")
    args = parser.parse_args()
    if args.render_only:
        write(json.loads(RESULTS.read_text()), ("python3 Benchmarks/pertest.py " + " ".join(a for a in sys.argv[1:] if a != "--render-only")).strip())
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWIFT_TESTCACHE_")}
    tool = Path(args.tool).resolve()
    if not tool.exists():
        sys.exit(f"pertest.py: {tool} is missing: build it with `swift build -c release` (or pass --tool)")
    outcomes = []
    for name in args.packages.split(","):
        outcomes += measure(name, args, tool, env)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(outcomes, indent=1) + "\n")
    write(outcomes, ("python3 Benchmarks/pertest.py " + " ".join(sys.argv[1:])).strip())


def write(outcomes: list[dict], command: str) -> None:
    """Puts the table of `outcomes` into BENCHMARKS.md, at the commit checked out."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    table = render(outcomes, commit, command)
    text = BENCHMARKS_MD.read_text()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + table + text[text.index(END) + len(END):]
    else:
        text += "\n## Results per test on real packages\n\n" + table + "\n"
    BENCHMARKS_MD.write_text(text)
    print(table)


if __name__ == "__main__":
    main()
