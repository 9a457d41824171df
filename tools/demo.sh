#!/usr/bin/env bash
# tools/demo.sh — start PartnerExchange locally with demo data.
#
#   tools/demo.sh [extra server arguments...]
#
# 1. When PX_REDIS is set, uses that Redis as it is. Otherwise:
#    installs redis-server with apt-get if it is missing (redis-cli comes with it); if nothing answers
#    `redis-cli ping` on 127.0.0.1:6379, starts a local redis-server there as a daemon, keeping its files
#    in "${PX_DATA_DIR:-.px}/redis" (log: redis.log, stop it with `redis-cli -p 6379 shutdown`); and
#    points the exchange at it (PX_REDIS=127.0.0.1:6379). A Redis already answering there is used as it is.
# 3. Runs the server: dotnet run --project src/PartnerExchange.Server -c Release -- --demo "$@".
#    --demo seeds an airline, a hotel group and a retailer with rates and keys into the local
#    database and prints how to call it. Stop it with Ctrl-C.
#
# The only variable this script sets is PX_REDIS (see 1). The server reads:
#   PX_REDIS         Redis to use (host:port); none means ledger-only idempotency and local rate limits
#   PX_DATA_DIR      data folder (default .px, relative to the repo root, git-ignored)
#   PX_LISTEN        listen address (default http://127.0.0.1:5080)
#   PX_OPERATOR_KEY  the bootstrap operator key
set -euo pipefail

# Another apt-get or dpkg (unattended upgrades on a fresh machine, say) may hold the package lock: wait for it,
# a bounded time, instead of failing at once.
APT_LOCK_WAIT_SECONDS=600

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly REDIS_HOST=127.0.0.1
readonly REDIS_PORT=6379

log() { echo "demo.sh: $*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  else
    sudo "$@"
  fi
}

redis_answers() {
  [[ $(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

if [[ -z ${PX_REDIS:-} ]]; then
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    log "installing redis-server with apt-get (waiting up to ${APT_LOCK_WAIT_SECONDS}s if another apt-get or dpkg holds its lock)"
    apt_log=$(mktemp)
    if ! { as_root apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT_SECONDS" update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT_SECONDS" install -y -qq --no-install-recommends redis-server; } >"$apt_log" 2>&1; then
      cat "$apt_log" >&2
      rm -f "$apt_log"
      log "could not install redis-server"
      exit 1
    fi
    rm -f "$apt_log"
  fi

  if redis_answers; then
    log "using the Redis already answering on ${REDIS_HOST}:${REDIS_PORT}"
  else
    redis_dir="$(pwd)/${PX_DATA_DIR:-.px}/redis"
    if [[ ${PX_DATA_DIR:-.px} == /* ]]; then
      redis_dir="${PX_DATA_DIR}/redis"
    fi
    mkdir -p "$redis_dir"
    log "starting redis-server on ${REDIS_HOST}:${REDIS_PORT} (files in ${redis_dir})"
    redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --daemonize yes \
      --dir "$redis_dir" --logfile "$redis_dir/redis.log" --pidfile "$redis_dir/redis.pid" \
      --appendonly yes
    for _ in $(seq 1 50); do
      redis_answers && break
      sleep 0.1
    done
    if ! redis_answers; then
      log "redis-server did not answer on ${REDIS_HOST}:${REDIS_PORT}; see ${redis_dir}/redis.log"
      exit 1
    fi
  fi
  export PX_REDIS="${REDIS_HOST}:${REDIS_PORT}"
fi

exec dotnet run --project src/PartnerExchange.Server -c Release -- --demo "$@"
