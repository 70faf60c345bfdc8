#!/bin/sh
# Load test of webhook-triggered executions (issue 4, "Done when"): 200 calls a second for
# 60 s of a 3-step workflow (http to a local fake API → data.set → console) on SQLite, then
# the count, errors, achieved rate and trigger-to-completion p50/p95/p99.
#
# Usage: scripts/load-webhook.sh [flags of scripts/load]
#   -rate 200 -duration 60s     calls per second, how long
#   -observe sse|poll           how completions are seen (event stream, or GET every 20 ms)
#   -server URL -api-key KEY    use a running errand serve instead of starting one
#   -workers N                  --workers of the started server
#   -json                       the report as JSON
# Without -server it builds errand, starts `errand serve` on a temporary SQLite data
# directory with a bootstrap API key, and stops it afterwards. Exits non-zero on any error.
set -eu
cd "$(dirname "$0")/.."
bin=$(mktemp -d "${TMPDIR:-/tmp}/errand-load-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT INT TERM
go build -o "$bin/errand" ./cmd/errand
go build -o "$bin/load" ./scripts/load
"$bin/load" -errand "$bin/errand" "$@"
