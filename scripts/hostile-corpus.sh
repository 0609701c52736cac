#!/usr/bin/env bash
# The generated hostile corpus at a size the test suite cannot afford: CsCheck sequences through the whole topology in
# process (default 100,000 sequences, about a million records), then a large seeded corpus through a running processor
# on the embedded broker (default 5,000 records). Prints the outcome mix of each. A failure prints a CsCheck seed;
# C360_CORPUS_SEED=<seed> reruns exactly that sequence, shrunk.
#   ./scripts/hostile-corpus.sh [sequences] [broker-records]
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
require_dotnet
cd "$REPO_ROOT"

sequences="${1:-100000}"
broker_records="${2:-5000}"
for value in "$sequences" "$broker_records"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { say "sizes must be positive whole numbers, got '$value'"; exit 2; }
done

say "build ($CONFIGURATION)"
dotnet build Customer360.Streaming.sln -c "$CONFIGURATION" -nologo -v quiet -warnaserror -clp:ErrorsOnly

logs="$(mktemp -d -t c360-corpus-XXXXXX)"
STARTED_DIRS+=("$logs")
export C360_TEST_REPORT="$logs/report.txt"
status=0

say "in process: $sequences generated sequences of 1-12 hostile records through the topology"
C360_CORPUS_ITERATIONS="$sequences" dotnet test tests/Customer360.Streaming.Pipeline.Tests -c "$CONFIGURATION" --no-build -nologo \
  --filter "FullyQualifiedName~HostileCorpusPropertyTests" --logger "console;verbosity=detailed" >"$logs/in-process.log" 2>&1 || status=1
test_run_passed "$logs/in-process.log" || status=1
tr -d '\000' <"$logs/in-process.log" | grep -aE "hostile corpus|Error Message|Set seed|Passed!|Failed!" || true

say "embedded broker: $broker_records generated records between valid ones, through a running processor"
C360_HOSTILE_CORPUS_SIZE="$broker_records" dotnet test tests/Customer360.Streaming.IntegrationTests -c "$CONFIGURATION" --no-build -nologo \
  --filter "FullyQualifiedName~HostileInputTests" >"$logs/broker.log" 2>&1 || status=1
test_run_passed "$logs/broker.log" || status=1
tr -d '\000' <"$logs/broker.log" | grep -aE "Error Message|Passed!|Failed!" || true
[ -f "$C360_TEST_REPORT" ] && cat "$C360_TEST_REPORT"

if [ "$status" -ne 0 ]; then
  for log in "$logs"/*.log; do
    if ! test_run_passed "$log"; then
      say "$(basename "$log"):"
      show_test_failure "$log" 80
    fi
  done
  say "hostile corpus: FAILED"
  exit 1
fi
say "hostile corpus: every record was processed or dead-lettered with its reason; the processor stayed ready"
