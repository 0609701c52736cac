#!/usr/bin/env bash
# Runs the BenchmarkDotNet suites in bench/ (Release), prints the tables and copies them to bench/results/.
# Arguments go to BenchmarkDotNet, e.g. ./scripts/bench.sh --filter '*Avro*' --job short
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
require_dotnet
# The end-to-end and latency benchmarks start a redis-server beside the processor.
ensure_packages redis-server:redis-server || true
cd "$REPO_ROOT"
# The end-to-end and latency benchmarks time the c360 the other scripts run: the ReadyToRun publish.
build_if_needed
export C360_DLL
artifacts="$(mktemp -d -t c360-bench-XXXXXX)"
STARTED_DIRS+=("$artifacts")
[ $# -eq 0 ] && set -- --filter '*'
dotnet run -c Release --project bench/Customer360.Streaming.Benchmarks -- --artifacts "$artifacts" "$@"
mkdir -p bench/results
for report in "$artifacts"/results/*-report-github.md; do
  [ -e "$report" ] || continue
  name="$(basename "$report" -report-github.md)"
  cp "$report" "bench/results/${name##*.}.md"
  say "wrote bench/results/${name##*.}.md"
done
