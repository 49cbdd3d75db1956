/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-launch.c — what a run of the engine costs through each launcher:
 * the first sync of N small shares (N = 1, 10, 100) through transient
 * systemd units, through the fork launcher, and as the same unison
 * commands in one shell loop.  Prints figures and both ratios; asserts
 * nothing about speed.  Runs inside a systemd booted by bench-launch.sh. */
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine.h"
#include "launch-fork.h"
#include "launch-systemd.h"

#define FILES_PER_SHARE 5
#define BENCH_ROOT "/srv/offlinefiles-bench"

static void
make_shares (const char *set,
             guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *local = g_strdup_printf (BENCH_ROOT "/%s/%u/local", set, i);
      g_autofree char *remote = g_strdup_printf (BENCH_ROOT "/%s/%u/remote", set, i);

      g_assert_cmpint (g_mkdir_with_parents (local, 0755), ==, 0);
      g_assert_cmpint (g_mkdir_with_parents (remote, 0755), ==, 0);
      for (int f = 0; f < FILES_PER_SHARE; f++)
        {
          g_autofree char *path = g_strdup_printf ("%s/file-%d.txt", local, f);
          g_autofree char *text = g_strdup_printf ("contents of file %d\n", f);
          g_assert_true (g_file_set_contents (path, text, -1, NULL));
        }
    }
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  OfEngineOutcome **outcome = user_data;

  (void) source;
  *outcome = of_engine_run_finish (result, NULL);
}

/* The shares one after another, as the daemon's sync does. */
static double
through_launcher (OfLauncher *launcher,
                  const char *set,
                  guint       n)
{
  g_autofree char *archive_root = g_strdup_printf (BENCH_ROOT "/%s-state", set);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OfEngineOutcome) outcome = NULL;
      g_autofree char *name = g_strdup_printf ("s%u", i);
      g_autofree char *run_name = of_engine_run_name (name, g_get_real_time ());
      OfShare share = { 0 };

      share.name = name;
      share.local_path = g_strdup_printf (BENCH_ROOT "/%s/%u/local", set, i);
      share.remote_path = g_strdup_printf (BENCH_ROOT "/%s/%u/remote", set, i);
      share.user = (char *) "root";
      share.enabled = TRUE;
      share.timeout_usec = 10 * G_TIME_SPAN_MINUTE;
      of_engine_run_async (launcher, "unison", &share, archive_root, run_name, G_USEC_PER_SEC, NULL,
                           on_done, &outcome);
      while (outcome == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (outcome->result != OF_SHARE_RESULT_SUCCESS)
        g_error ("share %u of %s: %s", i, set, outcome->message);
      g_free (share.local_path);
      g_free (share.remote_path);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
shell_loop (const char *set,
            guint       n)
{
  g_autofree char *script = g_strdup_printf (
    "mkdir -p %s/%s-archive && export UNISON=%s/%s-archive UNISONLOCALHOSTNAME=offlinefiles; "
    "i=0; while [ $i -lt %u ]; do "
    "unison -batch -ui text -terse -dumbtty -color false -log=false -confirmbigdel=true "
    "-root %s/%s/$i/local -root %s/%s/$i/remote >/dev/null 2>&1 || exit 1; i=$((i+1)); done",
    BENCH_ROOT, set, BENCH_ROOT, set, n, BENCH_ROOT, set, BENCH_ROOT, set);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (void)
{
  const guint sizes[] = { 1, 10, 100 };
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(OfLauncher) systemd = NULL;
  g_autoptr(OfLauncher) fork_launcher = of_launch_fork_new ();

  if (geteuid () != 0 || !g_file_test ("/run/systemd/system", G_FILE_TEST_IS_DIR))
    {
      printf ("1..0 # SKIP needs root inside a booted systemd (run through bench-launch.sh)\n");
      return 0;
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  g_assert_nonnull (bus);
  systemd = of_launch_systemd_new (bus);

  printf ("# first sync of N shares (%d small files each, as root), one after another\n", FILES_PER_SHARE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint n = sizes[s];
      g_autofree char *unit_set = g_strdup_printf ("unit%u", n);
      g_autofree char *fork_set = g_strdup_printf ("fork%u", n);
      g_autofree char *shell_set = g_strdup_printf ("shell%u", n);
      double by_unit, by_fork, by_shell;

      make_shares (unit_set, n);
      make_shares (fork_set, n);
      make_shares (shell_set, n);
      by_shell = shell_loop (shell_set, n);
      by_fork = through_launcher (fork_launcher, fork_set, n);
      by_unit = through_launcher (systemd, unit_set, n);
      printf ("# N=%3u  units %.3f s  fork %.3f s  shell loop %.3f s  "
              "units/shell %.2f  fork/shell %.2f  units/fork %.2f  (%.1f ms per unit run, %.1f ms per forked run)\n",
              n, by_unit, by_fork, by_shell, by_unit / by_shell, by_fork / by_shell, by_unit / by_fork,
              by_unit * 1000 / n, by_fork * 1000 / n);
      fflush (stdout);
    }
  printf ("1..1\nok 1 /bench/launch\n");
  return 0;
}
