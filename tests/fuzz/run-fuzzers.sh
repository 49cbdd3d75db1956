#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every libFuzzer target of tests/fuzz for a bounded time; builds nothing.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS [BUILDDIR]]
#
# SECONDS per target (default 60); BUILDDIR is a build directory configured
# with CC=clang -Dfuzzing=true (default: build-fuzz).  Each target starts
# from a copy of its seeds in tests/fuzz/corpus/<target>, so the repository
# is never touched.  One line per target with its executions and coverage;
# the exit status is non-zero on any crash, leak, timeout or out-of-memory,
# whose inputs are then copied to BUILDDIR/fuzz-artifacts/.
# FUZZ_TARGETS="a b" runs only those targets; FUZZ_KEEP=1 keeps the work
# directory (grown corpora, logs) and prints where it is.
set -uo pipefail

seconds=${1:-60}
build=${2:-build-fuzz}
here=$(cd "$(dirname "$0")" && pwd)
targets=${FUZZ_TARGETS:-settings-file dropins state-file share-file share-request configure-args engine-output value}

case $seconds in
  ''|*[!0-9]*|0) echo "usage: $0 [SECONDS [BUILDDIR]] (SECONDS: a positive number)" >&2; exit 2 ;;
esac
missing=
for target in $targets; do
  [ -x "$build/tests/fuzz/fuzz-$target" ] || missing="$missing fuzz-$target"
done
if [ -n "$missing" ]; then
  echo "not built in $build/tests/fuzz:$missing" >&2
  echo "build them first: CC=clang meson setup $build -Dfuzzing=true && meson compile -C $build fuzzers" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/offlinefiles-fuzz.XXXXXX")
cleanup () {
  if [ "${FUZZ_KEEP:-0}" = 1 ]; then
    echo "work directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# GLib's slice allocator would hide leaks from LeakSanitizer (GLib < 2.76).
export G_SLICE=always-malloc G_DEBUG=gc-friendly
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0:handle_abort=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset G_MESSAGES_DEBUG

status=0
total_execs=0
for target in $targets; do
  exe=$build/tests/fuzz/fuzz-$target
  corpus=$work/corpus/$target
  artifacts=$work/artifacts/$target
  log=$work/$target.log
  mkdir -p "$corpus" "$artifacts" "$work/tmp/$target"
  if [ -d "$here/corpus/$target" ]; then
    cp -R "$here/corpus/$target/." "$corpus/"
  fi
  dict=()
  case $target in
    engine-output) dict=(-dict="$here/engine-output.dict") ;;
    configure-args) ;;
    *) dict=(-dict="$here/keyfile.dict") ;;
  esac

  # The outer timeout only guards against a fuzzer that stops responding.
  TMPDIR=$work/tmp/$target timeout -k 10 $((seconds + 120)) \
    "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" >"$log" 2>&1
  rc=$?

  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
  last_line=${done_line:-$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1)}
  inited=$(grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last_line")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last_line")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9A-Za-z]+).*/\1/p' <<<"$last_line")
  speed=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last_line")
  seed_cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$inited")
  total_execs=$((total_execs + ${execs:-0}))

  found=$(find "$artifacts" -type f | sort)
  if [ "$rc" -eq 0 ] && [ -n "$done_line" ] && [ -z "$found" ]; then
    printf '%-16s OK    %10s execs  cov %5s (seeds %s)  ft %6s  corpus %-12s %6s exec/s\n' \
      "$target" "${execs:-?}" "${cov:-?}" "${seed_cov:-?}" "${ft:-?}" "${corp:-?}" "${speed:-?}"
    continue
  fi

  status=1
  kinds=$(for f in $found; do basename "$f" | sed 's/-.*//'; done | sort -u | tr '\n' ' ')
  [ -n "$kinds" ] || kinds="exit status $rc"
  [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && kinds="$kinds (hung: killed after $((seconds + 120)) s)"
  printf '%-16s FAIL  %10s execs  cov %5s  ft %6s  %s\n' "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$kinds"
  echo "---- $target: end of the log ----"
  grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$log" | tail -n 60
  echo "----"
  if [ -n "$found" ]; then
    mkdir -p "$build/fuzz-artifacts"
    for f in $found; do
      cp "$f" "$build/fuzz-artifacts/$target-$(basename "$f")"
      echo "input kept: $build/fuzz-artifacts/$target-$(basename "$f")  (replay: $exe $build/fuzz-artifacts/$target-$(basename "$f"))"
      case $(basename "$f") in
        leak-*)
          # GLib has no frame pointers: unwind slowly once to show who allocated.
          echo "---- $target: the leak replayed with full stacks ----"
          TMPDIR=$work/tmp/$target ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0 \
            timeout -k 5 60 "$exe" "$f" 2>&1 | sed -n '/ERROR: LeakSanitizer/,/^SUMMARY/p' | head -n 80
          ;;
      esac
    done
  fi
done

echo "fuzzing: $total_execs executions in all, ${seconds} s per target: $([ $status -eq 0 ] && echo 'no crash, leak or timeout' || echo FAILED)"
exit $status
