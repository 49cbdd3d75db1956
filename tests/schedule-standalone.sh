#!/bin/sh
# Builds and runs the schedule unit tests without Meson:
#   tests/schedule-standalone.sh [CC] [extra gtest args, e.g. --verbose]
# CC defaults to gcc; the build uses ASan and UBSan.  OF_SCHEDULE_SEED=N
# replays a model run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../src"
cc=${1:-gcc}
[ $# -gt 0 ] && shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

# shellcheck disable=SC2046
"$cc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Werror -O2 -g \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  -I"$src" "$src/schedule.c" "$here/test-schedule.c" \
  $(pkg-config --cflags --libs glib-2.0) -o "$out/test-schedule"

ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$out/test-schedule" "$@"
