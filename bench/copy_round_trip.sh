#!/bin/sh
# Times `reflect-memory copy --to` both ways on a store of N memories (issue 14 "Moving"):
# a SQLite store filled by `import` (N memories, each with one earlier version, so
# N memories + N versions), copied into an empty PostgreSQL database, then back into a
# new SQLite file; both copies verify counts and run check before they commit.
#
#   bench/copy_round_trip.sh BINARY POSTGRESQL_URL [N]
#
# The URL must name an empty database (its tables are created by the copy's migrate).
# Prints each copy's own summary line ("copied R rows ... in S s") and the wall time.
set -eu
bin=$1
url=$2
n=${3:-10000}
dir=$(mktemp -d /tmp/rm-copy-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export HOME="$dir"

i=0
while [ "$i" -lt "$n" ]; do
  printf '{"title":"memory %d","content":"benchmark content %d about copying stores between engines","tags":["bench","t%d"],"versions":[{"version_number":1,"title":"draft %d","content":"first","created_at":"2026-01-01T00:00:00.000Z"}]}\n' \
    "$i" "$i" $((i % 50)) "$i"
  i=$((i + 1))
done > "$dir/memories.jsonl"

"$bin" user add bench@example.com --plan admin --db "$dir/source.db" > /dev/null
"$bin" import --user bench@example.com "$dir/memories.jsonl" --db "$dir/source.db" 2> /dev/null

now() { date +%s.%N; }
t0=$(now)
"$bin" copy --db "$dir/source.db" --to "$url" 2> /dev/null | tail -2 | head -1
t1=$(now)
"$bin" copy --db "$url" --to "$dir/back.db" 2> /dev/null | tail -2 | head -1
t2=$(now)
echo "SQLite -> PostgreSQL: $(echo "$t1 - $t0" | bc) s wall (process start, migrate and check included)"
echo "PostgreSQL -> SQLite: $(echo "$t2 - $t1" | bc) s wall (same)"
