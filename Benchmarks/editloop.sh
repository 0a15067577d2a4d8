#!/bin/bash
# Usage: CLONE=console-kit-4.16.2-clone OLD=old-tool NEW=new-tool Benchmarks/editloop.sh
# One-line library edit on console-kit: the tool's wall and CPU after the build is done, old tool vs new, beside swift build && swift test.
CLONE=${CLONE:-/tmp/w/console-kit}; OLD=${OLD:-/tmp/corpus-tool/swift-testcache}; NEW=${NEW:-/tmp/new-tool/swift-testcache}
cd "$CLONE" || exit 1
git checkout -q -- .
F=Sources/ConsoleKitCommands/Base/CommandError.swift
edit() { python3 -c "
import sys;p='$F';s=open(p).read();s=s.replace('return inputL == inputR\n','return inputL == inputR && inputL.count >= $1\n',1) if '$1'!='x' else s;open(p,'w').write(s)"; }
for name in old new; do
  tool=$OLD; [ $name = new ] && tool=$NEW
  export SWIFT_TESTCACHE_DIR=/tmp/w/store-loop-$name; rm -rf $SWIFT_TESTCACHE_DIR
  git checkout -q -- .; $tool > /dev/null 2>&1
  for n in 0 1 2; do
    git checkout -q -- .; edit $n
    swift build --build-tests > /dev/null 2>&1
    /usr/bin/time -f "$name edit$n: %e s wall %U user %S sys" $tool 2>&1 | grep -E "wall|cached\)|tests cached" | tr '\n' ' '; echo
  done
done
git checkout -q -- .; edit 5
/usr/bin/time -f "swift build && swift test: %e s wall %U user %S sys" bash -c "swift build --build-tests > /dev/null 2>&1 && swift test --skip-build > /dev/null 2>&1" 2>&1 | tail -1
git checkout -q -- .
