#!/bin/bash
# The edit loop: the tool's wall and CPU time for `test` after a one-line edit whose build is already
# done, old tool beside new, for a library edit and a test edit; then `swift build && swift test` after
# the same library edit.
#
# Usage: PKG=console-kit|swift-argument-parser CLONE=<clone at the tag> OLD=<old tool> NEW=<new tool> Benchmarks/editloop.sh
# Each tool gets a store of its own, filled by one run before the edits. Edit n (0, 1, 2) changes a
# constant or adds an assertion that holds, so every test still passes and each edit makes new objects.
PKG=${PKG:-console-kit}
OLD=${OLD:-/tmp/corpus-tool/swift-testcache}; NEW=${NEW:-/tmp/new-tool/swift-testcache}
case $PKG in
console-kit)
  CLONE=${CLONE:-/tmp/w/console-kit}
  LIB=Sources/ConsoleKitCommands/Base/CommandError.swift
  LIB_FROM='return inputL == inputR\n'; LIB_TO='return inputL == inputR \&\& inputL.count >= N - 1_000_000\n'
  TEST=Tests/ConsoleKitTests/CommandErrorTests.swift
  TEST_FROM='let console = TestConsole()\n'; TEST_TO='let console = TestConsole(); XCTAssertGreaterThan(1_000_000 + N, 0)\n' ;;
swift-argument-parser)
  CLONE=${CLONE:-/tmp/w/sap}
  LIB=Sources/ArgumentParser/Utilities/StringExtensions.swift
  LIB_FROM='if rows <= 0 || columns <= 0 {'; LIB_TO='if rows <= 0 || columns <= 0 || rows > 1_000_000 + N {'
  TEST=Tests/ArgumentParserUnitTests/StringEditDistanceTests.swift
  TEST_FROM='XCTAssertEqual("".editDistance(to: ""), 0)\n'; TEST_TO='XCTAssertEqual("".editDistance(to: ""), 0); XCTAssertGreaterThan(1_000_000 + N, 0)\n' ;;
*) echo "editloop.sh: unknown PKG $PKG" >&2; exit 2 ;;
esac
cd "$CLONE" || exit 1
git checkout -q -- .
# edit FILE FROM TO N: the first FROM in FILE replaced by TO with N for N.
edit() { FILE="$1" FROM="$2" TO="$3" N="$4" python3 -c "
import os
p, f, t, n = (os.environ[k] for k in ('FILE', 'FROM', 'TO', 'N'))
f, t = (x.replace('\\\\n', '\n').replace('\\\\&', '&') for x in (f, t))
s = open(p).read()
assert f in s, (p, f)
open(p, 'w').write(s.replace(f, t.replace('N', n) if 'N' in t else t, 1))"; }
for name in old new; do
  tool=$OLD; [ $name = new ] && tool=$NEW
  export SWIFT_TESTCACHE_DIR=/tmp/w/store-loop-$PKG-$name; rm -rf "$SWIFT_TESTCACHE_DIR"
  git checkout -q -- .; swift build --build-tests > /dev/null 2>&1; $tool > /dev/null 2>&1
  for kind in library test; do
    for n in 0 1 2; do
      git checkout -q -- .
      if [ $kind = library ]; then edit "$LIB" "$LIB_FROM" "$LIB_TO" $n; else edit "$TEST" "$TEST_FROM" "$TEST_TO" $n; fi
      swift build --build-tests > /dev/null 2>&1
      /usr/bin/time -f "$name $kind edit $n: %e s wall %U user %S sys" $tool > /tmp/editloop.out 2> /tmp/editloop.err
      tail -1 /tmp/editloop.err | tr '\n' ' '; grep -v "(cached)$" /tmp/editloop.out | cut -f2- | tr '\t\n' ' ;'; echo
    done
  done
done
git checkout -q -- .; edit "$LIB" "$LIB_FROM" "$LIB_TO" 5
/usr/bin/time -f "swift build && swift test: %e s wall %U user %S sys" bash -c "swift build --build-tests > /dev/null 2>&1 && swift test --skip-build > /dev/null 2>&1" 2>&1 | tail -1
git checkout -q -- .
