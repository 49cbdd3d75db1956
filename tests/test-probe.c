/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-probe.c — what a probe's end means (docs/behaviour.md §14), its
 * command line run for real by the shell, and the mount table check. */
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "enums.h"
#include "probe.h"

static void
assert_classified (OfLaunchEnd end, int status, gint64 elapsed, guint state, guint reason)
{
  OfLaunchResult result = { .end = end, .exit_status = status };
  guint s, r;

  of_probe_classify (&result, elapsed, 2 * G_USEC_PER_SEC, &s, &r);
  g_assert_cmpuint (s, ==, state);
  g_assert_cmpuint (r, ==, reason);
}

static void
test_classify (void)
{
  /* Answered in time: online. */
  assert_classified (OF_LAUNCH_EXITED, 0, 0, OF_CONNECT_ONLINE, OF_OFFLINE_NOT_APPLICABLE);
  assert_classified (OF_LAUNCH_EXITED, 0, 2 * G_USEC_PER_SEC, OF_CONNECT_ONLINE, OF_OFFLINE_NOT_APPLICABLE);
  /* Answered, but slower than SlowLinkProbeTimeoutSec: a slow link. */
  assert_classified (OF_LAUNCH_EXITED, 0, 2 * G_USEC_PER_SEC + 1, OF_CONNECT_OFFLINE, OF_OFFLINE_SLOW);
  /* The folder is not there: disconnected, however fast. */
  assert_classified (OF_LAUNCH_EXITED, 11, 0, OF_CONNECT_OFFLINE, OF_OFFLINE_DISCONNECTED);
  /* Given up at the hard limit (cancelled by it, or the launcher's backstop). */
  assert_classified (OF_LAUNCH_CANCELLED, -1, 10 * G_USEC_PER_SEC, OF_CONNECT_OFFLINE, OF_OFFLINE_NOT_RESPONDING);
  assert_classified (OF_LAUNCH_TIMED_OUT, -1, 15 * G_USEC_PER_SEC, OF_CONNECT_OFFLINE, OF_OFFLINE_NOT_RESPONDING);
  /* The probe itself could not run: nothing is known. */
  assert_classified (OF_LAUNCH_NOT_STARTED, -1, 0, OF_CONNECT_UNKNOWN, OF_OFFLINE_UNKNOWN);
  assert_classified (OF_LAUNCH_SIGNALED, -1, 0, OF_CONNECT_UNKNOWN, OF_OFFLINE_UNKNOWN);
  assert_classified (OF_LAUNCH_EXITED, 127, 0, OF_CONNECT_UNKNOWN, OF_OFFLINE_UNKNOWN);
}

static int
run_probe_argv (const char *remote)
{
  g_auto(GStrv) argv = of_probe_argv (remote);
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_argv (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("offlinefiles-probe-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *file = g_build_filename (dir, "a file", NULL);
  g_autofree char *odd = g_build_filename (dir, "-n $(touch x) ';'", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (run_probe_argv (dir), ==, 0);
  g_assert_cmpint (run_probe_argv (missing), ==, 11);
  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_cmpint (run_probe_argv (file), ==, 11);
  /* The path is an argument, never shell text. */
  g_assert_cmpint (g_mkdir (odd, 0755), ==, 0);
  g_assert_cmpint (run_probe_argv (odd), ==, 0);
  g_assert_false (g_file_test ("x", G_FILE_TEST_EXISTS));
  g_rmdir (odd);
  g_unlink (file);
  g_rmdir (dir);
}

static void
test_mounted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("offlinefiles-probe-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_true (of_probe_is_mounted ("/"));
  g_assert_true (of_probe_is_mounted ("/proc"));
  g_assert_false (of_probe_is_mounted (dir));
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/probe/classify", test_classify);
  g_test_add_func ("/probe/argv", test_argv);
  g_test_add_func ("/probe/mounted", test_mounted);
  return g_test_run ();
}
