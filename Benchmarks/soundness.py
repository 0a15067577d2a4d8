#!/usr/bin/env python3
"""Soundness benchmark: small mutations of real packages, each run through the cache and audited.

For each package (mirrored here, cloned at a fixed version), the driver makes one cold run to fill a
store, then applies mutations one at a time: an operator swapped, a constant changed, a trailing
comment added to a code line, a test data file changed. After each it runs swift-testcache as a user
would, and then with --verify, which runs every target the cache replayed and reports a replayed pass
whose fresh run fails (an unsound hit). The mutation is then undone.

Two numbers come out (BENCHMARKS.md, between the soundness markers):
- unsound hits: replayed passes that a fresh run fails (goal: 0);
- of the targets a mutation cannot reach (the mutated file's target is outside the test target's
  dependency closure, or the mutation is a comment), the share that stayed cached (goal: 99% or more).

    python3 Benchmarks/soundness.py                      # every package, 50 mutations each
    python3 Benchmarks/soundness.py --packages swift-tagged --mutations 5
    python3 Benchmarks/soundness.py --untraced           # a copy of the tool with no read tracer beside it

Besides the package's own files, a share of the mutations edits a dependency's checkout in place
(`.build/checkouts/<dep>/Sources/...`, an operator or a constant), as people do while debugging one.
With --untraced the tool runs as a release build made with `--product swift-testcache`, and as macOS
always runs: nothing traces what tests read, so data files are mutated more often (--data-share).
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "Benchmarks" / "results" / "soundness.json"
UNTRACED_RESULTS = REPO / "Benchmarks" / "results" / "soundness-untraced.json"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- soundness:begin", "<!-- soundness:end -->"
UNTRACED_BEGIN, UNTRACED_END = "<!-- soundness-untraced:begin", "<!-- soundness-untraced:end -->"

# Packages nobody here wrote, mirrored on this kind of machine: (clone URL, tag).
PACKAGES = {
    "swift-tagged": ("https://github.com/pointfreeco/swift-tagged", "0.10.0"),
    "swift-distributed-tracing": ("https://github.com/apple/swift-distributed-tracing", "1.7.3"),
    "console-kit": ("https://github.com/vapor/console-kit", "4.16.2"),
    "swift-argument-parser": ("https://github.com/apple/swift-argument-parser", "1.8.2"),
}

# Binary operators swapped by an operator mutation, each for one that means something else.
OPERATORS = [(" + ", " - "), (" - ", " + "), (" == ", " != "), (" != ", " == "), (" < ", " >= "), (" > ", " <= "),
             (" <= ", " > "), (" >= ", " < "), (" && ", " || "), (" || ", " && ")]
# `ok  \tName\t0.1s`, `ok  \tName\t(cached)`, `FAIL\tName\t0.1s`, `FAIL\tName [build failed]`.
SUMMARY = re.compile(r"^(ok  |FAIL|\?   )\t(\S+)(?:[\t ](.*))?$")


@dataclass
class Mutation:
    kind: str          # operator, constant, comment, data, dependency
    path: str          # relative to the package root
    line: int          # 1-based
    before: str
    after: str


@dataclass
class Outcome:
    package: str
    mutation: Mutation
    lines: dict = field(default_factory=dict)       # target -> "cached" | "ran" | "failed"
    unreachable: list = field(default_factory=list)  # targets the mutation cannot reach
    unsound: list = field(default_factory=list)      # targets --verify found an unsound hit for
    seconds: float = 0.0


def run(cmd, cwd, env, check=True):
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"soundness.py: {' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def summaries(output: str) -> dict:
    """Target -> cached, ran or failed, from swift-testcache's summary lines."""
    lines = {}
    for line in output.splitlines():
        match = SUMMARY.match(line)
        if not match:
            continue
        status, name, rest = match.group(1), match.group(2), match.group(3) or ""
        if status.startswith("FAIL"):
            lines[name] = "failed"
        elif "(cached)" in rest:
            lines[name] = "cached"
        else:
            lines[name] = "ran"
    return lines


def model(root: Path, env) -> tuple[dict, dict]:
    """Each target's path, and each test target's dependency closure (target names), from SwiftPM."""
    described = json.loads(run(["swift", "package", "describe", "--type", "json"], root, env).stdout)
    targets = {t["name"]: t for t in described["targets"]}
    def closure(name):
        seen, pending = set(), [name]
        while pending:
            current = pending.pop()
            if current in seen or current not in targets:
                continue
            seen.add(current)
            pending += targets[current].get("target_dependencies", [])
        return seen
    paths = {name: t["path"] for name, t in targets.items()}
    closures = {name: closure(name) for name, t in targets.items() if t.get("type") == "test"}
    return paths, closures


def candidates(root: Path, rng: random.Random, count: int, data_share: float) -> list[Mutation]:
    """`count` mutations of the package's Swift sources and test data and of its dependencies' checked-out
    sources, spread over the kinds."""
    swift_files, data_files = [], []
    for top in ("Sources", "Tests"):
        for path in sorted((root / top).rglob("*")):
            if not path.is_file() or ".build" in path.parts:
                continue
            (swift_files if path.suffix == ".swift" else data_files).append(path)
    dependency_files = sorted(p for p in (root / ".build" / "checkouts").glob("*/Sources/**/*.swift") if p.is_file())
    by_kind = {"operator": [], "constant": [], "comment": [], "data": [], "dependency": []}
    for path in dependency_files:
        relative = str(path.relative_to(root))
        for index, text in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n")):
            stripped = text.strip()
            if not stripped or stripped.startswith(("//", "#", "@", "import ", "*", "/*")) or '"' in stripped:
                continue
            code = text.split("//")[0]
            for old, new in OPERATORS:
                if old in code:
                    by_kind["dependency"].append(Mutation("dependency", relative, index + 1, text, text.replace(old, new, 1)))
                    break
    for path in swift_files:
        relative = str(path.relative_to(root))
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        in_block = in_string = False
        for index, text in enumerate(lines):
            stripped = text.strip()
            if stripped.count('"""') % 2 == 1:
                in_string = not in_string
                continue
            if in_string:
                continue
            if "/*" in stripped:
                in_block = True
            if in_block:
                in_block = "*/" not in stripped
                continue
            if not stripped or stripped.startswith(("//", "#", "@", "import ")) or '"""' in stripped:
                continue
            code = text.split("//")[0]
            for old, new in OPERATORS:
                if old in code:
                    by_kind["operator"].append(Mutation("operator", relative, index + 1, text, text.replace(old, new, 1)))
                    break
            number = re.search(r"(?<![\w.])(\d+)(?![\w.])", code)
            if number:
                value = number.group(1)
                after = code[:number.start()] + str(int(value) + 1) + code[number.end():] + text[len(code):]
                by_kind["constant"].append(Mutation("constant", relative, index + 1, text, after))
            string = re.search(r'"([A-Za-z][^"\\]{0,40})"', code)
            if string and not number:
                after = text[:string.end() - 1] + "!" + text[string.end() - 1:]
                by_kind["constant"].append(Mutation("constant", relative, index + 1, text, after))
            # A comment added inside a multi-line string would be text, not a comment: files with one are
            # left out, since telling where such a string ends takes a Swift parser (interpolations nest).
            if "//" not in text and not stripped.endswith("\\") and '"""' not in "\n".join(lines):
                by_kind["comment"].append(Mutation("comment", relative, index + 1, text, text + "  // a comment added by the mutation"))
    for path in data_files:
        relative = str(path.relative_to(root))
        try:
            # Text files only: a binary file (an image) read with replacements would not be put back as it was.
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "\n" in text:
            first = text.split("\n")[0]
            by_kind["data"].append(Mutation("data", relative, 1, first, first + " changed"))
    code_share = (1 - data_share - 0.1) / 3
    weights = {"operator": code_share, "constant": code_share, "comment": code_share, "data": data_share, "dependency": 0.1}
    chosen = []
    for kind, weight in weights.items():
        pool = by_kind[kind]
        rng.shuffle(pool)
        chosen += pool[:round(count * weight)]
    rng.shuffle(chosen)
    # Fill up from what is left when a kind has too few candidates (few packages ship test data).
    rest = [m for kind in by_kind.values() for m in kind if m not in chosen]
    rng.shuffle(rest)
    return (chosen + rest)[:count]


def apply(root: Path, mutation: Mutation, undo: bool = False) -> None:
    path = root / mutation.path
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    want, put = (mutation.after, mutation.before) if undo else (mutation.before, mutation.after)
    assert lines[mutation.line - 1] == want, f"{mutation.path}:{mutation.line} is not as expected"
    lines[mutation.line - 1] = put
    path.write_text("\n".join(lines), encoding="utf-8")


def owner(path: str, paths: dict) -> str | None:
    """The target whose directory holds `path`."""
    best = None
    for name, directory in paths.items():
        if path.startswith(directory.rstrip("/") + "/") and (best is None or len(directory) > len(paths[best])):
            best = name
    return best


def measure(name: str, args, tool: Path, env) -> list[Outcome]:
    url, tag = PACKAGES[name]
    work = Path(args.work_dir) / name
    root, store = work / "package", work / "store"
    if root.exists():
        shutil.rmtree(root)
    shutil.rmtree(store, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    run(["git", "clone", "--quiet", "--branch", tag, url, str(root)], work, env)
    ours = dict(env, SWIFT_TESTCACHE_DIR=str(store))
    # A mutation can make a test loop for ever: stopped after this long, it fails, which is a fair outcome.
    timeout = ["--timeout", "60s"]
    print(f"[{time.strftime('%H:%M:%S')}] {name}: cold run", flush=True)
    cold = run([str(tool), "--package-path", str(root)] + timeout, root, ours, check=False)
    if cold.returncode not in (0, 1):
        sys.exit(f"soundness.py: the cold run of {name} failed:\n{cold.stdout[-3000:]}{cold.stderr[-3000:]}")
    baseline = summaries(cold.stdout)
    paths, closures = model(root, env)
    rng = random.Random(f"{args.seed}-{name}")
    outcomes = []
    for index, mutation in enumerate(candidates(root, rng, args.mutations, args.data_share)):
        start = time.time()
        apply(root, mutation)
        try:
            normal = run([str(tool), "--package-path", str(root)] + timeout, root, ours, check=False)
            outcome = Outcome(name, mutation, summaries(normal.stdout))
            mutated = owner(mutation.path, paths)
            for target in outcome.lines:
                if target not in baseline or baseline[target] == "failed":
                    continue  # a target that fails unmutated says nothing of the cache
                if mutation.kind == "comment" or (mutation.kind not in ("data", "dependency") and mutated is not None
                                                  and mutated not in closures.get(target, {mutated})):
                    outcome.unreachable.append(target)
            if "cached" in outcome.lines.values():
                verify = run([str(tool), "--package-path", str(root), "--verify"] + timeout, root, ours, check=False)
                outcome.unsound = re.findall(r"verify: (\S+): unsound hit", verify.stderr)
        finally:
            apply(root, mutation, undo=True)
        outcome.seconds = time.time() - start
        stayed = sum(outcome.lines.get(t) == "cached" for t in outcome.unreachable)
        print(f"[{time.strftime('%H:%M:%S')}] {name} {index + 1:3}/{args.mutations} {mutation.kind:8} "
              f"{mutation.path}:{mutation.line}  ran {sum(v != 'cached' for v in outcome.lines.values())}, "
              f"unreachable cached {stayed}/{len(outcome.unreachable)}, unsound {outcome.unsound or 0}  "
              f"({outcome.seconds:.1f} s)", flush=True)
        outcomes.append(outcome)
    return outcomes


def render(outcomes: list[dict], commit: str, command: str, begin: str, end: str) -> str:
    rows, totals = [], {"mutations": 0, "unsound": 0, "unreachable": 0, "stayed": 0}
    for package in PACKAGES:
        mine = [o for o in outcomes if o["package"] == package]
        if not mine:
            continue
        unreachable = sum(len(o["unreachable"]) for o in mine)
        stayed = sum(sum(o["lines"].get(t) == "cached" for t in o["unreachable"]) for o in mine)
        unsound = sum(len(o["unsound"]) for o in mine)
        kinds = {}
        for o in mine:
            kinds[o["mutation"]["kind"]] = kinds.get(o["mutation"]["kind"], 0) + 1
        reran = [f"`{o['mutation']['path']}:{o['mutation']['line']}` {o['mutation']['kind']}: "
                 + ", ".join(t for t in o["unreachable"] if o["lines"].get(t) != "cached")
                 for o in mine if any(o["lines"].get(t) != "cached" for t in o["unreachable"])]
        share = f"{100 * stayed / unreachable:.1f}%" if unreachable else "—"
        rows.append(f"| {package} {PACKAGES[package][1]} | {len(mine)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
                    f"| {unsound} | {stayed} of {unreachable} ({share}) | {'; '.join(reran[:4]) or 'none'} |")
        totals["mutations"] += len(mine)
        totals["unsound"] += unsound
        totals["unreachable"] += unreachable
        totals["stayed"] += stayed
    share = f"{100 * totals['stayed'] / totals['unreachable']:.1f}%" if totals["unreachable"] else "—"
    return "\n".join([
        f"{begin} (generated by Benchmarks/soundness.py; edit the script, not this) -->",
        "",
        f"At {commit}, `{command}`. Each mutation is applied alone, run as a user would, then with `--verify`, then undone.",
        "",
        "| package | mutations | unsound hits | unreachable targets that stayed cached | unreachable targets that ran (first few) |",
        "|---|---|---|---|---|",
        *rows,
        f"| **all** | {totals['mutations']} | **{totals['unsound']}** | **{totals['stayed']} of {totals['unreachable']} ({share})** | |",
        "",
        end,
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", default=",".join(PACKAGES))
    parser.add_argument("--mutations", type=int, default=50, help="per package (default 50)")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--tool", default=str(REPO / ".build" / "release" / "swift-testcache"))
    parser.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "swift-testcache-soundness"))
    parser.add_argument("--untraced", action="store_true", help="run a copy of the tool with no read tracer beside it")
    parser.add_argument("--data-share", type=float, default=None, help="share of data-file mutations (0.1; 0.3 untraced)")
    args = parser.parse_args()
    if args.data_share is None:
        args.data_share = 0.3 if args.untraced else 0.1
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWIFT_TESTCACHE_")}
    tool = Path(args.tool).resolve()
    if not tool.exists():
        sys.exit(f"soundness.py: {tool} is missing: build it with `swift build -c release` (or pass --tool)")
    if args.untraced:
        alone = Path(tempfile.mkdtemp(prefix="swift-testcache-untraced-")) / tool.name
        shutil.copy2(tool, alone)
        tool = alone
    outcomes = []
    for name in args.packages.split(","):
        outcomes += [asdict(o) for o in measure(name, args, tool, env)]
    results = UNTRACED_RESULTS if args.untraced else RESULTS
    begin, end = (UNTRACED_BEGIN, UNTRACED_END) if args.untraced else (BEGIN, END)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(outcomes, indent=1) + "\n")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    command = "python3 Benchmarks/soundness.py " + " ".join(sys.argv[1:])
    table = render(outcomes, commit, command.strip(), begin, end)
    text = BENCHMARKS_MD.read_text()
    if begin in text and end in text:
        text = text[:text.index(begin)] + table + text[text.index(end) + len(end):]
    else:
        text += "\n## Soundness on real packages" + (" without the read tracer" if args.untraced else "") + "\n\n" + table + "\n"
    BENCHMARKS_MD.write_text(text)
    print(table)


if __name__ == "__main__":
    main()
