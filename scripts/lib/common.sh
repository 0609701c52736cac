# Shared by scripts/*.sh: dependency installation, build, and processes we start (and only those) cleaned up on exit.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
# The c360 the scripts run: published ReadyToRun (precompiled), so a processor starting on a backlog does not wait for
# the JIT; alternating drains of the end-to-end benchmark ran 1.36 times as fast on average (docs/performance.md).
C360_DLL="$REPO_ROOT/artifacts/c360/c360.dll"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

STARTED_PIDS=()
STARTED_DIRS=()

say() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }

# show_test_failure LOG [LINES]: why a dotnet test run failed, from its log: each failed assertion with the lines of its
# message, or, when the log has none (a test host that crashed or was aborted), its last LINES lines. It never fails
# itself, so a script in strict mode always goes on to say FAILED.
show_test_failure() {
  local log="$1" lines="${2:-60}"
  if tr -d '\000' <"$log" | grep -aq "Error Message"; then
    tr -d '\000' <"$log" | grep -aA40 "Error Message" | head -n "$lines" || true
  else
    say "$(basename "$log") has no failed assertion; its last $lines lines:"
    tr -d '\000' <"$log" | tail -n "$lines" || true
  fi
}

# test_run_passed LOG: true only when the log of a dotnet test run reports at least one test passed and none failed,
# in the console logger's minimal summary ("Passed!  - Failed: 0, Passed: 1, …") or its detailed one ("Test Run
# Successful." then "Passed: 1"). Its exit code alone is not enough: a run stopped from outside (SIGTERM) ended with 0
# and no result, and a filter that matches nothing, or a test that skips, also ends with 0.
test_run_passed() {
  local text
  text="$(tr -d '\000' <"$1")"
  grep -aqE "Passed! +- Failed: +0, Passed: +[1-9]" <<<"$text" \
    || { grep -aq "^Test Run Successful\." <<<"$text" && grep -aqE "^ +Passed: +[1-9]" <<<"$text"; }
}

cleanup_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  local dir
  for dir in "${STARTED_DIRS[@]}"; do rm -rf "$dir"; done
}
trap cleanup_started EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ensure_packages CMD:PACKAGE ...  installs missing Debian packages when root; otherwise says exactly what to run.
# Returns non-zero when something required is still missing.
ensure_packages() {
  local missing=() spec cmd pkg
  for spec in "$@"; do
    cmd="${spec%%:*}"; pkg="${spec##*:}"
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
      return 0
    fi
    say "apt-get install ${missing[*]} failed"
  fi
  say "missing: ${missing[*]} - install with: sudo apt-get install -y ${missing[*]}"
  return 1
}

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    say "the .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux"
    exit 1
  fi
}

# ready_to_run_args: the publish options that precompile c360 for this machine (none where no runtime id is known).
ready_to_run_args() {
  case "$(uname -m)" in
    x86_64) echo "-r linux-x64 --self-contained false -p:PublishReadyToRun=true" ;;
    aarch64) echo "-r linux-arm64 --self-contained false -p:PublishReadyToRun=true" ;;
  esac
}

# build_if_needed: publishes c360 to artifacts/c360 when it is missing or older than any source or project file.
build_if_needed() {
  require_dotnet
  if [ -f "$C360_DLL" ] && [ -z "$(find "$REPO_ROOT/src" "$REPO_ROOT/topology" "$REPO_ROOT/Directory.Build.props" \
      "$REPO_ROOT/Directory.Packages.props" -newer "$C360_DLL" \( -name '*.cs' -o -name '*.csproj' -o -name '*.razor' \
      -o -name '*.props' -o -name '*.json' -o -name '*.yaml' \) -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; then
    return 0
  fi
  say "publishing c360 ($CONFIGURATION, ReadyToRun) to artifacts/c360"
  # shellcheck disable=SC2046 # the options are words on purpose
  dotnet publish "$REPO_ROOT/src/Customer360.Streaming.Host" -c "$CONFIGURATION" $(ready_to_run_args) \
    -o "$(dirname "$C360_DLL")" -nologo -v quiet -clp:ErrorsOnly >&2
  # A publish that changed nothing keeps the file's time; this one is current now.
  touch "$C360_DLL"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( (RANDOM % 20000) + 30000 ))
}

# start_redis: a private redis-server on a free loopback port, no persistence, in a temp dir; sets REDIS_ADDRESS.
start_redis() {
  local port dir
  port="$(free_port)"
  dir="$(mktemp -d -t c360-redis-XXXXXX)"
  STARTED_DIRS+=("$dir")
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
    --logfile "$dir/redis.log" &
  STARTED_PIDS+=("$!")
  for _ in $(seq 1 50); do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
      REDIS_ADDRESS="127.0.0.1:$port"
      say "redis-server (pid ${STARTED_PIDS[-1]}) on $REDIS_ADDRESS"
      return 0
    fi
    sleep 0.1
  done
  say "redis-server did not start; its log:"; cat "$dir/redis.log" >&2
  return 1
}
