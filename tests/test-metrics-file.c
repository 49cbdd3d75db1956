/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-metrics-file.c — the metrics file as Prometheus sees it: the real
 * prometheus-node-exporter on loopback, its textfile collector pointed at
 * the directory of [Daemon] MetricsFile=, scraped over HTTP while the real
 * daemon starts, syncs a share with the real unison (a success, then a
 * conflict), reloads, and moves the file; and kill -9 of the daemon in the
 * middle of its writes, after which the exporter still reads every file
 * (node_textfile_scrape_error 0) and the file is whole. */
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "config.h"
#include "harness.h"
#include "names.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define USER OF_TEST_USER_ALLOW
#define EXPORTER "prometheus-node-exporter"
/* The last line the formatter writes: a file that ends with it is whole. */
#define LAST_FAMILY "offlinefiles_work_offline_shares_enabled"

typedef struct {
  OfHarness   *harness;
  GPtrArray   *events;     /* OfSyncEvent, owned by the harness */
  char        *prom_dir;   /* the exporter's textfile directory */
  char        *prom_file;  /* MetricsFile= */
  GSubprocess *exporter;
  guint16      port;
  uid_t        uid;
  gid_t        gid;
} Fixture;

static gboolean
need_exporter (void)
{
  g_autofree char *path = g_find_program_in_path (EXPORTER);

  if (path == NULL)
    {
      g_test_skip (EXPORTER " is not installed (tools/install-deps.sh installs it)");
      return FALSE;
    }
  return TRUE;
}

/* A port nobody listens on now (the exporter takes it a moment later). */
static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (socket);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* GET /metrics; NULL while the exporter does not answer. */
static char *
scrape_once (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *request = g_strdup_printf ("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                              fixture->port);
  GInputStream *in;
  char buffer[8192];
  gssize n;
  const char *text;

  g_socket_client_set_timeout (client, 5);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->port, NULL, NULL);
  if (connection == NULL)
    return NULL;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  request, strlen (request), NULL, NULL, NULL))
    return NULL;
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (body, (const guint8 *) buffer, (guint) n);
  g_byte_array_append (body, (const guint8 *) "", 1);
  text = (const char *) body->data;
  if (!g_str_has_prefix (text, "HTTP/1.") || strstr (text, " 200 ") == NULL || strstr (text, "\r\n\r\n") == NULL)
    return NULL;
  return g_strdup (strstr (text, "\r\n\r\n") + 4);
}

/* The value of the sample written exactly @series ("name{labels}"), NAN
 * when the exporter does not serve it. */
static double
sample (const char *body,
        const char *series)
{
  g_autofree char *needle = g_strdup_printf ("\n%s ", series);
  g_autofree char *haystack = g_strdup_printf ("\n%s", body);
  const char *at = strstr (haystack, needle);

  return at ? g_ascii_strtod (at + strlen (needle), NULL) : NAN;
}

/* Scrapes, and fails unless the exporter read every file. */
static char *
scrape (Fixture *fixture)
{
  char *body = NULL;

  for (int i = 0; i < 100 && body == NULL; i++)
    if ((body = scrape_once (fixture)) == NULL)
      g_usleep (100 * 1000);
  g_assert_nonnull (body);
  if (sample (body, "node_textfile_scrape_error") != 0)
    g_error ("the node exporter rejected a file in %s:\n%s", fixture->prom_dir, body);
  return body;
}

/* Scrapes until @series is @value (the file is written in a worker, a
 * moment after the event); returns the last body. */
static char *
scrape_until (Fixture    *fixture,
              const char *series,
              double      value)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      char *body = scrape (fixture);

      if (fabs (sample (body, series) - value) < 1e-3)
        return body;
      if (g_get_monotonic_time () > end)
        g_error ("%s never became %g; last scrape:\n%s", series, value, body);
      g_free (body);
      g_usleep (50 * 1000);
    }
}

/* Our series and the collector's verdict, for the test log. */
static void
show (const char *when,
      const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  g_autoptr(GString) ours = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "offlinefiles_") || g_str_has_prefix (lines[i], "node_textfile_"))
      g_string_append_printf (ours, "\n  %s", lines[i]);
  g_test_message ("%s:%s", when, ours->str);
}

static void
start_exporter (Fixture *fixture)
{
  g_autofree char *listen = NULL;
  g_autofree char *directory = g_strdup_printf ("--collector.textfile.directory=%s", fixture->prom_dir);
  g_autofree char *log = g_build_filename (fixture->harness->dir, "exporter.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GError) error = NULL;

  fixture->port = free_port ();
  listen = g_strdup_printf ("--web.listen-address=127.0.0.1:%u", fixture->port);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  fixture->exporter = g_subprocess_launcher_spawn (launcher, &error, EXPORTER, listen,
                                                   "--collector.disable-defaults", "--collector.textfile",
                                                   directory, NULL);
  g_assert_no_error (error);
}

static void
write_config (Fixture    *fixture,
              const char *settings,
              const char *metrics_file)
{
  g_autofree char *path = of_harness_config_path (fixture->harness);
  g_autofree char *contents = g_strdup_printf ("[BackgroundSync]\n%s\n[Daemon]\nMetricsFile=%s\n",
                                               settings, metrics_file);
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error);
  g_assert_no_error (error);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->events = of_harness_watch_syncs (fixture->harness);
  fixture->prom_dir = g_build_filename (fixture->harness->dir, "node-exporter", NULL);
  fixture->prom_file = g_build_filename (fixture->prom_dir, "offlinefiles.prom", NULL);
  g_assert_cmpint (g_mkdir (fixture->prom_dir, 0755), ==, 0);
  of_harness_lookup_user (USER, &fixture->uid, &fixture->gid);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  if (fixture->exporter)
    {
      g_subprocess_force_exit (fixture->exporter);
      g_subprocess_wait (fixture->exporter, NULL, NULL);
      g_clear_object (&fixture->exporter);
    }
  of_harness_clear (&fixture->harness);
  g_free (fixture->prom_dir);
  g_free (fixture->prom_file);
}

static guint64
sync_now_and_wait (Fixture *fixture, const char *expected_result)
{
  guint64 id = of_harness_sync_now (fixture->harness);
  OfSyncEvent *event = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);

  g_test_message ("sync %" G_GUINT64_FORMAT ": %s (%s)", id, event->detail, event->message);
  g_assert_cmpstr (event->detail, ==, expected_result);
  return id;
}

static double
bus_seconds (Fixture *fixture, const char *property)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, property);

  return (double) g_variant_get_uint64 (value) / 1e6;
}

static void
assert_close (double got, double expected, const char *what)
{
  if (isnan (got) || fabs (got - expected) > 1e-3)
    g_error ("%s: the exporter says %.6f, the daemon %.6f", what, got, expected);
}

static void
test_exporter (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  g_autofree char *body = NULL, *moved = NULL, *contents = NULL;
  g_autoptr(GError) error = NULL;
  double first_success, first_duration;

  (void) data;
  if (!of_harness_require_root ("run polkitd and the engine as another user") ||
      !of_harness_require_polkit (fixture->harness) || !need_exporter ())
    return;
  /* of_harness_require_polkit() also checks that the test users exist. */
  local = of_harness_user_dir (fixture->harness, "docs-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "docs-remote", fixture->uid, fixture->gid);
  of_harness_write_file_as (local, "report.txt", "base", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "docs", local, remote, USER, NULL);
  write_config (fixture, "SyncInterval=360\nSyncVariance=60", fixture->prom_file);

  start_exporter (fixture);
  of_harness_start_daemon (fixture->harness, NULL);

  /* At start: every series, zero counters, the plan as on the bus. */
  body = scrape_until (fixture, "offlinefiles_build_info{version=\"" PACKAGE_VERSION "\"}", 1);
  show ("after start", body);
  g_assert_cmpfloat (sample (body, "offlinefiles_syncs_total{result=\"success\"}"), ==, 0);
  g_assert_cmpfloat (sample (body, "offlinefiles_syncs_total{result=\"partial\"}"), ==, 0);
  g_assert_cmpfloat (sample (body, "offlinefiles_syncs_total{result=\"failed\"}"), ==, 0);
  g_assert_cmpfloat (sample (body, "offlinefiles_syncs_total{result=\"cancelled\"}"), ==, 0);
  g_assert_cmpfloat (sample (body, "offlinefiles_last_success_timestamp_seconds"), ==, 0);
  g_assert_cmpfloat (sample (body, "offlinefiles_share_last_success_timestamp_seconds{share=\"docs\"}"), ==, 0);
  g_assert_true (isnan (sample (body, "offlinefiles_share_last_duration_seconds{share=\"docs\"}")));
  g_assert_cmpfloat (sample (body, "offlinefiles_sync_interval_seconds"), ==, 21600);
  g_assert_cmpfloat (sample (body, "offlinefiles_sync_variance_seconds"), ==, 3600);
  assert_close (sample (body, "offlinefiles_next_sync_timestamp_seconds"),
                bus_seconds (fixture, "NextSyncTime"), "next sync");
  /* Nothing from inside the share, and no invented series. */
  g_assert_null (strstr (body, "report.txt"));
  g_assert_null (strstr (body, local));
  g_assert_cmpfloat (sample (body, "offlinefiles_share_conflicts{share=\"docs\"}"), ==, 0);
  /* No NetworkManager or UPower here: nothing is held back. */
  g_assert_cmpfloat (sample (body, "offlinefiles_deferred{reason=\"costed-network\"}"), ==, 0);
  g_assert_cmpfloat (sample (body, "offlinefiles_deferred{reason=\"on-battery\"}"), ==, 0);

  /* A sync that succeeds. */
  sync_now_and_wait (fixture, "success");
  g_clear_pointer (&body, g_free);
  body = scrape_until (fixture, "offlinefiles_syncs_total{result=\"success\"}", 1);
  show ("after a sync", body);
  assert_close (sample (body, "offlinefiles_last_success_timestamp_seconds"),
                bus_seconds (fixture, "LastSuccessfulSyncTime"), "last success");
  assert_close (sample (body, "offlinefiles_last_sync_start_timestamp_seconds"),
                bus_seconds (fixture, "LastSuccessfulSyncTime"), "last sync start");
  /* The sync probed the share first: it is online. */
  g_clear_pointer (&body, g_free);
  body = scrape_until (fixture, "offlinefiles_share_online{share=\"docs\"}", 1);
  first_success = sample (body, "offlinefiles_share_last_success_timestamp_seconds{share=\"docs\"}");
  first_duration = sample (body, "offlinefiles_share_last_duration_seconds{share=\"docs\"}");
  g_assert_cmpfloat (first_success, >=, sample (body, "offlinefiles_last_success_timestamp_seconds"));
  g_assert_cmpfloat (first_duration, >, 0);
  g_assert_cmpfloat (first_duration, <, 60);

  /* A conflict: partial, and the share's last success stays. */
  g_usleep (1100 * 1000);  /* a different mtime on both sides */
  of_harness_write_file_as (local, "report.txt", "changed here", fixture->uid, fixture->gid);
  of_harness_write_file_as (remote, "report.txt", "changed there", fixture->uid, fixture->gid);
  sync_now_and_wait (fixture, "partial");
  g_clear_pointer (&body, g_free);
  body = scrape_until (fixture, "offlinefiles_syncs_total{result=\"partial\"}", 1);
  show ("after a conflict", body);
  g_assert_cmpfloat (sample (body, "offlinefiles_syncs_total{result=\"success\"}"), ==, 1);
  assert_close (sample (body, "offlinefiles_share_last_success_timestamp_seconds{share=\"docs\"}"),
                first_success, "the share's last success after a conflict");
  g_assert_cmpfloat (sample (body, "offlinefiles_last_sync_start_timestamp_seconds"), >,
                     sample (body, "offlinefiles_last_success_timestamp_seconds"));
  g_assert_cmpfloat (sample (body, "offlinefiles_share_conflicts{share=\"docs\"}"), ==, 1);
  g_assert_null (strstr (body, "report.txt"));

  /* Resolved: the count follows without a sync. */
  {
    g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync (fixture->harness->conn, OF_BUS_NAME, OF_SHARE_PATH_PREFIX "docs",
                                   OF_INTERFACE_SHARE, "ResolveConflicts",
                                   g_variant_new_parsed ("([('report.txt', 'keep-local')],)"),
                                   G_VARIANT_TYPE ("(a(sss))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = g_variant_print (reply, FALSE);
    g_assert_cmpstr (text, ==, "([('report.txt', 'resolved', 'keep-local')],)");
  }
  g_clear_pointer (&body, g_free);
  body = scrape_until (fixture, "offlinefiles_share_conflicts{share=\"docs\"}", 0);
  g_assert_null (strstr (body, "report.txt"));

  /* A reload with new settings: the gauges follow, in seconds. */
  write_config (fixture, "SyncInterval=90\nSyncVariance=15\nBlockOutStartTimeHoursMinutes=2230\n"
                "BlockOutDurationMin=480\nMaxTimeBetweenSyncs=1440", fixture->prom_file);
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  g_clear_pointer (&body, g_free);
  body = scrape_until (fixture, "offlinefiles_sync_interval_seconds", 5400);
  g_assert_cmpfloat (sample (body, "offlinefiles_sync_variance_seconds"), ==, 900);
  g_assert_cmpfloat (sample (body, "offlinefiles_blockout_start_seconds"), ==, 81000);
  g_assert_cmpfloat (sample (body, "offlinefiles_blockout_duration_seconds"), ==, 28800);
  g_assert_cmpfloat (sample (body, "offlinefiles_max_time_between_syncs_seconds"), ==, 86400);
  assert_close (sample (body, "offlinefiles_next_sync_timestamp_seconds"),
                bus_seconds (fixture, "NextSyncTime"), "next sync after the reload");
  /* Counters survive a reload: they count since the daemon started. */
  g_assert_cmpfloat (sample (body, "offlinefiles_syncs_total{result=\"success\"}"), ==, 1);

  /* A bad MetricsFile= rejects the reload: the file stays where it is. */
  write_config (fixture, "SyncInterval=45", "relative/offlinefiles.prom");
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  of_harness_settle (fixture->harness);
  g_clear_pointer (&body, g_free);
  body = scrape (fixture);
  g_assert_cmpfloat (sample (body, "offlinefiles_sync_interval_seconds"), ==, 5400);
  g_assert_true (g_file_test (fixture->prom_file, G_FILE_TEST_EXISTS));

  /* Moved: the old file goes (no stale numbers on show), the new one is served. */
  moved = g_build_filename (fixture->prom_dir, "moved.prom", NULL);
  write_config (fixture, "SyncInterval=45", moved);
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  g_clear_pointer (&body, g_free);
  body = scrape_until (fixture, "offlinefiles_sync_interval_seconds", 2700);
  g_assert_false (g_file_test (fixture->prom_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (moved, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\n" LAST_FAMILY " 0\n"));
  {
    g_autofree char *mtime = g_strdup_printf ("node_textfile_mtime_seconds{file=\"%s\"}", moved);
    g_autofree char *old_mtime = g_strdup_printf ("node_textfile_mtime_seconds{file=\"%s\"}", fixture->prom_file);
    g_autofree char *mtime_short = g_strdup_printf ("node_textfile_mtime_seconds{file=\"moved.prom\"}");
    g_autofree char *old_short = g_strdup_printf ("node_textfile_mtime_seconds{file=\"offlinefiles.prom\"}");

    /* The exporter names files by path or by base name, by version. */
    g_assert_true (!isnan (sample (body, mtime)) || !isnan (sample (body, mtime_short)));
    g_assert_true (isnan (sample (body, old_mtime)) && isnan (sample (body, old_short)));
  }
}

/* ---- kill -9 during writes ---- */

typedef struct {
  guint pending;
} Calls;

static void
call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Calls *calls = user_data;
  /* Answered or not: a kill may cut any of them short. */
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  if (reply != NULL)
    g_variant_unref (reply);
  calls->pending--;
}

static gboolean
name_has_owner (Fixture *fixture)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.freedesktop.DBus",
                                                           "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                           "NameHasOwner", g_variant_new ("(s)", IFACE),
                                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                                           -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static guint
count_temp_files (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->prom_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, "offlinefiles.prom.");
  return n;
}

/* The temp files there now, by name. */
static GPtrArray *
temp_files (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->prom_dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "offlinefiles.prom."))
      g_ptr_array_add (names, g_build_filename (fixture->prom_dir, name, NULL));
  return names;
}

static void
test_kill (Fixture *fixture, gconstpointer data)
{
  g_autofree char *contents = NULL;
  gint64 budget_end;
  guint rounds = 0, with_temp = 0;

  (void) data;
  if (!of_harness_require_root ("run polkitd") || !of_harness_require_polkit (fixture->harness) ||
      !need_exporter ())
    return;
  write_config (fixture, "SyncInterval=360", fixture->prom_file);
  start_exporter (fixture);

  /* Bounded in count and in time. */
  budget_end = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (rounds < 40 && g_get_monotonic_time () < budget_end)
    {
      Calls calls = { 0 };
      g_autofree char *body = NULL;

      of_harness_start_daemon (fixture->harness, NULL);
      /* Each Set changes a gauge, so each one rewrites the file. */
      for (guint i = 0; i < 6; i++)
        {
          calls.pending++;
          g_dbus_connection_call (fixture->harness->conn, IFACE, "/org/offlinefiles/BackgroundSync",
                                  "org.freedesktop.DBus.Properties", "Set",
                                  g_variant_new ("(ssv)", IFACE, "SyncInterval",
                                                 g_variant_new_uint16 ((guint16) (100 + rounds * 6 + i))),
                                  NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, call_done, &calls);
        }
      {
        gint64 until = g_get_monotonic_time () + g_random_int_range (0, 40) * 1000;

        while (g_get_monotonic_time () < until)
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (200);
      }
      g_subprocess_send_signal (fixture->harness->daemon, SIGKILL);
      g_subprocess_wait (fixture->harness->daemon, NULL, NULL);
      g_clear_object (&fixture->harness->daemon);
      while (calls.pending > 0)
        g_main_context_iteration (NULL, TRUE);
      while (name_has_owner (fixture))
        g_usleep (1000);
      rounds++;
      with_temp += count_temp_files (fixture) > 0;

      /* Whole or absent, never half: the exporter takes every file. */
      body = scrape (fixture);
      g_clear_pointer (&contents, g_free);
      if (g_file_get_contents (fixture->prom_file, &contents, NULL, NULL))
        {
          g_assert_true (g_str_has_prefix (contents, "# HELP offlinefiles_build_info "));
          g_assert_true (g_str_has_suffix (contents, "\n" LAST_FAMILY " 0\n"));
          g_assert_cmpfloat (sample (body, "offlinefiles_build_info{version=\"" PACKAGE_VERSION "\"}"), ==, 1);
        }
    }
  g_test_message ("%u kills, %u of them left a temp file behind (the exporter ignores them)",
                  rounds, with_temp);
  g_assert_cmpuint (rounds, >=, 10);

  /* The next start clears what the kills left, and writes a whole file
   * (its own temp file exists for a moment, until the rename). */
  {
    g_autofree char *planted = g_strconcat (fixture->prom_file, ".Xy12Z9", NULL);
    g_autoptr(GPtrArray) leftovers = NULL;
    guint left;
    gint64 end;

    /* One for sure, as a kill between create and rename leaves it. */
    g_file_set_contents (planted, "# HELP offlinefiles_build_info half", -1, NULL);
    left = count_temp_files (fixture);
    leftovers = temp_files (fixture);

    of_harness_start_daemon (fixture->harness, NULL);
    g_free (scrape_until (fixture, "offlinefiles_build_info{version=\"" PACKAGE_VERSION "\"}", 1));
    end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
    while (count_temp_files (fixture) > 0 && g_get_monotonic_time () < end)
      of_harness_settle (fixture->harness);
    g_test_message ("%u temp files before the restart, %u after", left, count_temp_files (fixture));
    g_assert_cmpuint (left, >=, 1);
    /* Every leftover is gone; a write of this daemon may still be in
     * flight when the machine is busy (a mount elsewhere makes it probe
     * its shares), so only its own temp file may be seen then. */
    for (guint i = 0; i < leftovers->len; i++)
      g_assert_false (g_file_test (leftovers->pdata[i], G_FILE_TEST_EXISTS));
    g_assert_cmpuint (count_temp_files (fixture), <=, 1);
  }
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (fixture->prom_file, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n" LAST_FAMILY " 0\n"));
}

/* A directory that is missing at start (the exporter not installed yet):
 * the failed write is retried at the next event, a reload, even though
 * the figures did not change. */
static void
test_missing_directory (Fixture *fixture, gconstpointer data)
{
  g_autofree char *later_dir = g_build_filename (fixture->harness->dir, "later", NULL);
  g_autofree char *later = g_build_filename (later_dir, "offlinefiles.prom", NULL);
  g_autofree char *contents = NULL;
  gint64 end;

  (void) data;
  if (!of_harness_require_root ("run polkitd"))
    return;
  write_config (fixture, "SyncInterval=360", later);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  g_assert_false (g_file_test (later, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_mkdir (later_dir, 0755), ==, 0);
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!g_file_get_contents (later, &contents, NULL, NULL) && g_get_monotonic_time () < end)
    {
      of_harness_settle (fixture->harness);
      g_usleep (50 * 1000);
    }
  g_assert_nonnull (contents);
  g_assert_true (g_str_has_suffix (contents, "\n" LAST_FAMILY " 0\n"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/metrics-file/exporter", Fixture, NULL, setup, test_exporter, teardown);
  g_test_add ("/metrics-file/kill", Fixture, NULL, setup, test_kill, teardown);
  g_test_add ("/metrics-file/missing-directory", Fixture, NULL, setup, test_missing_directory, teardown);
  return g_test_run ();
}
