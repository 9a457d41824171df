#!/usr/bin/env bash
# Runs the benchmark against a freshly built Release server; every argument goes to the tool (see --help).
# Example: tools/bench.sh --duration 2s --concurrency 1,4 --scenarios ping,accrue,convert
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { echo "bench.sh: redis-server is missing (apt-get install redis-server)" >&2; exit 2; }
# Build the server first so the benchmark never measures a stale binary.
dotnet build src/PartnerExchange.Server/PartnerExchange.Server.csproj -c Release -nologo -v quiet
exec dotnet run -c Release --project tools/PartnerExchange.Bench -- "$@"
