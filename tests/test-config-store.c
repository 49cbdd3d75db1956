/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-config-store.c — loading, validating and saving background-sync.conf. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "config-store.h"
#include "log-capture.h"
#include "errors.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

/* What the code under test warned about (log-capture.h). */
static GPtrArray *logged;

static void
assert_logged (const char *pattern)
{
  for (guint i = 0; i < logged->len; i++)
    if (g_pattern_match_simple (pattern, logged->pdata[i]))
      return;
  g_error ("nothing logged matches %s", pattern);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("offlinefiles-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, OF_CONFIG_FILE_NAME, NULL);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  (void) data;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (fixture->dir, name, NULL);
      g_unlink (child);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
write_file (Fixture *fixture, const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_file_set_contents (fixture->path, contents, -1, &error);
  g_assert_no_error (error);
}

typedef struct {
  OfConfigStore *store;
  gboolean       done;
  gboolean       ok;
  GError        *error;
} SaveResult;

static void
save_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SaveResult *save = user_data;
  (void) source;
  save->ok = of_config_store_save_finish (save->store, result, &save->error);
  save->done = TRUE;
}

static gboolean
save (OfConfigStore *store, const OfSettings *settings, guint mask, GError **error)
{
  SaveResult result = { store, FALSE, FALSE, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  of_config_store_save_async (store, settings, mask, cancellable, save_done, &result);
  while (!result.done)
    g_main_context_iteration (NULL, TRUE);
  if (result.error)
    g_propagate_error (error, result.error);
  return result.ok;
}

static void
test_missing (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  OfSettings s, defaults;

  (void) data;
  of_settings_init_defaults (&defaults);
  g_assert_true (of_config_store_load (store, &s));
  g_assert_true (of_settings_equal (&s, &defaults));
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
test_invalid_keys_fall_back (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  OfSettings s;

  (void) data;
  write_file (fixture,
              "[BackgroundSync]\n"
              "SyncInterval=1441\n"
              "SyncVariance= 12 \n"
              "MaxTimeBetweenSyncs=0x10\n"
              "BlockOutStartTimeHoursMinutes=2230\n"
              "BlockOutDurationMin=abc\n"
              "BackgroundSyncWorkOfflineSharesEnabled=true\n");
  g_assert_true (of_config_store_load (store, &s));
  assert_logged ("*background-sync.conf: SyncInterval=1441: SyncInterval must be 0..1440 minutes, got 1441");
  assert_logged ("*MaxTimeBetweenSyncs=0x10*");
  assert_logged ("*BlockOutDurationMin=abc*");
  g_assert_cmpuint (s.sync_interval, ==, 360);
  g_assert_cmpuint (s.sync_variance, ==, 12);
  g_assert_cmpuint (s.max_time_between_syncs, ==, 0);
  g_assert_cmpuint (s.block_out_start, ==, 2230);
  g_assert_cmpuint (s.block_out_duration, ==, 0);
  g_assert_true (s.work_offline_shares_enabled);
}

static void
test_save_keeps_comments (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  g_autoptr(OfConfigStore) reread = of_config_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  OfSettings s, t;
  struct stat st;

  (void) data;
  write_file (fixture, "# top\n[BackgroundSync]\n# about the interval\nSyncInterval=5\nOther=x\n[Else]\nk=v\n");
  g_assert_true (of_config_store_load (store, &s));
  s.sync_interval = 6;
  s.work_offline_shares_enabled = TRUE;
  g_assert_true (save (store, &s, (1u << OF_SETTING_SYNC_INTERVAL) | (1u << OF_SETTING_WORK_OFFLINE_SHARES_ENABLED), &error));
  g_assert_no_error (error);

  g_file_get_contents (fixture->path, &contents, NULL, NULL);
  g_assert_true (g_str_has_prefix (contents, "# top\n"));
  g_assert_nonnull (strstr (contents, "[BackgroundSync]\n# about the interval\nSyncInterval=6\nOther=x\n"));
  g_assert_nonnull (strstr (contents, "BackgroundSyncWorkOfflineSharesEnabled=true\n"));
  g_assert_nonnull (strstr (contents, "[Else]\nk=v\n"));
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0644);

  g_assert_true (of_config_store_load (reread, &t));
  g_assert_true (of_settings_equal (&s, &t));

  /* Saving again and again does not make the file grow. */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *again = NULL;

      s.sync_interval = 7 + i % 2;
      g_assert_true (save (store, &s, 1u << OF_SETTING_SYNC_INTERVAL, &error));
      s.sync_interval = 6;
      g_assert_true (save (store, &s, 1u << OF_SETTING_SYNC_INTERVAL, &error));
      g_file_get_contents (fixture->path, &again, NULL, NULL);
      g_assert_cmpstr (again, ==, contents);
    }
}

static void
test_save_only_masked (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  OfSettings s;

  (void) data;
  g_assert_true (of_config_store_load (store, &s));
  s.sync_variance = 9;
  s.sync_interval = 10;  /* not in the mask: not written */
  g_assert_true (save (store, &s, 1u << OF_SETTING_SYNC_VARIANCE, &error));
  g_file_get_contents (fixture->path, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, "[BackgroundSync]\nSyncVariance=9\n");
}

static void
test_unusable_file_is_never_overwritten (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  OfSettings s;

  (void) data;
  write_file (fixture, "garbage without a group\n");
  g_assert_false (of_config_store_load (store, &s));
  assert_logged ("*not a valid key file*");

  s.sync_interval = 1;
  g_assert_false (save (store, &s, 1u << OF_SETTING_SYNC_INTERVAL, &error));
  g_assert_error (error, OF_ERROR, OF_ERROR_STORAGE);
  g_file_get_contents (fixture->path, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, "garbage without a group\n");
}

static void
test_save_fails_cleanly (Fixture *fixture, gconstpointer data)
{
  g_autofree char *gone = g_build_filename (fixture->dir, "gone", NULL);
  g_autoptr(OfConfigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  OfSettings s;

  (void) data;
  /* A directory that vanished under the daemon. */
  g_mkdir (gone, 0755);
  store = of_config_store_new (gone);
  g_assert_true (of_config_store_load (store, &s));
  g_rmdir (gone);
  s.sync_interval = 1;
  g_assert_false (save (store, &s, 1u << OF_SETTING_SYNC_INTERVAL, &error));
  g_assert_error (error, OF_ERROR, OF_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
}

static void
test_read_small_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fifo = g_build_filename (fixture->dir, "fifo", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  (void) data;
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* Must come back at once, not wait for a writer. */
  g_assert_false (of_read_small_file (fifo, 100, &contents, &length, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);
  g_unlink (fifo);

  write_file (fixture, "0123456789");
  g_assert_false (of_read_small_file (fixture->path, 9, &contents, &length, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_true (of_read_small_file (fixture->path, 10, &contents, &length, &error));
  g_assert_cmpstr (contents, ==, "0123456789");
  g_assert_cmpuint (length, ==, 10);

  g_assert_false (of_read_small_file (fixture->dir, 10, &contents, &length, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
}

/* [Daemon] MetricsFile=: file-only, drop-ins win, a bad value is refused
 * (ignored at start, rejecting a reload), and saves keep the group. */
static void
test_metrics_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *dropin_dir = g_build_filename (fixture->dir, OF_CONFIG_DROPIN_DIR_NAME, NULL);
  g_autofree char *dropin = g_build_filename (dropin_dir, "50-metrics.conf", NULL);
  g_autofree char *contents = NULL;
  const char *bad[] = { "relative/x.prom", "/a/../x.prom", "/a/./x.prom", "/a//x.prom", "/a/", "/" };
  OfSettings s;

  (void) data;
  /* Off by default. */
  g_assert_true (of_config_store_load (store, &s));
  g_assert_null (of_config_store_get_metrics_file (store));

  write_file (fixture, "[BackgroundSync]\nSyncInterval=90\n"
              "[Daemon]\nMetricsFile=/var/lib/prometheus/node-exporter/offlinefiles.prom\n");
  g_assert_true (of_config_store_load (store, &s));
  g_assert_cmpstr (of_config_store_get_metrics_file (store), ==,
                   "/var/lib/prometheus/node-exporter/offlinefiles.prom");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("[Daemon]\nMetricsFile=%s\n", bad[i]);
      g_autofree char *pattern = g_strdup_printf ("*MetricsFile=%s: must be an absolute path*", bad[i]);

      write_file (fixture, "[Daemon]\nMetricsFile=/var/lib/prometheus/node-exporter/offlinefiles.prom\n");
      g_assert_true (of_config_store_load (store, &s));
      write_file (fixture, text);
      /* A reload refuses it and keeps the last good path... */
      g_assert_false (of_config_store_reload (store, &error));
      g_assert_nonnull (strstr (error->message, "MetricsFile"));
      g_clear_error (&error);
      g_assert_cmpstr (of_config_store_get_metrics_file (store), ==,
                       "/var/lib/prometheus/node-exporter/offlinefiles.prom");
      /* ...a start reports it and runs without metrics. */
      g_assert_true (of_config_store_load (store, &s));
      assert_logged (pattern);
      g_assert_null (of_config_store_get_metrics_file (store));
    }

  /* A drop-in wins; an empty value there turns metrics off. */
  write_file (fixture, "[Daemon]\nMetricsFile=/srv/main.prom\nNoSuchKey=1\n");
  g_assert_cmpint (g_mkdir (dropin_dir, 0755), ==, 0);
  g_file_set_contents (dropin, "[Daemon]\nMetricsFile=/srv/dropin.prom\n", -1, &error);
  g_assert_no_error (error);
  g_assert_true (of_config_store_reload (store, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (of_config_store_get_metrics_file (store), ==, "/srv/dropin.prom");
  assert_logged ("*unknown key NoSuchKey in [Daemon] ignored");
  g_file_set_contents (dropin, "[Daemon]\nMetricsFile=\n", -1, &error);
  g_assert_no_error (error);
  g_assert_true (of_config_store_reload (store, &error));
  g_assert_null (of_config_store_get_metrics_file (store));
  g_unlink (dropin);
  g_rmdir (dropin_dir);
  g_assert_true (of_config_store_reload (store, &error));
  g_assert_cmpstr (of_config_store_get_metrics_file (store), ==, "/srv/main.prom");

  /* A write over the bus keeps the file-only group. */
  s = *of_config_store_get_settings (store);
  s.sync_interval = 77;
  g_assert_true (save (store, &s, 1u << OF_SETTING_SYNC_INTERVAL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (fixture->path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "MetricsFile=/srv/main.prom"));
  g_assert_nonnull (strstr (contents, "SyncInterval=77"));
}

/* docs/behaviour.md §14: the [MachineConfiguration] group — read,
 * validated, saved in its own group beside [BackgroundSync]. */
static void
test_machine_configuration (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigStore) store = of_config_store_new (fixture->dir);
  g_autoptr(OfConfigStore) reread = of_config_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  OfSettings s, t;

  (void) data;
  write_file (fixture, "[BackgroundSync]\nSyncInterval=5\n"
                       "[MachineConfiguration]\n# fleet default\nSyncOnBatteryEnabled=false\n"
                       "SlowLinkProbeTimeoutSec=31\nSyncOnCostedNetworkEnabled=yes\n"
                       /* A key of the other group is not read here. */
                       "SyncInterval=7\n");
  g_assert_true (of_config_store_load (store, &s));
  g_assert_cmpuint (s.sync_interval, ==, 5);
  g_assert_false (s.sync_on_battery_enabled);
  /* Invalid values keep their defaults, and say so with file, key and value. */
  g_assert_cmpuint (s.slow_link_probe_timeout_sec, ==, 2);
  g_assert_false (s.sync_on_costed_network_enabled);
  assert_logged ("*SlowLinkProbeTimeoutSec=31: SlowLinkProbeTimeoutSec must be 1..30 seconds, got 31*");
  assert_logged ("*SyncOnCostedNetworkEnabled=yes: SyncOnCostedNetworkEnabled must be true or false*");

  s.slow_link_probe_timeout_sec = 7;
  s.sync_on_costed_network_enabled = TRUE;
  g_assert_true (save (store, &s, (1u << OF_SETTING_SLOW_LINK_PROBE_TIMEOUT) |
                                  (1u << OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED), &error));
  g_assert_no_error (error);
  g_file_get_contents (fixture->path, &contents, NULL, NULL);
  g_assert_nonnull (strstr (contents, "[MachineConfiguration]\n# fleet default\nSyncOnBatteryEnabled=false\n"
                                      "SlowLinkProbeTimeoutSec=7\nSyncOnCostedNetworkEnabled=true\n"));
  g_assert_true (of_config_store_load (reread, &t));
  g_assert_cmpuint (t.slow_link_probe_timeout_sec, ==, 7);
  g_assert_true (t.sync_on_costed_network_enabled);
  g_assert_cmpuint (t.sync_interval, ==, 5);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  logged = of_test_capture_warnings ();
  /* Invalid files are expected here: their warnings are checked, not fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
#define ADD(path, func) g_test_add ("/config-store/" path, Fixture, NULL, setup, func, teardown)
  ADD ("missing", test_missing);
  ADD ("invalid-keys-fall-back", test_invalid_keys_fall_back);
  ADD ("save-keeps-comments", test_save_keeps_comments);
  ADD ("save-only-masked", test_save_only_masked);
  ADD ("unusable-file-is-never-overwritten", test_unusable_file_is_never_overwritten);
  ADD ("save-fails-cleanly", test_save_fails_cleanly);
  ADD ("read-small-file", test_read_small_file);
  ADD ("metrics-file", test_metrics_file);
  ADD ("machine-configuration", test_machine_configuration);
#undef ADD
  return g_test_run ();
}
