#!/usr/bin/env bash
# Takes the README's screenshots of the three web pages from a demo run: starts the demo (embedded Kafka, Redis, the
# processor, the simulator) with the pages on a fixed port, waits until the live flow has run a while, and has
# headless Chromium save the overview, a store floor and the single view of a customer with a recent decision.
# Writes docs/images/page-{overview,store,customer}.png. Options: --wait SECONDS into the demo (default 40).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

wait_seconds=40
[ "${1:-}" = "--wait" ] && wait_seconds="$2"
ensure_packages redis-server:redis-server redis-cli:redis-tools chromium:chromium curl:curl
build_if_needed
start_redis
cd "$REPO_ROOT"
port="$(free_port)"
base="http://127.0.0.1:$port"
log="$(mktemp -t c360-screenshots-XXXXXX.log)"
STARTED_DIRS+=("$log")
dotnet "$C360_DLL" demo --redis "$REDIS_ADDRESS" --http-port "$port" --duration $((wait_seconds + 20)) --plain >"$log" 2>&1 &
STARTED_PIDS+=("$!")
say "demo (pid ${STARTED_PIDS[-1]}) serving the pages at $base/; taking screenshots after ${wait_seconds} s"
sleep "$wait_seconds"

# The customer of the latest decision, and the store with the most customers present, from the overview. (awk takes
# the first line and reads on, so no pipe breaks under pipefail.)
overview="$(curl -fsS "$base/" || true)"
customer="$(grep -o 'href="/customers/[^"]*"' <<<"$overview" | awk 'NR == 1 { sub(/^href="\/customers\//, ""); sub(/"$/, ""); print }' || true)"
store="$(grep -o 'data-store="[^"]*">[0-9]*<' <<<"$overview" | sort -t '>' -k2 -n -r | awk -F'"' 'NR == 1 { print $2 }' || true)"
[ -n "$customer" ] && [ -n "$store" ] || { say "no fired decision or store on the overview yet; the demo log:"; cat "$log"; exit 1; }

mkdir -p docs/images
shoot() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"$2" --screenshot="docs/images/$1.png" "$3" >/dev/null 2>&1
  say "wrote docs/images/$1.png ($3)"
}
shoot page-overview 900 "$base/"
shoot page-store 1100 "$base/stores/$store"
shoot page-customer 1500 "$base/customers/$customer"
wait "${STARTED_PIDS[-1]}" || true
tail -n 3 "$log"
