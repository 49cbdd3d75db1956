/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-sync.c — the daemon's sync of N shares against running the same
 * unison command on the same kind of shares in a plain loop, and
 * GetManagedObjects with 1000 shares against Peer.Ping.  Prints figures;
 * asserts nothing about speed. */
#include <stdio.h>

#include <glib/gstdio.h>

#include "harness.h"

#define FILES_PER_SHARE 5

static void
make_tree (const char *root)
{
  g_mkdir_with_parents (root, 0755);
  for (int i = 0; i < FILES_PER_SHARE; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/file-%d.txt", root, i);
      g_autofree char *text = g_strdup_printf ("contents of file %d\n", i);
      g_file_set_contents (path, text, -1, NULL);
    }
}

static void
make_shares (OfHarness *harness, const char *set, guint n, gboolean register_them)
{
  g_autofree char *shares_dir = g_build_filename (harness->config_dir, "shares.d", NULL);

  g_mkdir_with_parents (shares_dir, 0755);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *local = g_strdup_printf ("%s/%s/local-%u", harness->dir, set, i);
      g_autofree char *remote = g_strdup_printf ("%s/%s/remote-%u", harness->dir, set, i);

      make_tree (local);
      g_mkdir_with_parents (remote, 0755);
      if (register_them)
        {
          g_autofree char *path = g_strdup_printf ("%s/%s-%04u.conf", shares_dir, set, i);
          g_autofree char *conf = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=root\n", local, remote);
          g_file_set_contents (path, conf, -1, NULL);
        }
    }
}

typedef struct {
  gboolean finished;
  char    *result;
} Wait;

static void
on_finished (GDBusConnection *c, const char *s, const char *p, const char *i, const char *n,
             GVariant *params, gpointer user_data)
{
  Wait *wait = user_data;
  (void) c; (void) s; (void) p; (void) i; (void) n;
  g_variant_get (params, "(tss)", NULL, &wait->result, NULL);
  wait->finished = TRUE;
}

static double
daemon_sync (OfHarness *harness)
{
  Wait wait = { FALSE, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint id = g_dbus_connection_signal_subscribe (harness->conn, "org.offlinefiles.BackgroundSync",
                                                 "org.offlinefiles.BackgroundSync", "SyncFinished",
                                                 "/org/offlinefiles/BackgroundSync", NULL,
                                                 G_DBUS_SIGNAL_FLAGS_NONE, on_finished, &wait, NULL);
  gint64 start = g_get_monotonic_time ();

  reply = of_harness_call (harness, "org.offlinefiles.BackgroundSync", "SyncNow", NULL,
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  of_harness_wait_for (&wait.finished, 600000);
  g_dbus_connection_signal_unsubscribe (harness->conn, id);
  g_assert_cmpstr (wait.result, ==, "success");
  g_free (wait.result);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
direct_sync (OfHarness *harness, const char *set, guint n)
{
  g_autofree char *archive = g_strdup_printf ("%s/%s-archive", harness->dir, set);
  gint64 start;

  g_mkdir_with_parents (archive, 0700);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *local = g_strdup_printf ("%s/%s/local-%u", harness->dir, set, i);
      g_autofree char *remote = g_strdup_printf ("%s/%s/remote-%u", harness->dir, set, i);
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) unison = NULL;
      g_autoptr(GError) error = NULL;

      g_subprocess_launcher_setenv (launcher, "UNISON", archive, TRUE);
      g_subprocess_launcher_setenv (launcher, "UNISONLOCALHOSTNAME", "offlinefiles", TRUE);
      unison = g_subprocess_launcher_spawn (launcher, &error, "unison", "-batch", "-ui", "text", "-terse",
                                            "-dumbtty", "-color", "false", "-log=false",
                                            "-confirmbigdel=true", "-root", local, "-root", remote, NULL);
      g_assert_no_error (error);
      g_subprocess_wait_check (unison, NULL, &error);
      g_assert_no_error (error);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

static gint64
timed (OfHarness *harness, const char *iface, const char *method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 start = g_get_monotonic_time ();

  reply = of_harness_call (harness, iface, method, NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  return g_get_monotonic_time () - start;
}

static int
compare (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

int
main (void)
{
  const guint sizes[] = { 1, 10, 100 };

  printf ("# sync of N shares (%d small files each, first sync), daemon vs unison in a loop\n", FILES_PER_SHARE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      /* SyncNow asks polkit (root is always allowed). */
      g_autoptr(OfHarness) harness = of_harness_new (TRUE);
      g_autofree char *set_daemon = g_strdup_printf ("daemon%u", sizes[s]);
      g_autofree char *set_direct = g_strdup_printf ("direct%u", sizes[s]);
      double by_daemon, by_hand;

      make_shares (harness, set_daemon, sizes[s], TRUE);
      make_shares (harness, set_direct, sizes[s], FALSE);
      of_harness_start_daemon (harness, NULL);
      by_daemon = daemon_sync (harness);
      by_hand = direct_sync (harness, set_direct, sizes[s]);
      printf ("# N=%3u  daemon %.3f s  direct %.3f s  ratio %.3f\n", sizes[s], by_daemon, by_hand,
              by_daemon / by_hand);
    }

  {
    g_autoptr(OfHarness) harness = of_harness_new (FALSE);
    g_autoptr(GArray) ping = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) objects = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autofree char *shares_dir = g_build_filename (harness->config_dir, "shares.d", NULL);

    g_mkdir_with_parents (shares_dir, 0755);
    for (guint i = 0; i < 1000; i++)
      {
        g_autofree char *path = g_strdup_printf ("%s/s%04u.conf", shares_dir, i);
        g_autofree char *conf = g_strdup_printf ("[Share]\nLocalPath=/srv/offline/s%u\nRemotePath=/mnt/server/s%u\nUser=root\n", i, i);
        g_file_set_contents (path, conf, -1, NULL);
      }
    of_harness_start_daemon (harness, NULL);
    for (int i = 0; i < 220; i++)
      {
        gint64 a = timed (harness, "org.freedesktop.DBus.Peer", "Ping");
        gint64 b = timed (harness, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects");
        if (i < 20)
          continue;  /* warm-up */
        g_array_append_val (ping, a);
        g_array_append_val (objects, b);
      }
    g_array_sort (ping, compare);
    g_array_sort (objects, compare);
    printf ("# GetManagedObjects with 1000 shares: p50 %" G_GINT64_FORMAT " us, Ping p50 %" G_GINT64_FORMAT
            " us, ratio %.1f\n", g_array_index (objects, gint64, 100), g_array_index (ping, gint64, 100),
            (double) g_array_index (objects, gint64, 100) / g_array_index (ping, gint64, 100));
  }
  printf ("1..1\nok 1 /bench/sync\n");
  return 0;
}
