#!/usr/bin/env bash
# The whole test suite: restore, build with warnings as errors, run every test project, print each runner's closing
# line and a total. Exits non-zero when anything fails. Tests start (and stop) their own redis-server and embedded
# Kafka; set KAFKA_BOOTSTRAP_SERVERS to run the Kafka tests against a real cluster instead.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
require_dotnet
cd "$REPO_ROOT"

# Missing tools are not fatal: the tests that need them skip and say what was not verified.
ensure_packages redis-server:redis-server redis-cli:redis-tools kcat:kcat || true
ensure_packages node:nodejs npm:npm || true
# The web pages' browser tests drive Debian's Chromium through Playwright (its own browser download is not used).
ensure_packages chromium:chromium || true
if command -v npm >/dev/null 2>&1; then
  say "installing the npm packages of the interop tests (tests/interop/node)"
  (cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) \
    || say "npm ci failed: the kafkajs interop tests will skip and say so"
fi

started=$(date +%s)
say "restore and build ($CONFIGURATION, warnings as errors)"
dotnet restore Customer360.Streaming.sln -nologo -v quiet
dotnet build Customer360.Streaming.sln -c "$CONFIGURATION" --no-restore -nologo -v quiet -warnaserror -clp:ErrorsOnly
# The ReadyToRun publish demo.sh runs, made here once rather than inside the demo script's test. The tests themselves
# run the build above (C360_DLL is not passed to them).
build_if_needed
export -n C360_DLL

results_dir="$(mktemp -d -t c360-test-XXXXXX)"
STARTED_DIRS+=("$results_dir")
export C360_TEST_REPORT="$results_dir/report.txt"
passed=0; failed=0; skipped=0; status=0
for project in tests/*/*Tests.csproj; do
  name="$(basename "$project" .csproj)"
  log="$results_dir/$name.log"
  say "running $name"
  set +e
  dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo >"$log" 2>&1
  code=$?
  set -e
  summary="$(grep -E '^(Passed|Failed)!' "$log" | tail -n 1 || true)"
  if [ -z "$summary" ]; then
    say "$name: no test summary (exit $code); its output:"; cat "$log"; status=1; continue
  fi
  echo "  $summary"
  p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary"); f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$code" -ne 0 ] || [ "$f" -ne 0 ]; then
    status=1
    # Each failure with the lines of its message (the assertion's own text is on the line after "Error Message:").
    grep -E -A 6 '^\s+Failed |Error Message' "$log" | cut -c1-400 | head -n 80 || true
  fi
  grep -E '^\s+Skipped ' "$log" | sed 's/^/  /' || true
done

if [ -s "$C360_TEST_REPORT" ]; then
  say "what this run used and did not verify:"
  sort -u "$C360_TEST_REPORT" | sed 's/^/  /'
fi
if compgen -G "artifacts/screenshots/*.png" >/dev/null; then
  say "screenshots of the web pages from the browser tests: artifacts/screenshots/"
fi
say "suite took $(( $(date +%s) - started )) s"
echo "total: $passed passed, $failed failed, $skipped skipped"
exit "$status"
