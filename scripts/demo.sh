#!/usr/bin/env bash
# The main job on the embedded default: Redis, the embedded Kafka cluster, the processor and a producer of events,
# then a summary. Options go to `c360 demo` (try --help); for example: ./scripts/demo.sh --duration 30
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_packages redis-server:redis-server redis-cli:redis-tools
build_if_needed
start_redis
say "starting the demo (embedded Kafka + processor) against Redis at $REDIS_ADDRESS"
cd "$REPO_ROOT"
set +e
dotnet "$C360_DLL" demo --redis "$REDIS_ADDRESS" "$@"
status=$?
set -e
say "demo exited with $status; stopping the processes this script started"
exit "$status"
