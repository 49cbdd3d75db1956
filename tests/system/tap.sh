# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP output for the system tests (sourced): ok / not_ok / skip number the
# checks, diag prints indented diagnostics, the plan comes last
# (tap_done), and a test that cannot run says so with tap_skip_all.

_tap_n=0
_tap_failed=0

ok () { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok () { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip () { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
# diag TEXT… or diag < file: each line as a TAP comment.
diag () {
  if [ $# -gt 0 ]; then printf '%s\n' "$*" | sed 's/^/# /'; else sed 's/^/#   /'; fi
}
# check NAME CMD…: ok if CMD succeeds, else not ok with its output.
check () {
  local name=$1 out; shift
  if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name"; printf '%s\n' "$out" | diag; fi
}
# No check can run here: a skipped test (meson: exit 77).
tap_skip_all () { echo "1..0 # SKIP $*"; exit 77; }
# The plan, and the exit status: 1 when any check failed.
tap_done () { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }
