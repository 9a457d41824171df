#!/usr/bin/env bash
# tools/test.sh — build PartnerExchange (warnings are errors) and run every test project.
#
#   tools/test.sh
#
# 1. Installs redis-server with apt-get if it is not on PATH, and Debian's postgresql if PostgreSQL's server
#    programs are neither on PATH nor in /usr/lib/postgresql/*/bin (the tests start their own redis-server, and
#    their own throwaway PostgreSQL cluster, on free loopback ports; this script starts neither, and stops the
#    cluster that Debian's package starts when it installs).
# 2. dotnet build PartnerExchange.sln -c Release -warnaserror   (stops here on any warning or error)
# 3. dotnet test  PartnerExchange.sln -c Release --no-build      (trx files go to TestResults/, git-ignored),
#    then the ledger's engine contract suite again with PX_TEST_LEDGER_ENGINE=postgres
# 4. Adds up the trx files and prints, as its very last line:   tests: N passed, M failed
#
# Exits non-zero when the build fails, a test fails, a test project wrote no results (crashed test
# host), a test run was aborted (crash or hang, see PX_TEST_HANG_TIMEOUT), or no test ran at all.
#
# Environment (optional):
#   PX_TEST_HANG_TIMEOUT  per-test hang timeout handed to --blame-hang-timeout (default 5m); a test
#                         that runs longer is killed and its project counts as failed.
set -euo pipefail

# Another apt-get or dpkg (unattended upgrades on a fresh machine, say) may hold the package lock: wait for it,
# a bounded time, instead of failing at once.
APT_LOCK_WAIT_SECONDS=600

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

readonly SOLUTION=PartnerExchange.sln
readonly RESULTS_DIR=TestResults

passed=0
failed=0
summary_printed=0

print_summary() {
  summary_printed=1
  echo "tests: ${passed} passed, ${failed} failed"
}

# Whatever happens (set -e abort, build failure, Ctrl-C), the summary is the last line printed, and
# a failing exit never reports "0 failed".
# shellcheck disable=SC2317  # called through the trap
on_exit() {
  local rc=$?
  if [[ $summary_printed -eq 0 ]]; then
    if [[ $rc -ne 0 && $failed -eq 0 ]]; then
      failed=1
    fi
    print_summary
  fi
  exit "$rc"
}
trap on_exit EXIT

log() { echo "test.sh: $*" >&2; }

# Installs Debian packages quietly (showing apt's output if it fails), waiting for another apt-get or dpkg.
apt_install() {
  local -a sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  local apt_log
  apt_log=$(mktemp)
  if ! { "${sudo[@]}" apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT_SECONDS" update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT_SECONDS" install -y -qq --no-install-recommends "$@"; } >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    rm -f "$apt_log"
    log "could not install $*"
    return 1
  fi
  rm -f "$apt_log"
}

ensure_redis_server() {
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  log "redis-server not found; installing it with apt-get (waiting up to ${APT_LOCK_WAIT_SECONDS}s if another apt-get or dpkg holds its lock)"
  apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || { log "redis-server still not on PATH"; return 1; }
}

# PostgreSQL's server programs where the test fixture looks for them: on PATH, else Debian's versioned folder.
postgres_server_found() {
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

ensure_postgres_server() {
  if postgres_server_found; then
    return 0
  fi
  log "PostgreSQL server not found; installing Debian's postgresql with apt-get (waiting up to ${APT_LOCK_WAIT_SECONDS}s if another apt-get or dpkg holds its lock)"
  local -a sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  # The package creates and starts a cluster of its own on port 5432 where a service manager runs; the tests
  # never use it, so it is stopped (where no service manager runs, nothing was started).
  apt_install postgresql
  if command -v pg_lsclusters >/dev/null 2>&1; then
    local version name
    while read -r version name _; do
      "${sudo[@]}" pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
    done < <(pg_lsclusters --no-header 2>/dev/null)
  fi
  postgres_server_found || { log "PostgreSQL's initdb and postgres still not found"; return 1; }
}

# Reads one integer attribute from a <Counters .../> element; 0 when absent.
counter() {
  local element=$1 name=$2 value
  value=$(sed -n "s/.* ${name}=\"\([0-9]*\)\".*/\1/p" <<<"$element")
  echo "${value:-0}"
}

ensure_redis_server
ensure_postgres_server

log "building ${SOLUTION} (Release, warnings as errors)"
if ! dotnet build "$SOLUTION" -c Release -warnaserror -nologo -v q; then
  log "build failed"
  exit 1
fi

# Test projects are the ones that say so; shared test support (a plain library) runs no tests itself.
test_projects=()
shopt -s nullglob
for project in tests/*/*.csproj; do
  if grep -q '<IsTestProject>true</IsTestProject>' "$project"; then
    test_projects+=("$project")
  fi
done
shopt -u nullglob
if [[ ${#test_projects[@]} -eq 0 ]]; then
  log "no test project under tests/"
  exit 1
fi

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

log "running ${#test_projects[@]} test project(s)"
test_rc=0
# No LogFileName: the trx logger then gives every project its own file.
dotnet test "$SOLUTION" -c Release --no-build -nologo -v q \
  --results-directory "$RESULTS_DIR" \
  --logger trx \
  --logger "console;verbosity=minimal" \
  --blame-hang-timeout "${PX_TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none ||
  test_rc=$?

# The ledger's engine contract (its property tests) and the expiry forecast run again on PostgreSQL: a second
# results file, counted like the others.
log "running the ledger's engine contract suite again on PostgreSQL"
PX_TEST_LEDGER_ENGINE=postgres dotnet test tests/PartnerExchange.Ledger.Tests/PartnerExchange.Ledger.Tests.csproj \
  -c Release --no-build -nologo -v q \
  --filter "Category=EngineContract|FullyQualifiedName~ExpiryForecastTests" \
  --results-directory "$RESULTS_DIR" \
  --logger trx \
  --logger "console;verbosity=minimal" \
  --blame-hang-timeout "${PX_TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none ||
  test_rc=$?
expected_runs=$((${#test_projects[@]} + 1))

shopt -s nullglob
trx_files=("$RESULTS_DIR"/*.trx)
shopt -u nullglob

total_executed=0
empty_runs=0
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  outcome=$(grep -o '<ResultSummary outcome="[A-Za-z]*"' "$trx" | head -n 1 | sed 's/.*outcome="\([A-Za-z]*\)"/\1/' || true)
  p=$(counter "$counters" passed)
  f=$(($(counter "$counters" failed) + $(counter "$counters" error) + $(counter "$counters" timeout) + $(counter "$counters" aborted)))
  passed=$((passed + p))
  failed=$((failed + f))
  total_executed=$((total_executed + $(counter "$counters" executed)))
  if [[ -z $counters || -z $outcome ]]; then
    log "unreadable results file ${trx}"
    failed=$((failed + 1))
  elif [[ $outcome != Completed && $outcome != Passed && $f -eq 0 ]]; then
    # A run that ended Failed/Aborted/Error with no failed test: the test host crashed or was killed.
    log "a test run ended '${outcome}' without a failed test (crashed or hung test host): ${trx}"
    failed=$((failed + 1))
  elif [[ $(counter "$counters" total) -eq 0 ]]; then
    empty_runs=$((empty_runs + 1))
  fi
done

missing=$((expected_runs - ${#trx_files[@]}))
if [[ $missing -gt 0 ]]; then
  log "${missing} of ${expected_runs} test run(s) wrote no results (test host crashed or could not start)"
  failed=$((failed + missing))
fi
if [[ $empty_runs -gt 0 ]]; then
  log "warning: ${empty_runs} test project(s) contain no test"
fi
if [[ $test_rc -ne 0 && $failed -eq 0 ]]; then
  log "dotnet test exited ${test_rc} although no test failed"
  failed=1
fi

status=0
if [[ $failed -gt 0 || $test_rc -ne 0 ]]; then
  status=1
elif [[ $total_executed -eq 0 ]]; then
  log "no test ran"
  status=1
fi

print_summary
exit "$status"
