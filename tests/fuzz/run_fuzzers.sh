#!/usr/bin/env bash
# Runs the libFuzzer targets of a -DRM_FUZZ=ON build, one after the other.
#
#   tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]     (default: every target)
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<name>, read only) and
# from the inputs earlier runs found (BUILD_DIR/fuzz-corpus/<name>, kept between runs);
# crashing inputs go to BUILD_DIR/fuzz-artifacts/. Prints libFuzzer's final figures per
# target; exits 1 if any target found a crash, leak, timeout or broken invariant — then
# minimize the input, fix the bug, and add the input to tests/fuzz/regressions/<name>/.
#
# Environment: FUZZ_JOBS=N runs N processes per target (libFuzzer -jobs/-workers).
set -uo pipefail
build_dir=${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]}
build_dir="$(cd "$build_dir" && pwd)"  # absolute: the -jobs mode runs from inside it
seconds=${2:?usage: run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jsonrpc tool_args http)
here="$(cd "$(dirname "$0")" && pwd)"
jobs=${FUZZ_JOBS:-1}

failed=0
for name in "${targets[@]}"; do
  fuzzer="$build_dir/tests/fuzz/fuzz_$name"
  [ -x "$fuzzer" ] || { echo "run_fuzzers: $fuzzer is missing (configure with -DRM_FUZZ=ON)" >&2; exit 2; }
  corpus="$build_dir/fuzz-corpus/$name"
  artifacts="$build_dir/fuzz-artifacts"
  log="$build_dir/fuzz-$name.log"
  mkdir -p "$corpus" "$artifacts"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
        # LeakSanitizer after every input that allocates more than it frees would scan the
        # heap each time the store's caches grow (half the run time); leaks are still
        # reported when the process exits.
        -detect_leaks=0
        -artifact_prefix="$artifacts/$name-")
  if [ "$jobs" -gt 1 ]; then
    # Each job logs to fuzz-<n>.log in the working directory.
    (cd "$build_dir" && "$fuzzer" "${args[@]}" -jobs="$jobs" -workers="$jobs" "$corpus" "$here/corpus/$name" \
       >"$log" 2>&1)
  else
    "$fuzzer" "${args[@]}" "$corpus" "$here/corpus/$name" >"$log" 2>&1
  fi
  status=$?
  echo "== fuzz_$name: ${seconds}s, exit $status" >&2
  grep -a -E '^stat::|^#[0-9]+ +DONE' "$log" "$build_dir"/fuzz-[0-9]*.log 2>/dev/null | sed 's/^/   /' >&2
  if [ $status -ne 0 ]; then
    grep -a -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" "$build_dir"/fuzz-[0-9]*.log 2>/dev/null | head -20 >&2
    failed=1
  fi
  rm -f "$build_dir"/fuzz-[0-9]*.log
done
exit $failed
