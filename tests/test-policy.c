/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-policy.c — admin drop-ins: fixed properties, Error.Locked, live
 * reload on file change and SIGHUP, all-or-nothing validation. */
#include <signal.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"

typedef struct {
  OfHarness *harness;
  GPtrArray *changes;   /* owned by the harness */
  char      *dropins;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->dropins = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", NULL);
  g_mkdir (fixture->dropins, 0755);
  fixture->changes = of_harness_watch_properties (fixture->harness);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  of_harness_clear (&fixture->harness);
  g_free (fixture->dropins);
}

static void
start (Fixture *fixture)
{
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  g_ptr_array_set_size (fixture->changes, 0);
}

static void
dropin (Fixture *fixture, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dropins, name, NULL);
  g_autoptr(GError) error = NULL;

  if (contents == NULL)
    {
      g_unlink (path);
      return;
    }
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static guint
get_q (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  return g_variant_get_uint16 (value);
}

static char *
locked (Fixture *fixture)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, "LockedProperties");
  g_autofree const char **names = g_variant_get_strv (value, NULL);
  return g_strjoinv (",", (char **) names);
}

/* Waits for the reload the file watch triggers (after 1 s of quiet). */
static void
wait_for_change (Fixture *fixture, guint count)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (fixture->changes->len < count && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (fixture->changes->len, >=, count);
  /* ... and nothing more arrives (longer than the quiet period). */
  g_usleep (1500 * 1000);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, count);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* LockedBy as "Property=file,…", in name order. */
static char *
locked_by (Fixture *fixture)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, "LockedBy");
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const char *name, *file;

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &file))
    g_ptr_array_add (pairs, g_strdup_printf ("%s=%s", name, file));
  g_ptr_array_sort (pairs, compare_strings);
  g_ptr_array_add (pairs, NULL);
  return g_strjoinv (",", (char **) pairs->pdata);
}

static void
assert_locked_error (GError *error, const char *property, const char *file)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  g_assert_nonnull (error);
  g_assert_cmpstr (remote, ==, "org.offlinefiles.BackgroundSync.Error.Locked");
  g_assert_nonnull (strstr (error->message, property));
  g_assert_nonnull (strstr (error->message, file));
}

static void
test_locked_at_start (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *names = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  (void) data;
  dropin (fixture, "50-fleet.conf", "[BackgroundSync]\nSyncInterval=30\nBlockOutDurationMin=120\n");
  dropin (fixture, "60-power.conf", "[MachineConfiguration]\nSyncOnBatteryEnabled=false\n");
  start (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 30);
  names = locked (fixture);
  g_assert_cmpstr (names, ==, "BlockOutDurationMin,SyncInterval,SyncOnBatteryEnabled");
  {
    g_autofree char *by = locked_by (fixture);

    g_assert_cmpstr (by, ==, "BlockOutDurationMin=50-fleet.conf,SyncInterval=50-fleet.conf,"
                             "SyncOnBatteryEnabled=60-power.conf");
  }

  /* root is refused too, before polkit is asked. */
  g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (40), &error));
  assert_locked_error (error, "SyncInterval", "50-fleet.conf");
  g_clear_error (&error);

  reply = of_harness_call (fixture->harness, IFACE, "Configure",
                           g_variant_new_parsed ("({'SyncVariance': <uint16 5>, 'BlockOutDurationMin': <uint16 1>},)"),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_null (reply);
  assert_locked_error (error, "BlockOutDurationMin", "50-fleet.conf");
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 60);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  /* Unlocked properties stay writable. */
  g_clear_error (&error);
  g_assert_true (of_harness_set (fixture->harness, "SyncVariance", g_variant_new_uint16 (5), &error));

  if (!of_harness_require_polkit (fixture->harness))
    return;
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_ALLOW, &out, &err,
                                        "--method=org.freedesktop.DBus.Properties.Set",
                                        IFACE, "SyncInterval", "<uint16 41>", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "org.offlinefiles.BackgroundSync.Error.Locked"));
}

static void
test_order (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sub = g_build_filename (fixture->dropins, "99-dir.conf", NULL);

  (void) data;
  dropin (fixture, "20-b.conf", "[BackgroundSync]\nSyncInterval=20\n");
  dropin (fixture, "10-a.conf", "[BackgroundSync]\nSyncInterval=10\nSyncVariance=10\n");
  dropin (fixture, ".90-hidden.conf", "[BackgroundSync]\nSyncInterval=90\n");
  dropin (fixture, "95-not-a-dropin.txt", "[BackgroundSync]\nSyncInterval=95\n");
  g_mkdir (sub, 0755);
  start (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 20);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 10);
  g_rmdir (sub);
}

static void
test_live_lock_and_unlock (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  guint16 q;

  (void) data;
  start (fixture);
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (100), &error));
  g_assert_no_error (error);
  wait_for_change (fixture, 1);

  /* Fixed at run time: one PropertiesChanged, the value and the lock. */
  dropin (fixture, "50-fleet.conf", "[BackgroundSync]\nSyncInterval=30\n");
  wait_for_change (fixture, 2);
  g_assert_true (g_variant_lookup (fixture->changes->pdata[1], "SyncInterval", "q", &q));
  g_assert_cmpuint (q, ==, 30);
  g_assert_nonnull (g_variant_lookup_value (fixture->changes->pdata[1], "LockedProperties", NULL));
  names = locked (fixture);
  g_assert_cmpstr (names, ==, "SyncInterval");
  g_assert_nonnull (g_variant_lookup_value (fixture->changes->pdata[1], "LockedBy", NULL));

  /* Lifted: the value written through D-Bus is back. */
  dropin (fixture, "50-fleet.conf", NULL);
  wait_for_change (fixture, 3);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 100);
  g_clear_pointer (&names, g_free);
  names = locked (fixture);
  g_assert_cmpstr (names, ==, "");
  {
    g_autofree char *by = locked_by (fixture);

    g_assert_cmpstr (by, ==, "");
  }
}

static void
test_invalid_dropin_rejected (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log = NULL;

  (void) data;
  dropin (fixture, "50-fleet.conf", "[BackgroundSync]\nSyncInterval=30\n");
  start (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 30);

  /* One valid change and one invalid file: the whole reload is refused. */
  dropin (fixture, "50-fleet.conf", "[BackgroundSync]\nSyncInterval=45\n");
  dropin (fixture, "60-broken.conf", "[BackgroundSync]\nSyncVariance=99999\n");
  g_usleep (2000 * 1000);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 30);
  g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL);
  g_assert_nonnull (strstr (log, "60-broken.conf: SyncVariance=99999"));
  g_assert_nonnull (strstr (log, "last good settings stay in force"));

  /* Fixed: the reload goes through. */
  dropin (fixture, "60-broken.conf", NULL);
  wait_for_change (fixture, 1);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 45);
}

static void
test_invalid_dropin_at_start (Fixture *fixture, gconstpointer data)
{
  (void) data;
  dropin (fixture, "10-good.conf", "[BackgroundSync]\nSyncVariance=7\n");
  dropin (fixture, "20-bad.conf", "[BackgroundSync]\nSyncInterval=7\nSyncVariance=not-a-number\n");
  start (fixture);
  /* The bad file is skipped whole, the rest applies. */
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 7);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
}

static void
test_many_files_one_reload (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log = NULL;
  const char *p;
  guint reloads = 0;

  (void) data;
  start (fixture);
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02d-part.conf", i);
      g_autofree char *contents = g_strdup_printf ("[BackgroundSync]\nSyncVariance=%d\n", i + 1);
      dropin (fixture, name, contents);
    }
  wait_for_change (fixture, 1);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 50);

  g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL);
  for (p = log; (p = strstr (p, "Reloading the configuration")) != NULL; p++)
    reloads++;
  g_assert_cmpuint (reloads, ==, 1);
}

static void
test_sighup (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log = NULL;

  (void) data;
  start (fixture);
  kill (atoi (g_subprocess_get_identifier (fixture->harness->daemon)), SIGHUP);
  of_harness_settle (fixture->harness);
  g_usleep (100 * 1000);
  of_harness_settle (fixture->harness);
  /* Nothing changed: nothing announced. */
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL);
  g_assert_nonnull (strstr (log, "Reloading the configuration (SIGHUP)"));

  dropin (fixture, "50-fleet.conf", "[BackgroundSync]\nMaxTimeBetweenSyncs=600\n");
  kill (atoi (g_subprocess_get_identifier (fixture->harness->daemon)), SIGHUP);
  wait_for_change (fixture, 1);
  g_assert_cmpuint (get_q (fixture, "MaxTimeBetweenSyncs"), ==, 600);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/policy/" path, Fixture, NULL, setup, func, teardown)
  ADD ("locked-at-start", test_locked_at_start);
  ADD ("order", test_order);
  ADD ("live-lock-and-unlock", test_live_lock_and_unlock);
  ADD ("invalid-dropin-rejected", test_invalid_dropin_rejected);
  ADD ("invalid-dropin-at-start", test_invalid_dropin_at_start);
  ADD ("many-files-one-reload", test_many_files_one_reload);
  ADD ("sighup", test_sighup);
#undef ADD
  return g_test_run ();
}
