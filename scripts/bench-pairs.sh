#!/usr/bin/env bash
# Compares two builds of c360 in alternating end-to-end drains, one stream thread each: on a shared machine one code's
# drains spread by a fifth or more within an hour, so only drains run side by side say which build is faster.
#   ./scripts/bench-pairs.sh [--pairs N] [--keyed-by-customer] [--set Section:Key=value ...] BASE CANDIDATE
# BASE and CANDIDATE are git revisions (each published ReadyToRun into a temporary folder) or folders holding a
# published c360.dll. Prints each drain's rate, the processor's CPU per input and where the stream thread's time went,
# then each side's median and the candidate's ratio to the base. bench/results/EndToEnd.md is left as it was.
# Each drain's reference check replays the backlog through the topology of the benchmark that runs it: a revision's
# own (from its worktree), so a change to what the pipeline does fails neither side; a folder's, this tree's.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() { say "usage: ./scripts/bench-pairs.sh [--pairs N] [--keyed-by-customer] [--set Section:Key=value ...] BASE CANDIDATE"; exit 2; }

pairs=4
drain_args=(--threads 1)
sides=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { say "--pairs takes a positive whole number, got '${2:-}'"; exit 2; }; pairs="$2"; shift 2 ;;
    --keyed-by-customer) drain_args+=(--keyed-by-customer); shift ;;
    --set) [ -n "${2:-}" ] || usage; drain_args+=(--set "$2"); shift 2 ;;
    -*) say "unknown option '$1'"; usage ;;
    # A folder is taken from where the script was started; a revision from the repository.
    *) if [ -d "$1" ]; then sides+=("$(cd "$1" && pwd)"); else sides+=("$1"); fi; shift ;;
  esac
done
[ ${#sides[@]} -eq 2 ] || usage
cd "$REPO_ROOT"

results="bench/results/EndToEnd.md"
kept="$(mktemp -t c360-pairs-results-XXXXXX)"
STARTED_DIRS+=("$kept")
cp "$results" "$kept"
# Each drain rewrites the results file: put it back, and forget the temporary worktrees, whatever ends the script.
finish() { cp "$kept" "$results"; cleanup_started; git worktree prune; }
trap finish EXIT

# publish_side SIDE: sets published to the folder of SIDE's c360.dll, publishing a git revision from a temporary
# worktree first, and bench to the benchmark project that drains it: the revision's own, else this tree's.
publish_side() {
  local side="$1" tree
  bench="$REPO_ROOT/bench/Customer360.Streaming.Benchmarks"
  if [ -f "$side/c360.dll" ]; then
    published="$(cd "$side" && pwd)"
    return
  fi
  if ! git rev-parse --verify --quiet "$side^{commit}" >/dev/null; then
    say "'$side' is neither a folder holding c360.dll nor a git revision"
    exit 2
  fi
  tree="$(mktemp -d -t c360-pairs-XXXXXX)"
  STARTED_DIRS+=("$tree")
  git worktree add --quiet --detach "$tree/src" "$side"
  say "publishing $side ($(git rev-parse --short "$side")) to $tree/c360"
  # shellcheck disable=SC2046 # the options are words on purpose
  dotnet publish "$tree/src/src/Customer360.Streaming.Host" -c "$CONFIGURATION" $(ready_to_run_args) \
    -o "$tree/c360" -nologo -v quiet -clp:ErrorsOnly >&2
  published="$tree/c360"
  # Its replay must be its own: this tree's topology, checking a revision that processes otherwise, failed it.
  [ -d "$tree/src/bench/Customer360.Streaming.Benchmarks" ] && bench="$tree/src/bench/Customer360.Streaming.Benchmarks"
}

require_dotnet
ensure_packages redis-server:redis-server || true
published=""
publish_side "${sides[0]}"; base="$published"; base_bench="$bench"
publish_side "${sides[1]}"; candidate="$published"; candidate_bench="$bench"

artifacts="$(mktemp -d -t c360-pairs-bench-XXXXXX)"
STARTED_DIRS+=("$artifacts")
declare -A rates cpus
# The side that drains first alternates from pair to pair: on 7 December the second drain of every pair was the
# slower, whichever build it was (six of six, by 8-14 % in the medians), so a fixed order reads as a regression; an
# even number of pairs (four by default) gives each side the first drain equally often.
for i in $(seq 1 "$pairs"); do
  order="base candidate"
  [ $((i % 2)) -eq 0 ] && order="candidate base"
  for name in $order; do
    folder="$base"; project="$base_bench"
    [ "$name" = candidate ] && folder="$candidate" && project="$candidate_bench"
    log="$artifacts/$name-$i.log"
    C360_DLL="$folder/c360.dll" dotnet run -c Release --project "$project" -- \
      --artifacts "$artifacts" --filter '*EndToEnd*' "${drain_args[@]}" >"$log" 2>&1 || { tail -n 30 "$log"; say "the $name drain failed"; exit 1; }
    rate="$(sed -nE 's/^end-to-end: ([0-9]+) events\/s = .*/\1/p' "$log" | head -n 1)"
    cpu="$(sed -nE 's/^end-to-end: the processor while it drained: .*\(([0-9.]+) µs per input\).*/\1/p' "$log" | head -n 1)"
    threads="$(sed -nE 's/^end-to-end: the stream threads while they drained: (.*); commit steps.*/\1/p' "$log" | head -n 1)"
    [ -n "$rate" ] && [ -n "$cpu" ] || { tail -n 30 "$log"; say "the $name drain printed no rate"; exit 1; }
    rates[$name]+="$rate "
    cpus[$name]+="$cpu "
    printf '%s pair %d %-9s %7s events/s %6s µs CPU per input; %s\n' "$(date +%T)" "$i" "$name" "$rate" "$cpu" "$threads"
  done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
base_rate="$(median <<<"${rates[base]}")"; candidate_rate="$(median <<<"${rates[candidate]}")"
base_cpu="$(median <<<"${cpus[base]}")"; candidate_cpu="$(median <<<"${cpus[candidate]}")"
echo "base ${sides[0]}: median $base_rate events/s, $base_cpu µs CPU per input"
echo "candidate ${sides[1]}: median $candidate_rate events/s, $candidate_cpu µs CPU per input"
awk -v pairs="$pairs" -v r1="$base_rate" -v r2="$candidate_rate" -v c1="$base_cpu" -v c2="$candidate_cpu" \
  'BEGIN { printf "candidate / base over %d pairs: rate %.2f, CPU per input %.2f\n", pairs, r2 / r1, c2 / c1 }'
