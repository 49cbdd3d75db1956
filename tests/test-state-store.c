/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-state-store.c — the state file: parse, sanitize, coalesced durable saves. */
#include <glib/gstdio.h>

#include "errors.h"
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "state-store.h"
#include "log-capture.h"

#define NOW G_GINT64_CONSTANT (1795600000000000)

/* What the code under test warned about (log-capture.h). */
static GPtrArray *logged;

static void
test_round_trip (void)
{
  OfState state = { .first_start = 1, .next_sync_id = 42, .running_sync_id = 41,
                    .last_start = 3, .last_finish = 4,
                    .last_result = g_strdup ("partial"), .last_success_start = 2,
                    .last_was_failed_overdue = TRUE };
  OfState parsed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = of_state_to_data (&state, NULL);

  g_assert_true (of_state_parse (data, strlen (data), NOW, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.first_start, ==, 1);
  g_assert_cmpuint (parsed.next_sync_id, ==, 42);
  g_assert_cmpuint (parsed.running_sync_id, ==, 41);
  g_assert_cmpint (parsed.last_start, ==, 3);
  g_assert_cmpint (parsed.last_finish, ==, 4);
  g_assert_cmpstr (parsed.last_result, ==, "partial");
  g_assert_cmpint (parsed.last_success_start, ==, 2);
  g_assert_true (parsed.last_was_failed_overdue);
  of_state_clear (&state);
  of_state_clear (&parsed);
}

static void
test_shares_round_trip (void)
{
  OfState state = { .first_start = 1, .next_sync_id = 2, .last_result = g_strdup ("") };
  OfState parsed = { 0 };
  OfShareState *home, *back;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  home = of_state_get_share (&state, "home");
  home->work_offline = TRUE;
  home->last_sync_time = 77;
  home->last_success_time = 66;
  home->last_duration = 2750000;
  g_free (home->last_result);
  home->last_result = g_strdup ("partial");
  g_free (home->last_message);
  home->last_message = g_strdup ("1 conflict: a b\nc.txt");
  home->problems = g_strsplit ("a b\nc.txt|conflict; both changed|||x;y\\z|failed", "|", -1);
  data = of_state_to_data (&state, NULL);

  g_assert_true (of_state_parse (data, strlen (data), NOW, &parsed, &error));
  g_assert_no_error (error);
  back = g_hash_table_lookup (parsed.shares, "home");
  g_assert_nonnull (back);
  g_assert_true (back->work_offline);
  g_assert_cmpint (back->last_sync_time, ==, 77);
  g_assert_cmpint (back->last_success_time, ==, 66);
  g_assert_cmpint (back->last_duration, ==, 2750000);
  g_assert_cmpstr (back->last_result, ==, "partial");
  g_assert_cmpstr (back->last_message, ==, "1 conflict: a b\nc.txt");
  /* Paths with newlines, separators and backslashes come back as they were. */
  g_assert_true (g_strv_equal ((const char * const *) back->problems, (const char * const *) home->problems));
  of_state_clear (&state);
  of_state_clear (&parsed);
}

static void
test_hostile (void)
{
  const char *bad[] = {
    "",
    "garbage",
    "[State]\nNextSyncId=0\n",
    "[State]\nNextSyncId=18446744073709551615\n",
    "[State]\nNextSyncId=-1\n",
    /* A running sync's id was handed out: it is below the next one. */
    "[State]\nNextSyncId=5\nRunningSyncId=5\n",
    "[State]\nRunningSyncId=1\n",
    "[State]\nNextSyncId=5\nRunningSyncId=x\n",
    "[State]\nLastSyncStart=-5\n",
    "[State]\nLastSyncStart=1e9\n",
    "[State]\nLastSyncResult=exploded\n",
    "[State]\nLastWasFailedOverdue=perhaps\n",
    "[Other]\nNextSyncId=3\n",
    "[State]\n[Share ../../etc]\nWorkOffline=true\n",
    "[State]\n[Share ]\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      OfState state = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (of_state_parse (bad[i], strlen (bad[i]), NOW, &state, &error));
      g_assert_nonnull (error);
      g_test_message ("%s → %s", bad[i], error->message);
      of_state_clear (&state);
    }
}

static void
test_future_clamped (void)
{
  const char *data = "[State]\nFirstStart=9000000000000000\nLastSyncStart=9000000000000000\n";
  OfState state = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (of_state_parse (data, strlen (data), NOW, &state, &error));
  g_assert_cmpint (state.first_start, ==, NOW);
  g_assert_cmpint (state.last_start, ==, NOW);
  g_assert_cmpuint (state.next_sync_id, ==, 1);
  of_state_clear (&state);
}

typedef struct {
  OfStateStore *store;
  guint         done;
  gboolean      failed;
} Saves;

static void
saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Saves *saves = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  if (!of_state_store_save_finish (saves->store, result, &error))
    saves->failed = TRUE;
  saves->done++;
}

static void
test_save_and_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("offlinefiles-state-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "state", NULL);
  g_autoptr(OfStateStore) store = of_state_store_new (dir);
  g_autoptr(OfStateStore) reread = of_state_store_new (dir);
  Saves saves = { store, 0, FALSE };

  g_assert_false (of_state_store_load (store, NOW));  /* missing: fresh */
  g_assert_cmpint (of_state_store_get (store)->first_start, ==, NOW);

  /* Three saves in a row: all answered, the last state on disk. */
  for (int i = 0; i < 3; i++)
    {
      of_state_store_get (store)->next_sync_id = 10 + i;
      of_state_store_save_async (store, saved, &saves);
    }
  while (saves.done < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (saves.failed);
  g_assert_false (of_state_store_is_busy (store));
  /* What the syncs said of each share is root's alone, even if an older
   * version left the file readable. */
  {
    struct stat st;

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  }

  g_assert_true (of_state_store_load (reread, NOW));
  g_assert_cmpuint (of_state_store_get (reread)->next_sync_id, ==, 12);
  g_assert_cmpint (of_state_store_get (reread)->first_start, ==, NOW);

  /* Corrupt: reported, fresh state. */
  g_file_set_contents (path, "[State]\nNextSyncId=banana\n", -1, NULL);
  g_assert_false (of_state_store_load (reread, NOW + 1));
  g_assert_cmpuint (of_state_store_get (reread)->next_sync_id, ==, 1);
  g_assert_cmpuint (logged->len, ==, 1);
  g_assert_nonnull (strstr (logged->pdata[0], "NextSyncId=banana"));

  /* A failing write is reported to every waiter. */
  g_unlink (path);
  g_rmdir (dir);
  saves.done = 0;
  of_state_store_save_async (store, saved, &saves);
  while (saves.done < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (saves.failed);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  logged = of_test_capture_warnings ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/state-store/round-trip", test_round_trip);
  g_test_add_func ("/state-store/hostile", test_hostile);
  g_test_add_func ("/state-store/shares-round-trip", test_shares_round_trip);
  g_test_add_func ("/state-store/future-clamped", test_future_clamped);
  g_test_add_func ("/state-store/save-and-load", test_save_and_load);
  return g_test_run ();
}
