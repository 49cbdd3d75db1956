/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state-store.c — see state-store.h. */
#include "state-store.h"

#include "file-util.h"
#include "enums.h"
#include "errors.h"

#include <string.h>

#define STATE_GROUP "State"
#define SHARE_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* A stored result: one of the four, or "" for never. */
static gboolean
is_known_result (const char *text)
{
  OfShareResult ignored;

  return text[0] == '\0' || of_share_result_from_string (text, &ignored);
}

struct _OfStateStore {
  OfState          state;
  OfDurableWriter *writer;
};

static void
share_state_free (OfShareState *share)
{
  g_free (share->last_result);
  g_free (share->last_message);
  g_strfreev (share->problems);
  g_free (share);
}

static GHashTable *
new_share_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) share_state_free);
}

OfShareState *
of_state_get_share (OfState    *state,
                    const char *name)
{
  OfShareState *share;

  if (state->shares == NULL)
    state->shares = new_share_table ();
  share = g_hash_table_lookup (state->shares, name);
  if (share == NULL)
    {
      share = g_new0 (OfShareState, 1);
      share->last_result = g_strdup ("");
      share->last_message = g_strdup ("");
      g_hash_table_insert (state->shares, g_strdup (name), share);
    }
  return share;
}

/* What the durable writer writes: the state as it is when a write starts. */
static GBytes *
snapshot_state (gpointer user_data)
{
  OfStateStore *store = user_data;
  char *data = of_state_to_data (&store->state, NULL);

  return g_bytes_new_take (data, strlen (data));
}

OfStateStore *
of_state_store_new (const char *state_dir)
{
  OfStateStore *store = g_new0 (OfStateStore, 1);

  g_autofree char *path = g_build_filename (state_dir, OF_STATE_FILE_NAME, NULL);

  store->writer = of_durable_writer_new (path, "the state", OF_STATE_FILE_MODE, snapshot_state, store);
  store->state.next_sync_id = 1;
  store->state.last_result = g_strdup ("");
  store->state.shares = new_share_table ();
  return store;
}

void
of_state_clear (OfState *state)
{
  g_clear_pointer (&state->last_result, g_free);
  g_clear_pointer (&state->shares, g_hash_table_unref);
}

void
of_state_store_free (OfStateStore *store)
{
  if (store == NULL)
    return;
  g_clear_pointer (&store->writer, of_durable_writer_free);
  of_state_clear (&store->state);
  g_free (store);
}

const char *
of_state_store_get_path (OfStateStore *store)
{
  return of_durable_writer_get_path (store->writer);
}

OfState *
of_state_store_get (OfStateStore *store)
{
  return &store->state;
}

static gboolean
read_time (GKeyFile   *key_file,
           const char *key,
           gint64      now,
           gint64     *out,
           GError    **error)
{
  g_autofree char *raw = g_key_file_get_value (key_file, STATE_GROUP, key, NULL);
  guint64 value;

  *out = 0;
  if (raw == NULL)
    return TRUE;
  if (!of_parse_decimal (raw, 0, G_MAXINT64, &value))
    {
      g_autofree char *shown = g_strescape (raw, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s=%s is not a time in µs since the epoch", key, shown);
      return FALSE;
    }
  /* A time in the future means a wrong clock or a forged file; taking it
   * at its word could stop syncs for years. */
  *out = MIN ((gint64) value, now);
  return TRUE;
}

/* LastProblems: path, reason, path, reason…  A list that is not valid
 * UTF-8 in pairs is dropped: it is a report, not something to act on. */
static GStrv
read_problems (GKeyFile   *key_file,
               const char *group)
{
  gsize n = 0;
  g_auto(GStrv) list = g_key_file_get_string_list (key_file, group, "LastProblems", &n, NULL);

  if (list == NULL || n % 2 != 0)
    return NULL;
  for (gsize i = 0; i < n; i++)
    if (!g_utf8_validate (list[i], -1, NULL))
      return NULL;
  return g_steal_pointer (&list);
}

/* A share's time or duration in µs; 0 when missing or not a number
 * (like LastResult, a report: a bad one is dropped, not fatal). */
static gint64
read_share_number (GKeyFile   *key_file,
                   const char *group,
                   const char *key)
{
  g_autofree char *raw = g_key_file_get_value (key_file, group, key, NULL);
  guint64 value;

  return of_parse_decimal (raw, 0, G_MAXINT64, &value) ? (gint64) value : 0;
}

gboolean
of_state_parse (const char *data,
                gsize       length,
                gint64      now,
                OfState    *state,
                GError    **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *id = NULL;
  g_autofree char *result = NULL;
  g_autofree char *overdue = NULL;
  g_autofree char *running = NULL;
  guint64 next_id = 1;
  guint64 running_id = 0;
  OfState parsed = { 0 };

  if (!g_key_file_load_from_data (key_file, data, length, G_KEY_FILE_NONE, error))
    return FALSE;
  if (!g_key_file_has_group (key_file, STATE_GROUP))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no [%s] group", STATE_GROUP);
      return FALSE;
    }

  if (!read_time (key_file, "FirstStart", now, &parsed.first_start, error) ||
      !read_time (key_file, "LastSyncStart", now, &parsed.last_start, error) ||
      !read_time (key_file, "LastSyncFinish", now, &parsed.last_finish, error) ||
      !read_time (key_file, "LastSuccessfulSyncStart", now, &parsed.last_success_start, error))
    return FALSE;

  id = g_key_file_get_value (key_file, STATE_GROUP, "NextSyncId", NULL);
  if (id && !of_parse_decimal (id, 1, G_MAXUINT64 - 1, &next_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "NextSyncId=%s is not a sync id", id);
      return FALSE;
    }

  running = g_key_file_get_value (key_file, STATE_GROUP, "RunningSyncId", NULL);
  if (running && !of_parse_decimal (running, 0, next_id - 1, &running_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "RunningSyncId=%s is not a sync id below NextSyncId", running);
      return FALSE;
    }

  result = g_key_file_get_value (key_file, STATE_GROUP, "LastSyncResult", NULL);
  if (result == NULL)
    result = g_strdup ("");
  if (!is_known_result (result))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "LastSyncResult=%s is not a result", result);
      return FALSE;
    }

  overdue = g_key_file_get_value (key_file, STATE_GROUP, "LastWasFailedOverdue", NULL);
  if (overdue && !g_str_equal (overdue, "true") && !g_str_equal (overdue, "false"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "LastWasFailedOverdue=%s is not a boolean", overdue);
      return FALSE;
    }

  parsed.shares = new_share_table ();
  {
    g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

    for (guint i = 0; groups[i]; i++)
      {
        const char *name;
        g_autofree char *offline = NULL;
        g_autofree char *share_result = NULL;
        OfShareState *share;
        gint64 when;

        if (!g_str_has_prefix (groups[i], "Share "))
          continue;
        name = groups[i] + strlen ("Share ");
        /* Same rule as share file names: nothing that could be a path. */
        if (*name == '\0' || *name == '.' || strspn (name, SHARE_NAME_CHARS) != strlen (name))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "[%s] is not a share", groups[i]);
            g_hash_table_unref (parsed.shares);
            return FALSE;
          }
        share = of_state_get_share (&parsed, name);
        offline = g_key_file_get_value (key_file, groups[i], "WorkOffline", NULL);
        share->work_offline = offline && g_str_equal (offline, "true");
        share_result = g_key_file_get_value (key_file, groups[i], "LastResult", NULL);
        if (share_result && is_known_result (share_result))
          {
            g_free (share->last_result);
            share->last_result = g_steal_pointer (&share_result);
          }
        g_free (share->last_message);
        share->last_message = g_key_file_get_string (key_file, groups[i], "LastMessage", NULL);
        if (share->last_message == NULL)
          share->last_message = g_strdup ("");
        g_strfreev (share->problems);
        share->problems = read_problems (key_file, groups[i]);
        {
          g_autofree char *raw = g_key_file_get_value (key_file, groups[i], "LastSyncTime", NULL);
          guint64 value;
          when = of_parse_decimal (raw, 0, G_MAXINT64, &value) ? (gint64) value : 0;
        }
        share->last_sync_time = MIN (when, now);
        share->last_success_time = MIN (read_share_number (key_file, groups[i], "LastSuccessTime"), now);
        share->last_duration = read_share_number (key_file, groups[i], "LastDuration");
      }
  }

  if (parsed.first_start == 0)
    parsed.first_start = parsed.last_start ? parsed.last_start : now;
  parsed.next_sync_id = next_id;
  parsed.running_sync_id = running_id;
  parsed.last_result = g_steal_pointer (&result);
  parsed.last_was_failed_overdue = overdue && g_str_equal (overdue, "true");

  of_state_clear (state);
  *state = parsed;
  return TRUE;
}

char *
of_state_to_data (const OfState *state,
                  gsize         *length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, state->next_sync_id);

  g_key_file_set_comment (key_file, NULL, NULL,
                          " offlinefiles-syncd's own state; not a configuration file.", NULL);
  g_key_file_set_int64 (key_file, STATE_GROUP, "FirstStart", state->first_start);
  g_key_file_set_value (key_file, STATE_GROUP, "NextSyncId", id);
  if (state->running_sync_id != 0)
    {
      g_autofree char *running = g_strdup_printf ("%" G_GUINT64_FORMAT, state->running_sync_id);
      g_key_file_set_value (key_file, STATE_GROUP, "RunningSyncId", running);
    }
  g_key_file_set_int64 (key_file, STATE_GROUP, "LastSyncStart", state->last_start);
  g_key_file_set_int64 (key_file, STATE_GROUP, "LastSyncFinish", state->last_finish);
  g_key_file_set_string (key_file, STATE_GROUP, "LastSyncResult", state->last_result ? state->last_result : "");
  g_key_file_set_int64 (key_file, STATE_GROUP, "LastSuccessfulSyncStart", state->last_success_start);
  g_key_file_set_boolean (key_file, STATE_GROUP, "LastWasFailedOverdue", state->last_was_failed_overdue);
  if (state->shares)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, state->shares);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const OfShareState *share = value;
          g_autofree char *group = g_strdup_printf ("Share %s", (const char *) key);

          g_key_file_set_boolean (key_file, group, "WorkOffline", share->work_offline);
          g_key_file_set_int64 (key_file, group, "LastSyncTime", share->last_sync_time);
          g_key_file_set_int64 (key_file, group, "LastSuccessTime", share->last_success_time);
          g_key_file_set_int64 (key_file, group, "LastDuration", share->last_duration);
          g_key_file_set_string (key_file, group, "LastResult", share->last_result ? share->last_result : "");
          g_key_file_set_string (key_file, group, "LastMessage", share->last_message ? share->last_message : "");
          if (share->problems != NULL && share->problems[0] != NULL)
            g_key_file_set_string_list (key_file, group, "LastProblems",
                                        (const char * const *) share->problems,
                                        g_strv_length (share->problems));
        }
    }
  return g_key_file_to_data (key_file, length, NULL);
}

gboolean
of_state_store_load (OfStateStore *store,
                     gint64        now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (of_read_small_file (of_state_store_get_path (store), OF_STATE_MAX_FILE_SIZE, &contents, &length, &error) &&
      of_state_parse (contents, length, now, &store->state, &error))
    {
      g_debug ("Loaded %s: next sync id %" G_GUINT64_FORMAT, of_state_store_get_path (store), store->state.next_sync_id);
      return TRUE;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("%s does not exist: first run on this machine", of_state_store_get_path (store));
  else
    g_warning ("Starting from a fresh state, %s is unusable: %s", of_state_store_get_path (store), error->message);

  of_state_clear (&store->state);
  memset (&store->state, 0, sizeof store->state);
  store->state.first_start = now;
  store->state.next_sync_id = 1;
  store->state.last_result = g_strdup ("");
  store->state.shares = new_share_table ();
  return FALSE;
}

void
of_state_store_save_async (OfStateStore       *store,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  of_durable_writer_save_async (store->writer, callback, user_data);
}

gboolean
of_state_store_save_finish (OfStateStore  *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  (void) store;
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
of_state_store_is_busy (OfStateStore *store)
{
  return of_durable_writer_is_busy (store->writer);
}
