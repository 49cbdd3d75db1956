/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-scheduler.c — the schedule and the sync lifecycle through the real
 * daemon: timers on the real clock, catch-up, blockout State, SyncNow and
 * Cancel with polkit, ids across restarts, per-machine draws. */
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define MINUTE G_GINT64_CONSTANT (60000000)

typedef struct {
  OfHarness *harness;
  GPtrArray *events;   /* OfSyncEvent, owned by the harness */
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_setenv ("TZ", "UTC", TRUE);
  fixture->harness = of_harness_new (TRUE);
  fixture->events = of_harness_watch_syncs (fixture->harness);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  of_harness_clear (&fixture->harness);
  g_unsetenv ("TZ");
}

static void
write_state (Fixture *fixture, gint64 first_start, gint64 last_start, guint64 next_id)
{
  g_autofree char *state = g_strdup_printf ("[State]\n"
                                            "FirstStart=%" G_GINT64_FORMAT "\n"
                                            "NextSyncId=%" G_GUINT64_FORMAT "\n"
                                            "LastSyncStart=%" G_GINT64_FORMAT "\n"
                                            "LastSyncFinish=%" G_GINT64_FORMAT "\n"
                                            "LastSyncResult=%s\n"
                                            "LastSuccessfulSyncStart=%" G_GINT64_FORMAT "\n",
                                            first_start, next_id, last_start, last_start,
                                            last_start ? "success" : "", last_start);
  of_harness_write_file (fixture->harness->state_dir, "state", state);
}

static void
write_settings (Fixture *fixture, const char *settings)
{
  g_autofree char *contents = g_strdup_printf ("[BackgroundSync]\n%s", settings);
  of_harness_write_file (fixture->harness->config_dir, "background-sync.conf", contents);
}

static guint64
get_t (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  return g_variant_get_uint64 (value);
}

static char *
get_s (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  return g_variant_dup_string (value, NULL);
}

static OfSyncEvent *
wait_for_event (Fixture *fixture, guint index, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (fixture->events->len <= index && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (fixture->events->len <= index)
    g_error ("no signal #%u within %u ms", index, timeout_ms);
  return fixture->events->pdata[index];
}

static void
assert_pair (Fixture *fixture, guint index, const char *reason, const char *result)
{
  OfSyncEvent *started = wait_for_event (fixture, index, 10000);
  OfSyncEvent *finished = wait_for_event (fixture, index + 1, 10000);

  g_assert_cmpstr (started->name, ==, "SyncStarted");
  g_assert_cmpstr (started->detail, ==, reason);
  g_assert_cmpstr (finished->name, ==, "SyncFinished");
  g_assert_cmpuint (finished->id, ==, started->id);
  g_assert_cmpstr (finished->detail, ==, result);
}

/* Due while the daemon was down, only 3 s before it came back: still a
 * catch-up (the slack is for a running timer's lateness, not downtime). */
static void
test_short_downtime_is_catch_up (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();

  (void) data;
  write_settings (fixture, "SyncInterval=1\nSyncVariance=0\n");
  write_state (fixture, now - 10 * MINUTE, now - MINUTE - 3 * G_USEC_PER_SEC, 3);
  of_harness_start_daemon (fixture->harness, NULL);
  assert_pair (fixture, 0, "catch-up", "success");
}

static void
test_scheduled_on_time (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();
  gint64 started_at;
  OfSyncEvent *started;
  g_autofree char *result = NULL;

  (void) data;
  /* Due 3 s after the daemon starts. */
  write_settings (fixture, "SyncInterval=1\nSyncVariance=0\n");
  write_state (fixture, now - 10 * MINUTE, now - MINUTE + 3 * G_USEC_PER_SEC, 7);
  of_harness_start_daemon (fixture->harness, NULL);
  started_at = g_get_real_time ();
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), ==, now - MINUTE + 3 * G_USEC_PER_SEC + MINUTE);

  assert_pair (fixture, 0, "scheduled", "success");
  started = fixture->events->pdata[0];
  g_assert_cmpuint (started->id, ==, 7);
  /* Not at once (that would be a catch-up), but at the planned time. */
  g_test_message ("SyncStarted %.2f s after the daemon started",
                  (started->at - started_at) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (started->at, >=, now + 3 * G_USEC_PER_SEC);
  g_assert_cmpstr (((OfSyncEvent *) fixture->events->pdata[1])->message, ==, "0 shares synced");

  of_harness_settle (fixture->harness);
  result = get_s (fixture, "LastSyncResult");
  g_assert_cmpstr (result, ==, "success");
  g_assert_cmpuint (get_t (fixture, "CurrentSyncId"), ==, 0);
  g_assert_cmpuint (get_t (fixture, "LastSyncStartTime"), >=, (guint64) now);
  g_assert_cmpuint (get_t (fixture, "LastSuccessfulSyncTime"), ==, get_t (fixture, "LastSyncStartTime"));
  g_assert_cmpuint (get_t (fixture, "LastSyncFinishTime"), >=, get_t (fixture, "LastSyncStartTime"));
  /* And the next one is a minute after this one's start. */
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), ==, get_t (fixture, "LastSyncStartTime") + MINUTE);
}

static void
test_catch_up (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();
  OfSyncEvent *started;
  gint64 owned_at;

  (void) data;
  write_settings (fixture, "SyncInterval=60\nSyncVariance=0\n");
  write_state (fixture, now - 600 * MINUTE, now - 120 * MINUTE, 3);
  of_harness_start_daemon (fixture->harness, NULL);
  owned_at = g_get_real_time ();
  assert_pair (fixture, 0, "catch-up", "success");
  started = fixture->events->pdata[0];
  g_test_message ("catch-up SyncStarted %.3f s after the name appeared",
                  (started->at - owned_at) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (started->at - owned_at, <, G_USEC_PER_SEC);
}

static void
test_blocked_out (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  gint64 window_open = (now / MINUTE) * MINUTE;
  g_autofree char *settings = NULL;
  g_autofree char *state = NULL;

  (void) data;
  /* A window that opened this minute, and a sync due inside it. */
  settings = g_strdup_printf ("SyncInterval=60\nSyncVariance=0\nBlockOutStartTimeHoursMinutes=%02d%02d\n"
                              "BlockOutDurationMin=30\n",
                              g_date_time_get_hour (local), g_date_time_get_minute (local));
  write_settings (fixture, settings);
  write_state (fixture, now - 600 * MINUTE, now - 50 * MINUTE, 1);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);

  state = get_s (fixture, "State");
  g_assert_cmpstr (state, ==, "blocked-out");
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), ==, window_open + 30 * MINUTE);
  g_assert_cmpuint (fixture->events->len, ==, 0);
}

static void
test_sync_now (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  guint64 id;

  (void) data;
  of_harness_start_daemon (fixture->harness, NULL);
  reply = of_harness_call (fixture->harness, IFACE, "SyncNow", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(t)", &id);
  assert_pair (fixture, 0, "manual", "success");
  g_assert_cmpuint (((OfSyncEvent *) fixture->events->pdata[0])->id, ==, id);

  /* Cancel when idle does nothing. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = of_harness_call (fixture->harness, IFACE, "Cancel", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);

  if (!of_harness_require_polkit (fixture->harness))
    return;
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out, &err,
                                        "--method=" IFACE ".SyncNow", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "org.freedesktop.DBus.Error.AccessDenied"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out, &err,
                                        "--method=" IFACE ".Cancel", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "org.freedesktop.DBus.Error.AccessDenied"));

  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_ALLOW, &out2, &err2,
                                        "--method=" IFACE ".SyncNow", NULL), ==, 0);
  assert_pair (fixture, 2, "manual", "success");
  g_assert_cmpuint (((OfSyncEvent *) fixture->events->pdata[2])->id, >, id);
  g_assert_cmpuint (fixture->events->len, ==, 4);
}

static void
test_restart (Fixture *fixture, gconstpointer data)
{
  guint64 first, second, next_before;

  (void) data;
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  next_before = get_t (fixture, "NextSyncTime");
  g_assert_cmpuint (next_before, >, 0);

  /* A restart re-rolls nothing: first start and the draw are on disk. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), ==, next_before);

  first = of_harness_sync_now (fixture->harness);
  assert_pair (fixture, 0, "manual", "success");
  of_harness_settle (fixture->harness);
  next_before = get_t (fixture, "NextSyncTime");
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), ==, next_before);
  second = of_harness_sync_now (fixture->harness);
  g_assert_cmpuint (second, >, first);
  assert_pair (fixture, 2, "manual", "success");
}

static guint64
next_sync_time_with_machine_id (Fixture *fixture, const char *machine_id)
{
  g_autofree char *path = g_build_filename (fixture->harness->dir, "machine-id", NULL);
  g_autofree char *arg = g_strdup_printf ("--machine-id-file=%s", path);
  const char *args[] = { arg, NULL };
  g_autofree char *contents = g_strdup_printf ("%s\n", machine_id);
  guint64 next;

  g_file_set_contents (path, contents, -1, NULL);
  of_harness_start_daemon (fixture->harness, args);
  of_harness_settle (fixture->harness);
  next = get_t (fixture, "NextSyncTime");
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  return next;
}

static void
test_fleet (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();
  guint64 a, b, a_again;

  (void) data;
  write_settings (fixture, "SyncInterval=360\nSyncVariance=3600\n");
  write_state (fixture, now - 600 * MINUTE, now - 10 * MINUTE, 1);
  a = next_sync_time_with_machine_id (fixture, "0123456789abcdef0123456789abcdef");
  b = next_sync_time_with_machine_id (fixture, "fedcba9876543210fedcba9876543210");
  a_again = next_sync_time_with_machine_id (fixture, "0123456789abcdef0123456789abcdef");
  g_test_message ("machine A plans %" G_GUINT64_FORMAT ", machine B %" G_GUINT64_FORMAT, a, b);
  g_assert_cmpuint (a, ==, a_again);
  g_assert_cmpuint (a, !=, b);
  g_assert_cmpuint (a, >=, (guint64) (now - 10 * MINUTE + 360 * MINUTE));
  g_assert_cmpuint (a, <=, (guint64) (now - 10 * MINUTE + (360 + 3600) * MINUTE));
}

static void
test_preview (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;
  guint64 previous = 0, start;
  const char *reason, *note;
  GVariantIter iter;
  guint n = 0;

  (void) data;
  write_settings (fixture, "SyncInterval=120\nSyncVariance=30\nBlockOutStartTimeHoursMinutes=2200\n"
                           "BlockOutDurationMin=480\n");
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);

  for (guint i = 0; i < 2; i++)
    {
      guint32 bad = i ? 1001 : 0;
      g_autoptr(GVariant) bad_reply = of_harness_call (fixture->harness, IFACE, "PreviewSchedule",
                                                       g_variant_new ("(u)", bad), G_DBUS_CALL_FLAGS_NONE, &error);
      g_assert_null (bad_reply);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }

  reply = of_harness_call (fixture->harness, IFACE, "PreviewSchedule", g_variant_new ("(u)", 50),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (list), ==, 50);
  g_variant_iter_init (&iter, list);
  while (g_variant_iter_next (&iter, "(t&s&s)", &start, &reason, &note))
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc ((gint64) (start / G_USEC_PER_SEC));
      int minute_of_day = g_date_time_get_hour (when) * 60 + g_date_time_get_minute (when);

      if (n++ == 0)
        g_assert_cmpuint (start, ==, get_t (fixture, "NextSyncTime"));
      g_assert_cmpuint (start, >, previous);
      /* Never inside 22:00–06:00 UTC (the daemon runs with TZ=UTC). */
      g_assert_true (minute_of_day >= 6 * 60 && minute_of_day < 22 * 60);
      previous = start;
    }
}

static void
test_time_zone (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GTimeZone) kathmandu = g_time_zone_new_identifier ("Asia/Kathmandu");
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (0);
  g_autoptr(GDateTime) there = NULL;
  g_autofree char *settings = NULL;
  g_autofree char *state_there = NULL;
  g_autofree char *state_utc = NULL;

  (void) data;
  (void) local;
  there = g_date_time_to_timezone (g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC), kathmandu);
  /* A window that is open now in Kathmandu, and not in UTC (+05:45). */
  settings = g_strdup_printf ("BlockOutStartTimeHoursMinutes=%02d%02d\nBlockOutDurationMin=60\n",
                              g_date_time_get_hour (there), g_date_time_get_minute (there));
  write_settings (fixture, settings);

  g_setenv ("TZ", "Asia/Kathmandu", TRUE);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  state_there = get_s (fixture, "State");
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);

  g_setenv ("TZ", "UTC", TRUE);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  state_utc = get_s (fixture, "State");

  g_assert_cmpstr (state_there, ==, "blocked-out");
  g_assert_cmpstr (state_utc, ==, "idle");
}

static void
test_corrupt_state (Fixture *fixture, gconstpointer data)
{
  g_autofree char *state = NULL;

  (void) data;
  of_harness_write_file (fixture->harness->state_dir, "state", "[State]\nNextSyncId=banana\nLastSyncStart=-5\n\xff\xfe garbage");
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  /* A fresh start: planned from now, not a burst of catch-ups. */
  g_usleep (500 * 1000);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->events->len, ==, 0);
  state = get_s (fixture, "State");
  g_assert_cmpstr (state, ==, "idle");
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), >, (guint64) g_get_real_time ());
  g_assert_cmpuint (of_harness_sync_now (fixture->harness), ==, 1);
  assert_pair (fixture, 0, "manual", "success");
}

static void
test_future_state (Fixture *fixture, gconstpointer data)
{
  gint64 now = g_get_real_time ();

  (void) data;
  /* A forged or clock-skewed history ten years ahead does not stop syncs. */
  write_settings (fixture, "SyncInterval=60\nSyncVariance=0\n");
  write_state (fixture, now + 5256000 * MINUTE, now + 5256000 * MINUTE, 10);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (get_t (fixture, "NextSyncTime"), <=, (guint64) (g_get_real_time () + 61 * MINUTE));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/scheduler/" path, Fixture, NULL, setup, func, teardown)
  ADD ("scheduled-on-time", test_scheduled_on_time);
  ADD ("catch-up", test_catch_up);
  ADD ("blocked-out", test_blocked_out);
  ADD ("sync-now", test_sync_now);
  ADD ("restart", test_restart);
  ADD ("fleet", test_fleet);
  ADD ("preview", test_preview);
  ADD ("time-zone", test_time_zone);
  ADD ("short-downtime-is-catch-up", test_short_downtime_is_catch_up);
  ADD ("corrupt-state", test_corrupt_state);
  ADD ("future-state", test_future_state);
#undef ADD
  return g_test_run ();
}
