#!/usr/bin/env bash
# State that outlives the broker's retention, at the size of issue 20's report: `c360 run` with a RocksDB state folder
# on an embedded cluster of its own, the simulator's 1,000 customers at 150 events/s for the given seconds (default
# 600), the processor SIGKILLed and restarted halfway, then a newer profile for every customer. Passes when every
# Redis context shows the newer profile on its earlier data; reports how much of the contexts changelog the broker deleted.
#   ./scripts/soak-state.sh [seconds]
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ensure_packages redis-server:redis-server
require_dotnet
cd "$REPO_ROOT"

seconds="${1:-600}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { say "seconds must be a positive whole number, got '$seconds'"; exit 2; }

say "build ($CONFIGURATION)"
dotnet build Customer360.Streaming.sln -c "$CONFIGURATION" -nologo -v quiet -warnaserror -clp:ErrorsOnly

logs="$(mktemp -d -t c360-soak-XXXXXX)"
STARTED_DIRS+=("$logs")
export C360_TEST_REPORT="$logs/report.txt"
say "soak: $seconds s of the simulator's traffic, a SIGKILL halfway, then a newer profile for every customer"
status=0
C360_STATE_SOAK_SECONDS="$seconds" dotnet test tests/Customer360.Streaming.IntegrationTests -c "$CONFIGURATION" --no-build -nologo \
  --filter "FullyQualifiedName~StateOutlivesRetentionTests.Soak" >"$logs/soak.log" 2>&1 || status=1
test_run_passed "$logs/soak.log" || status=1
tr -d '\000' <"$logs/soak.log" | grep -aE "Passed!|Failed!" || true
[ -f "$C360_TEST_REPORT" ] && cat "$C360_TEST_REPORT"
if [ "$status" -ne 0 ]; then
  show_test_failure "$logs/soak.log" 60
  say "state soak: FAILED"
  exit 1
fi
say "state soak: every context kept its earlier data through retention and a SIGKILL"
