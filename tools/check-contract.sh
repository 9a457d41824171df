#!/usr/bin/env bash
# tools/check-contract.sh — the contract cannot break by accident.
#
#   tools/check-contract.sh BUF
#
# BUF is the buf executable (.ci/run installs it). Fails (exit 1) when:
# 1. protos/ is not compatible with a released contract: `buf breaking` against every snapshot in
#    protos/released/<version>.binpb, with the rules of protos/buf.yaml (FILE: the wire and JSON rules plus
#    the generated-code ones, such as renaming a field). A deliberate break is a new package
#    (partnerexchange.v2) beside v1, never an edit of v1: see docs/integrating.md.
# 2. The check itself lets a break through: each line of tests/Contract/breaking-changes.tsv makes one
#    deliberate break in a copy of protos/, and buf must refuse every one of them.
# 3. The version set in Directory.Build.props has no section in CHANGELOG.md.
#
# Releasing version X.Y.Z adds its snapshot: (cd protos && buf build --exclude-source-info -o released/X.Y.Z.binpb)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly BUF=${1:?usage: tools/check-contract.sh BUF}
readonly FIXTURES=tests/Contract/breaking-changes.tsv

log() { echo "check-contract: $*" >&2; }

failures=0
fail() {
  log "FAIL: $*"
  failures=$((failures + 1))
}

breaking() { # module folder, snapshot
  (cd "$1" && "$BUF" breaking --against "$2" --error-format=text)
}

snapshots=(protos/released/*.binpb)
[[ -e ${snapshots[0]} ]] || fail "no released contract in protos/released/"
for snapshot in "${snapshots[@]}"; do
  if breaking protos "$PWD/$snapshot"; then
    log "compatible with $snapshot"
  else
    fail "protos/ breaks the contract released as $(basename "$snapshot" .binpb)"
  fi
done

# Against the newest release, which is what the fixtures' text comes from or follows.
newest=$(printf '%s\n' "${snapshots[@]}" | sort -V | tail -n 1)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
caught=0
while IFS=$'\t' read -r file script what; do
  [[ -z $file || $file == \#* ]] && continue
  rm -rf "$scratch/protos"
  cp -r protos "$scratch/protos"
  sed -i -e "$script" "$scratch/protos/$file"
  if cmp -s "protos/$file" "$scratch/protos/$file"; then
    fail "fixture '$what' no longer changes $file; update $FIXTURES"
  elif breaking "$scratch/protos" "$PWD/$newest" >/dev/null 2>&1; then
    fail "a deliberate break was let through: $what ($file: $script)"
  else
    caught=$((caught + 1))
  fi
done <"$FIXTURES"
log "refused $caught deliberate breaks"

version=$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props)
if grep -q "^## \[$version\]" CHANGELOG.md; then
  log "CHANGELOG.md has version $version"
else
  fail "CHANGELOG.md has no '## [$version]' section for the version in Directory.Build.props"
fi

exit $((failures > 0))
