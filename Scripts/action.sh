#!/usr/bin/env bash
# The steps of this repository's GitHub Action (action.yml), as plain commands that run anywhere:
#
#   Scripts/action.sh key       the tool's cache key (toolchain, platform, this repository's sources) → $GITHUB_OUTPUT
#   Scripts/action.sh install   build (unless the cache restored it) and install the tool in $TOOL_PREFIX,
#                               link it beside the toolchain's swift, and put it on $GITHUB_PATH
#   Scripts/action.sh test      swift-testcache test $OPTIONS in $PACKAGE_PATH, with the store in $SWIFT_TESTCACHE_DIR
#
# TOOL_PREFIX defaults to ~/.swift-testcache-tool; SWIFT_TESTCACHE_FROM names already built products
# (the tests use the debug build, to skip a release build).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${TOOL_PREFIX:-$HOME/.swift-testcache-tool}"
case "${1:-}" in
    key)
        toolchain="$(swift --version 2>&1 | sha256sum | cut -c1-16)"
        sources="$(cd "$here" && find Package.swift Sources -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
        echo "key=swift-testcache-tool-$(uname -s)-$(uname -m)-$toolchain-$sources" >> "${GITHUB_OUTPUT:-/dev/stdout}"
        ;;
    install)
        if [ -x "$prefix/bin/swift-testcache" ] && [ -f "$prefix/bin/libTestCacheTrace.so" ]; then
            # Restored by the cache: only the link beside this job's toolchain is made again.
            "$here/Scripts/install.sh" --prefix "$prefix" --from "$prefix/bin"
        else
            "$here/Scripts/install.sh" --prefix "$prefix" ${SWIFT_TESTCACHE_FROM:+--from "$SWIFT_TESTCACHE_FROM"}
        fi
        echo "$prefix/bin" >> "${GITHUB_PATH:-/dev/null}"
        ;;
    test)
        cd "${PACKAGE_PATH:-.}"
        # The store actions/cache keeps; an empty remote-cache input is none.
        export SWIFT_TESTCACHE_DIR="${SWIFT_TESTCACHE_DIR:-$HOME/.cache/swift-testcache}"
        if [ -z "${SWIFT_TESTCACHE_REMOTE_CACHE:-}" ]; then unset SWIFT_TESTCACHE_REMOTE_CACHE; fi
        # Options split at spaces, as a workflow's one-line input is written.
        # shellcheck disable=SC2086
        exec "$prefix/bin/swift-testcache" test ${OPTIONS:-}
        ;;
    *)
        echo "action.sh: expected key, install or test (see the comment at the top of this script)" >&2
        exit 2
        ;;
esac
