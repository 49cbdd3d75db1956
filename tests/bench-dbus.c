/* bench-dbus.c — property reads against Peer.Ping on the same connection,
 * and the daemon's idle RSS against a minimal GDBus name owner.
 * Prints figures; asserts nothing about speed. */
#include <stdio.h>

#include "harness.h"

#define ROUNDS 10000
#define WARMUP 1000

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

static gint64
percentile (GArray *samples, double p)
{
  g_array_sort (samples, compare_gint64);
  return g_array_index (samples, gint64, (guint) (p * (samples->len - 1)));
}

static gint64
timed_call (GDBusConnection *conn, const char *iface, const char *method, GVariant *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 start = g_get_monotonic_time ();

  reply = g_dbus_connection_call_sync (conn, "org.offlinefiles.BackgroundSync",
                                       "/org/offlinefiles/BackgroundSync", iface, method,
                                       params, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return g_get_monotonic_time () - start;
}

static long
rss_kib (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? strtol (line + 6, NULL, 10) : -1;
}

int
main (int argc, char *argv[])
{
  g_autoptr(OfHarness) harness = NULL;
  g_autoptr(GArray) ping = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) get = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) get_all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GSubprocess) minimal = NULL;
  g_autoptr(GError) error = NULL;
  gint64 p50_ping, p50_get, p50_all, p99_ping, p99_get, p99_all;
  long daemon_rss, minimal_rss;
  g_autofree char *daemon_pid = NULL;

  (void) argc; (void) argv;
  harness = of_harness_new (FALSE);
  of_harness_start_daemon (harness, NULL);
  daemon_pid = g_strdup (g_subprocess_get_identifier (harness->daemon));

  for (int i = 0; i < WARMUP; i++)
    {
      timed_call (harness->conn, "org.freedesktop.DBus.Peer", "Ping", NULL);
      timed_call (harness->conn, "org.freedesktop.DBus.Properties", "Get",
                  g_variant_new ("(ss)", "org.offlinefiles.BackgroundSync", "SyncInterval"));
    }
  /* Interleaved, so drift of the machine hits all three alike. */
  for (int i = 0; i < ROUNDS; i++)
    {
      gint64 t;
      t = timed_call (harness->conn, "org.freedesktop.DBus.Peer", "Ping", NULL);
      g_array_append_val (ping, t);
      t = timed_call (harness->conn, "org.freedesktop.DBus.Properties", "Get",
                      g_variant_new ("(ss)", "org.offlinefiles.BackgroundSync", "SyncInterval"));
      g_array_append_val (get, t);
      t = timed_call (harness->conn, "org.freedesktop.DBus.Properties", "GetAll",
                      g_variant_new ("(s)", "org.offlinefiles.BackgroundSync"));
      g_array_append_val (get_all, t);
    }

  p50_ping = percentile (ping, 0.50); p99_ping = percentile (ping, 0.99);
  p50_get = percentile (get, 0.50); p99_get = percentile (get, 0.99);
  p50_all = percentile (get_all, 0.50); p99_all = percentile (get_all, 0.99);
  printf ("# %d interleaved calls each on one connection, after %d warm-up rounds\n", ROUNDS, WARMUP);
  printf ("# Ping   p50 %5" G_GINT64_FORMAT " us  p99 %5" G_GINT64_FORMAT " us\n", p50_ping, p99_ping);
  printf ("# Get    p50 %5" G_GINT64_FORMAT " us  p99 %5" G_GINT64_FORMAT " us\n", p50_get, p99_get);
  printf ("# GetAll p50 %5" G_GINT64_FORMAT " us  p99 %5" G_GINT64_FORMAT " us\n", p50_all, p99_all);
  printf ("# Get/Ping p50 %.2f  p99 %.2f\n", (double) p50_get / p50_ping, (double) p99_get / p99_ping);
  printf ("# GetAll/Ping p50 %.2f  p99 %.2f\n", (double) p50_all / p50_ping, (double) p99_all / p99_ping);

  minimal = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("OF_MINIMAL_OWNER"), NULL);
  g_assert_no_error (error);
  g_usleep (G_USEC_PER_SEC);
  daemon_rss = rss_kib (daemon_pid);
  minimal_rss = rss_kib (g_subprocess_get_identifier (minimal));
  printf ("# idle RSS: daemon %ld KiB, minimal GDBus name owner %ld KiB, difference %+ld KiB\n",
          daemon_rss, minimal_rss, daemon_rss - minimal_rss);
  g_subprocess_force_exit (minimal);
  g_subprocess_wait (minimal, NULL, NULL);

  printf ("1..1\nok 1 /bench/dbus\n");
  return 0;
}
