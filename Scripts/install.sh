#!/usr/bin/env bash
# Installs swift-testcache and its read tracer (libTestCacheTrace.so, which it looks for beside its own
# executable) in PREFIX/bin, and links swift-testcache beside the toolchain's swift, where `swift testcache`
# looks for it (the swift driver looks for `swift-NAME` only in its own directory, not on PATH).
#
#   Scripts/install.sh [--prefix DIR] [--from DIR] [--no-toolchain-link]
#
#   --prefix DIR          where bin/ goes (default: ~/.local)
#   --from DIR            take the built products from DIR instead of building them (swift build -c release)
#   --no-toolchain-link   do not link swift-testcache beside the toolchain's swift (`swift testcache` then
#                         does not work; `swift-testcache` on PATH does)
set -euo pipefail
prefix="$HOME/.local"
from=""
link=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --from) from="$2"; shift 2 ;;
        --no-toolchain-link) link=0; shift ;;
        *) echo "install.sh: unknown argument '$1' (see the comment at the top of this script)" >&2; exit 2 ;;
    esac
done
repository="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$from" ]; then
    swift build -c release --package-path "$repository" >&2
    from="$repository/.build/release"
fi
for product in swift-testcache libTestCacheTrace.so; do
    if [ ! -f "$from/$product" ]; then echo "install.sh: $from/$product is missing; build it first" >&2; exit 1; fi
done
mkdir -p "$prefix/bin"
# Copied to a temporary name and renamed, so that a running swift-testcache is never overwritten in place.
for product in swift-testcache libTestCacheTrace.so; do
    cp "$from/$product" "$prefix/bin/.$product.new"
    mv -f "$prefix/bin/.$product.new" "$prefix/bin/$product"
done
echo "installed $prefix/bin/swift-testcache and $prefix/bin/libTestCacheTrace.so"
if [ "$link" = 1 ]; then
    swift="$(command -v swift || true)"
    if [ -z "$swift" ]; then echo "install.sh: no swift on PATH: not linked beside the toolchain" >&2; exit 0; fi
    toolchain="$(dirname "$(readlink -f "$swift")")"
    if ln -sfn "$prefix/bin/swift-testcache" "$toolchain/swift-testcache" 2>/dev/null; then
        echo "linked $toolchain/swift-testcache: \`swift testcache\` works"
    else
        echo "install.sh: cannot write to $toolchain: run 'ln -s $prefix/bin/swift-testcache $toolchain/' as its owner for \`swift testcache\`" >&2
    fi
fi
