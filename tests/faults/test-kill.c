/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-kill.c — kill -9 of the daemon at random moments during a stream
 * of authorized writes, over and over (fault injection):
 *
 *   /faults/kill/settings  Configure alternating between two complete value
 *                          sets A and B, several in flight; after each kill
 *                          background-sync.conf is a key file holding exactly
 *                          the initial set, A or B (never a mix, never empty),
 *                          an acknowledged write is never lost, and stray
 *                          temporary files stay bounded.
 *   /faults/kill/state     SyncNow storms (a sync with no shares ends at once,
 *                          so the state file is rewritten all the time); after
 *                          each kill the state file parses (for us and for the
 *                          restarted daemon) and a sync id, once told to a
 *                          client, is never handed out again.
 *
 * The daemon is started directly with GSubprocess on the harness bus (the
 * harness's start/stop would cost a SIGTERM and a clean shutdown per round),
 * with the harness's real polkitd answering for root.  Both loops are bounded
 * in time as well as in count; fewer rounds than asked are reported and
 * accepted down to MIN_KILLS. */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define BUS_NAME "org.offlinefiles.BackgroundSync"
#define OBJECT_PATH "/org/offlinefiles/BackgroundSync"
#define IFACE "org.offlinefiles.BackgroundSync"

#define SETTINGS_KILLS 1000
#define SETTINGS_BUDGET_S 80
#define STATE_KILLS 400
#define STATE_BUDGET_S 40
#define MIN_KILLS 300
#define IN_FLIGHT 4
#define MAX_DELAY_MS 30
/* g_file_set_contents() leaves its "NAME.XXXXXX" behind when killed
 * between creating and renaming it. */
#define MAX_STRAY_TEMP_FILES 5
#define POLICY_DEST "/usr/share/polkit-1/actions/org.offlinefiles.backgroundsync.policy"

/* Other test runs on this machine install and remove the same system-wide
 * .policy; polkitd then answers "not registered" for a moment.  That is
 * not the daemon's doing: put the file back and carry on (counted). */
static guint policy_reinstalled;

static gboolean
policy_vanished (const GError *error)
{
  g_autofree char *copy = NULL;

  if (error == NULL || strstr (error->message, "is not registered") == NULL)
    return FALSE;
  if (!g_file_test (POLICY_DEST, G_FILE_TEST_EXISTS) &&
      g_file_get_contents (g_getenv ("OF_POLKIT_POLICY"), &copy, NULL, NULL))
    g_file_set_contents (POLICY_DEST, copy, -1, NULL);
  policy_reinstalled++;
  return TRUE;
}

static const char *const keys[6] = {
  "SyncInterval", "SyncVariance", "MaxTimeBetweenSyncs",
  "BlockOutStartTimeHoursMinutes", "BlockOutDurationMin",
  "BackgroundSyncWorkOfflineSharesEnabled",
};
/* Every value differs between any two sets, so each write rewrites all six. */
static const char *const set_initial[6] = { "30", "10", "100", "100", "10", "false" };
static const char *const set_a[6] = { "120", "20", "2880", "2230", "480", "true" };
static const char *const set_b[6] = { "240", "40", "4320", "600", "120", "false" };

typedef struct {
  OfHarness    *harness;
  char         *owner;      /* unique name of the daemon, NULL when gone */
  GSubprocess  *daemon;
  char         *log_path;
  GCancellable *cancellable;
  guint         pending;
  gboolean      stop;
  guint64       sent;
  guint         acked;      /* this round */
  guint         failed;     /* this round */
  /* state test */
  guint64       round_max_id;     /* highest id told to us this round */
  guint64       round_min_id;     /* lowest id told to us this round */
  gboolean      round_min_from_reply;
  guint         syncs_started;
  guint         replies_with_id;
} Loop;

static void
on_name_appeared (GDBusConnection *c, const char *name, const char *owner, gpointer user_data)
{
  Loop *loop = user_data;
  (void) c; (void) name;
  g_free (loop->owner);
  loop->owner = g_strdup (owner);
}

static void
on_name_vanished (GDBusConnection *c, const char *name, gpointer user_data)
{
  Loop *loop = user_data;
  (void) c; (void) name;
  g_clear_pointer (&loop->owner, g_free);
}

static void
die_with_parent (gpointer user_data)
{
  (void) user_data;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
iterate_until (gboolean (*done) (Loop *), Loop *loop, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (loop))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
  return TRUE;
}

static gboolean
owner_known (Loop *loop)
{
  return loop->owner != NULL || g_subprocess_get_identifier (loop->daemon) == NULL;
}

static gboolean
owner_gone (Loop *loop)
{
  return loop->owner == NULL;
}

static gboolean
nothing_pending (Loop *loop)
{
  return loop->pending == 0;
}

static char *
read_file_or_null (const char *path)
{
  char *contents = NULL;
  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

/* Starts the daemon and waits until it owns its name; returns the time it took. */
static gint64
start_daemon (Loop *loop)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GError) error = NULL;
  g_autofree char *config_arg = g_strdup_printf ("--config-dir=%s", loop->harness->config_dir);
  g_autofree char *state_arg = g_strdup_printf ("--state-dir=%s", loop->harness->state_dir);
  gint64 start = g_get_monotonic_time ();

  g_assert_null (loop->owner);
  g_subprocess_launcher_set_stdout_file_path (launcher, loop->log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  loop->daemon = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("OF_SYNCD"),
                                              config_arg, state_arg, NULL);
  g_assert_no_error (error);
  if (!iterate_until (owner_known, loop, 20000) || loop->owner == NULL)
    {
      g_autofree char *log = read_file_or_null (loop->log_path);
      g_error ("the daemon did not own its name; its log:\n%s", log ? log : "(none)");
    }
  return g_get_monotonic_time () - start;
}

static void
kill_daemon (Loop *loop)
{
  g_subprocess_send_signal (loop->daemon, SIGKILL);
  g_subprocess_wait (loop->daemon, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (loop->daemon));
  g_clear_object (&loop->daemon);
  loop->stop = TRUE;
  /* The bus answers every call still in flight (NoReply, ServiceUnknown). */
  if (!iterate_until (nothing_pending, loop, 10000))
    {
      g_cancellable_cancel (loop->cancellable);
      g_assert_true (iterate_until (nothing_pending, loop, 5000));
    }
  g_assert_true (iterate_until (owner_gone, loop, 10000));
  g_clear_object (&loop->cancellable);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  gboolean *fired = user_data;
  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the stream run for a random 0..MAX_DELAY_MS ms. */
static void
run_stream_for_random_time (void)
{
  gboolean fired = FALSE;
  guint delay = (guint) g_random_int_range (0, MAX_DELAY_MS + 1);

  if (delay == 0)
    {
      /* Killed while the first calls are still on their way. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      return;
    }
  g_timeout_add (delay, on_kill_timeout, &fired);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);
}

static guint
count_temp_files (const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && strlen (name) > strlen (prefix))
      n++;
  return n;
}

/* ---- settings ---- */

static GVariant *
settings_dict (const char *const *set)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < 5; i++)
    g_variant_builder_add (&b, "{sv}", keys[i], g_variant_new_uint16 ((guint16) atoi (set[i])));
  g_variant_builder_add (&b, "{sv}", keys[5], g_variant_new_boolean (g_str_equal (set[5], "true")));
  return g_variant_builder_end (&b);
}

static void send_configure (Loop *loop);

static void
configure_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Loop *loop = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  loop->pending--;
  if (reply)
    loop->acked++;
  else
    {
      loop->failed++;
      /* Only the daemon going away may fail a write here. */
      if (!g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) &&
          !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) &&
          !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !policy_vanished (error))
        g_error ("Configure failed while the daemon ran: %s", error->message);
    }
  if (!loop->stop)
    send_configure (loop);
}

static void
send_configure (Loop *loop)
{
  const char *const *set = (loop->sent++ % 2 == 0) ? set_a : set_b;

  loop->pending++;
  g_dbus_connection_call (loop->harness->conn, BUS_NAME, OBJECT_PATH, IFACE, "Configure",
                          g_variant_new ("(@a{sv})", settings_dict (set)), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, loop->cancellable, configure_done, loop);
}

static void
write_initial_config (OfHarness *harness)
{
  g_autofree char *path = of_harness_config_path (harness);
  g_autoptr(GString) text = g_string_new ("# written by test-kill; the daemon keeps this comment\n[BackgroundSync]\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 6; i++)
    g_string_append_printf (text, "%s=%s\n", keys[i], set_initial[i]);
  g_string_append (text, "FutureKey=kept\n");
  g_file_set_contents (path, text->str, -1, &error);
  g_assert_no_error (error);
}

/* Which set the file holds: 0 initial, 1 A, 2 B; fails the test otherwise. */
static int
classify_config (const char *path, guint round)
{
  g_autofree char *contents = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  const char *const *sets[3] = { set_initial, set_a, set_b };
  char *found[6] = { NULL };
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("round %u: %s is gone after kill -9: %s", round, path, error->message);
  if (length == 0)
    g_error ("round %u: %s is empty after kill -9", round, path);
  if (!g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_KEEP_COMMENTS, &error))
    g_error ("round %u: %s is not a key file after kill -9 (%s):\n%s", round, path, error->message, contents);
  if (strstr (contents, "FutureKey=kept") == NULL || strstr (contents, "# written by test-kill") == NULL)
    g_error ("round %u: %s lost a comment or an unknown key:\n%s", round, path, contents);

  for (guint i = 0; i < 6; i++)
    found[i] = g_key_file_get_value (key_file, "BackgroundSync", keys[i], NULL);
  for (int s = 0; s < 3; s++)
    {
      gboolean same = TRUE;
      for (guint i = 0; i < 6 && same; i++)
        same = found[i] && g_str_equal (found[i], sets[s][i]);
      if (same)
        {
          for (guint i = 0; i < 6; i++)
            g_free (found[i]);
          return s;
        }
    }
  for (guint i = 0; i < 6; i++)
    g_free (found[i]);
  g_error ("round %u: %s holds a mix of value sets after kill -9:\n%s", round, path, contents);
  return -1;
}

static void
test_kill_settings (void)
{
  g_autoptr(OfHarness) harness = NULL;
  g_autofree char *path = NULL;
  Loop loop = { 0 };
  guint watch, round, counts[3] = { 0 }, max_temp = 0, total_acked = 0;
  gboolean ever_acked = FALSE;
  gint64 begin, start_total = 0, start_max = 0, budget_end;

  if (!of_harness_require_root ("run the real polkitd (writes must be authorized)"))
    return;
  harness = of_harness_new (TRUE);
  if (!of_harness_require_polkit (harness))
    return;
  loop.harness = harness;
  loop.log_path = g_build_filename (harness->dir, "daemon.log", NULL);
  path = of_harness_config_path (harness);
  write_initial_config (harness);
  watch = g_bus_watch_name_on_connection (harness->conn, BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, on_name_vanished, &loop, NULL);
  iterate_until (owner_gone, &loop, 100);

  begin = g_get_monotonic_time ();
  budget_end = begin + SETTINGS_BUDGET_S * G_USEC_PER_SEC;
  for (round = 0; round < SETTINGS_KILLS && g_get_monotonic_time () < budget_end; round++)
    {
      g_autoptr(GVariant) interval = NULL;
      gint64 took = start_daemon (&loop);
      int which;

      start_total += took;
      start_max = MAX (start_max, took);

      /* What the daemon loaded is what the file said. */
      which = classify_config (path, round);
      interval = of_harness_get (harness, "SyncInterval");
      g_assert_cmpuint (g_variant_get_uint16 (interval), ==,
                        (guint) atoi ((which == 0 ? set_initial : which == 1 ? set_a : set_b)[0]));

      loop.stop = FALSE;
      loop.acked = loop.failed = 0;
      loop.cancellable = g_cancellable_new ();
      for (guint i = 0; i < IN_FLIGHT; i++)
        send_configure (&loop);
      run_stream_for_random_time ();
      kill_daemon (&loop);

      which = classify_config (path, round);
      counts[which]++;
      total_acked += loop.acked;
      ever_acked |= loop.acked > 0;
      /* An acknowledged write is on disk: the initial set never returns. */
      if (ever_acked && which == 0)
        g_error ("round %u: a write was acknowledged, yet the file holds the initial values", round);
      max_temp = MAX (max_temp, count_temp_files (harness->config_dir, "background-sync.conf."));
    }
  g_bus_unwatch_name (watch);

  g_test_message ("kill -9 during Configure streams: %u kills in %.1f s; daemon start to name owned: "
                  "mean %.1f ms, max %.1f ms; file held initial %u, A %u, B %u times; %u writes acknowledged; "
                  "stray temp files at most %u (now %u)",
                  round, (g_get_monotonic_time () - begin) / 1e6,
                  round ? start_total / 1e3 / round : 0.0, start_max / 1e3,
                  counts[0], counts[1], counts[2], total_acked, max_temp,
                  count_temp_files (harness->config_dir, "background-sync.conf."));
  if (round < SETTINGS_KILLS)
    g_test_message ("only %u of %u kills within the %d s budget: one round costs a full daemon start "
                    "(connect, polkit authority, name) plus a kill and the bus noticing it",
                    round, SETTINGS_KILLS, SETTINGS_BUDGET_S);
  if (policy_reinstalled)
    g_test_message ("another test run removed the shared polkit .policy %u times; put back", policy_reinstalled);
  g_assert_cmpuint (round, >=, MIN_KILLS);
  g_assert_cmpuint (counts[1] + counts[2], >, 0);
  if (max_temp > MAX_STRAY_TEMP_FILES)
    g_test_fail_printf ("stray temporary files accumulate in %s: %u after %u kills (bound %d); "
                        "nothing removes the background-sync.conf.XXXXXX a killed write leaves",
                        harness->config_dir, max_temp, round, MAX_STRAY_TEMP_FILES);
  g_free (loop.log_path);
}

/* ---- state ---- */

static void send_sync_now (Loop *loop);

static void
note_id (Loop *loop, guint64 id, gboolean from_reply)
{
  if (id == 0)
    return;
  loop->round_max_id = MAX (loop->round_max_id, id);
  if (loop->round_min_id == 0 || id < loop->round_min_id)
    {
      loop->round_min_id = id;
      loop->round_min_from_reply = from_reply;
    }
}

static void
sync_now_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Loop *loop = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  loop->pending--;
  if (reply)
    {
      guint64 id;
      g_variant_get (reply, "(t)", &id);
      loop->replies_with_id++;
      note_id (loop, id, TRUE);
    }
  else if (!g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) &&
           !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) &&
           !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           !policy_vanished (error))
    g_error ("SyncNow failed while the daemon ran: %s", error->message);
  if (!loop->stop)
    send_sync_now (loop);
}

static void
send_sync_now (Loop *loop)
{
  loop->pending++;
  g_dbus_connection_call (loop->harness->conn, BUS_NAME, OBJECT_PATH, IFACE, "SyncNow", NULL,
                          G_VARIANT_TYPE ("(t)"), G_DBUS_CALL_FLAGS_NONE, 10000, loop->cancellable,
                          sync_now_done, loop);
}

static void
on_sync_started (GDBusConnection *c, const char *sender, const char *path, const char *iface,
                 const char *signal, GVariant *params, gpointer user_data)
{
  Loop *loop = user_data;
  guint64 id;

  (void) c; (void) path; (void) iface; (void) signal;
  /* Only the daemon of this round (a dead one's queued signals do not count). */
  if (loop->owner == NULL || g_strcmp0 (sender, loop->owner) != 0)
    return;
  g_variant_get (params, "(t&s)", &id, NULL);
  loop->syncs_started++;
  note_id (loop, id, FALSE);
}

/* NextSyncId from the state file; fails the test if it does not parse. */
static guint64
read_next_sync_id (const char *path, guint round)
{
  g_autofree char *contents = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;
  guint64 next;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("round %u: the state file is gone after kill -9: %s", round, error->message);
  if (length == 0)
    g_error ("round %u: the state file is empty after kill -9", round);
  if (!g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, &error))
    g_error ("round %u: the state file is not a key file after kill -9 (%s):\n%s", round, error->message, contents);
  raw = g_key_file_get_value (key_file, "State", "NextSyncId", NULL);
  if (raw == NULL || !g_ascii_string_to_unsigned (raw, 10, 1, G_MAXUINT64, &next, NULL))
    g_error ("round %u: no valid NextSyncId in the state file:\n%s", round, contents);
  return next;
}

static void
test_kill_state (void)
{
  g_autoptr(OfHarness) harness = NULL;
  g_autofree char *state_path = NULL;
  Loop loop = { 0 };
  guint watch, subscription, round;
  guint repeats_replied = 0, repeats_signalled = 0, file_behind = 0, fresh_starts = 0;
  guint total_started = 0, total_replies = 0, max_temp = 0;
  guint64 told_max = 0, last_next = 0, first_bad_round = G_MAXUINT64;
  gint64 begin, budget_end;

  if (!of_harness_require_root ("run the real polkitd (SyncNow must be authorized)"))
    return;
  harness = of_harness_new (TRUE);
  if (!of_harness_require_polkit (harness))
    return;
  loop.harness = harness;
  loop.log_path = g_build_filename (harness->dir, "daemon.log", NULL);
  state_path = g_build_filename (harness->state_dir, "state", NULL);
  watch = g_bus_watch_name_on_connection (harness->conn, BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, on_name_vanished, &loop, NULL);
  subscription = g_dbus_connection_signal_subscribe (harness->conn, NULL, IFACE, "SyncStarted", OBJECT_PATH,
                                                     NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_sync_started, &loop, NULL);
  iterate_until (owner_gone, &loop, 100);

  begin = g_get_monotonic_time ();
  budget_end = begin + STATE_BUDGET_S * G_USEC_PER_SEC;
  for (round = 0; round < STATE_KILLS && g_get_monotonic_time () < budget_end; round++)
    {
      g_autofree char *log = NULL;
      guint64 next;

      start_daemon (&loop);
      /* The restarted daemon could use the file the kill left. */
      log = read_file_or_null (loop.log_path);
      if (log && strstr (log, "Starting from a fresh state"))
        {
          fresh_starts++;
          g_test_message ("round %u: the daemon could not use its state file:\n%s", round, log);
        }

      loop.stop = FALSE;
      loop.round_max_id = loop.round_min_id = 0;
      loop.syncs_started = loop.replies_with_id = 0;
      loop.cancellable = g_cancellable_new ();
      for (guint i = 0; i < IN_FLIGHT; i++)
        send_sync_now (&loop);
      run_stream_for_random_time ();
      kill_daemon (&loop);
      total_started += loop.syncs_started;
      total_replies += loop.replies_with_id;

      /* Ids never repeat: everything told this round is above all told before. */
      if (loop.round_min_id != 0 && loop.round_min_id <= told_max)
        {
          if (loop.round_min_from_reply)
            repeats_replied++;
          else
            repeats_signalled++;
          first_bad_round = MIN (first_bad_round, round);
          g_test_message ("round %u: sync id %" G_GUINT64_FORMAT " handed out again (by %s); %" G_GUINT64_FORMAT
                          " had been told to a client before the previous kill",
                          round, loop.round_min_id, loop.round_min_from_reply ? "a SyncNow reply" : "SyncStarted",
                          told_max);
        }
      told_max = MAX (told_max, loop.round_max_id);

      /* A first start killed before its first write has no state file yet;
       * that is fine as long as no id was told (ids are on disk before
       * anyone hears of them, which is what is checked). */
      if (told_max == 0 && !g_file_test (state_path, G_FILE_TEST_EXISTS))
        {
          g_test_message ("round %u: killed before the first state write, no id told yet", round);
          continue;
        }
      next = read_next_sync_id (state_path, round);
      if (next < last_next)
        g_error ("round %u: NextSyncId went back from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                 round, last_next, next);
      last_next = next;
      if (next <= told_max)
        file_behind++;
      max_temp = MAX (max_temp, count_temp_files (harness->state_dir, "state."));
    }
  g_dbus_connection_signal_unsubscribe (harness->conn, subscription);
  g_bus_unwatch_name (watch);

  g_test_message ("kill -9 during SyncNow storms: %u kills in %.1f s, %u syncs started, %u SyncNow replies, "
                  "last NextSyncId %" G_GUINT64_FORMAT ", highest id told %" G_GUINT64_FORMAT "; "
                  "state file behind an id already told: %u rounds; ids handed out twice: %u via SyncNow replies, "
                  "%u via SyncStarted; unusable state files at restart: %u; stray temp files at most %u",
                  round, (g_get_monotonic_time () - begin) / 1e6, total_started, total_replies,
                  last_next, told_max, file_behind, repeats_replied, repeats_signalled, fresh_starts, max_temp);
  g_assert_cmpuint (round, >=, MIN_KILLS);
  g_assert_cmpuint (total_started, >, 0);
  g_assert_cmpuint (fresh_starts, ==, 0);
  g_assert_cmpuint (repeats_signalled, ==, 0);
  if (repeats_replied > 0)
    g_test_fail_printf ("a sync id was handed out twice in %u of %u rounds (first in round %" G_GUINT64_FORMAT "): "
             "SyncNow replies with the new id before the state file holding NextSyncId is on disk "
             "(src/service.c do_sync_now → src/sync-manager.c of_sync_manager_sync_now returns "
             "current_id while start_sync's save is still in flight)",
             repeats_replied, round, first_bad_round);
  if (max_temp > MAX_STRAY_TEMP_FILES)
    g_test_fail_printf ("stray temporary files accumulate in %s: %u after %u kills (bound %d)",
                        harness->state_dir, max_temp, round, MAX_STRAY_TEMP_FILES);
  g_free (loop.log_path);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/kill/settings", test_kill_settings);
  g_test_add_func ("/faults/kill/state", test_kill_state);
  return g_test_run ();
}
