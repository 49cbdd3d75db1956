/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-state-file.c — $state-dir/state through of_state_parse().
 *
 * A corrupt or forged state file must be refused or read into a sane state:
 * next sync id >= 1, no time after "now", a known last result, share names
 * that cannot be paths.  What was read must survive a write and a read
 * (of_state_to_data() then of_state_parse()) unchanged.
 */
#include "fuzz-common.h"

#include "state-store.h"

/* 2025-06-15, µs: the clock of the machine reading the file. */
#define NOW G_GINT64_CONSTANT (1750000000000000)

static const char *const known_results[] = { "", "success", "partial", "failed", "cancelled", NULL };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  return 0;
}

static void
state_init (OfState *state)
{
  memset (state, 0, sizeof *state);
  state->next_sync_id = 1;
  state->last_result = g_strdup ("");
}

static void
check_sane (const OfState *state)
{
  GHashTableIter iter;
  gpointer key, value;

  FUZZ_CHECK (state->next_sync_id >= 1 && state->next_sync_id < G_MAXUINT64, "next id %" G_GUINT64_FORMAT,
              state->next_sync_id);
  /* An interrupted sync's id was handed out already. */
  FUZZ_CHECK (state->running_sync_id < state->next_sync_id, "running id %" G_GUINT64_FORMAT,
              state->running_sync_id);
  FUZZ_CHECK (state->first_start > 0 && state->first_start <= NOW, "first start %" G_GINT64_FORMAT, state->first_start);
  FUZZ_CHECK (state->last_start >= 0 && state->last_start <= NOW, "last start");
  FUZZ_CHECK (state->last_finish >= 0 && state->last_finish <= NOW, "last finish");
  FUZZ_CHECK (state->last_success_start >= 0 && state->last_success_start <= NOW, "last success");
  FUZZ_CHECK (state->last_result && g_strv_contains (known_results, state->last_result),
              "last result %s", state->last_result);
  FUZZ_CHECK (state->shares != NULL, "no share table");
  g_hash_table_iter_init (&iter, state->shares);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const OfShareState *share = value;

      FUZZ_CHECK (name[0] != '\0' && name[0] != '.' && strchr (name, '/') == NULL, "share name %s", name);
      for (const char *p = name; *p; p++)
        FUZZ_CHECK (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-', "share name %s", name);
      FUZZ_CHECK (share->last_sync_time >= 0 && share->last_sync_time <= NOW, "share time");
      FUZZ_CHECK (share->last_result && g_strv_contains (known_results, share->last_result),
                  "share result %s", share->last_result);
      /* It becomes the Share object's LastMessage, a D-Bus string. */
      /* Pairs of valid UTF-8, or none: they become a(ss) on the bus. */
      FUZZ_CHECK (share->problems == NULL || g_strv_length (share->problems) % 2 == 0, "odd problems");
      FUZZ_CHECK (share->last_message != NULL && g_utf8_validate (share->last_message, -1, NULL),
                  "share message not UTF-8");
    }
}

static void
check_equal (const OfState *a,
             const OfState *b)
{
  GHashTableIter iter;
  gpointer key, value;

  FUZZ_CHECK (a->first_start == b->first_start, "first start %" G_GINT64_FORMAT " != %" G_GINT64_FORMAT,
              a->first_start, b->first_start);
  FUZZ_CHECK (a->next_sync_id == b->next_sync_id, "next id");
  FUZZ_CHECK (a->running_sync_id == b->running_sync_id, "running id");
  FUZZ_CHECK (a->last_start == b->last_start, "last start");
  FUZZ_CHECK (a->last_finish == b->last_finish, "last finish");
  FUZZ_CHECK (g_str_equal (a->last_result, b->last_result), "last result");
  FUZZ_CHECK (a->last_success_start == b->last_success_start, "last success");
  FUZZ_CHECK (a->last_was_failed_overdue == b->last_was_failed_overdue, "overdue");
  FUZZ_CHECK (g_hash_table_size (a->shares) == g_hash_table_size (b->shares), "%u != %u shares",
              g_hash_table_size (a->shares), g_hash_table_size (b->shares));
  g_hash_table_iter_init (&iter, a->shares);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const OfShareState *x = value;
      const OfShareState *y = g_hash_table_lookup (b->shares, key);

      FUZZ_CHECK (y != NULL, "share %s lost", (const char *) key);
      FUZZ_CHECK (x->work_offline == y->work_offline, "share %s work offline", (const char *) key);
      FUZZ_CHECK (x->last_sync_time == y->last_sync_time, "share %s time", (const char *) key);
      FUZZ_CHECK (g_str_equal (x->last_result, y->last_result), "share %s result", (const char *) key);
      FUZZ_CHECK (g_str_equal (x->last_message, y->last_message), "share %s message \"%s\" != \"%s\"",
                  (const char *) key, x->last_message, y->last_message);
      /* An empty list is not written: it reads back as none. */
      FUZZ_CHECK ((x->problems == NULL || x->problems[0] == NULL)
                    ? (y->problems == NULL || y->problems[0] == NULL)
                    : (y->problems != NULL && g_strv_equal ((const char * const *) x->problems,
                                                            (const char * const *) y->problems)),
                  "share %s problems differ", (const char *) key);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  OfState state, again;
  gsize length;

  if (size > OF_STATE_MAX_FILE_SIZE)
    return -1;

  state_init (&state);
  if (!of_state_parse ((const char *) data, size, NOW, &state, &error))
    {
      FUZZ_CHECK (error != NULL, "refused without an error");
      /* Refused: the state given is left alone. */
      FUZZ_CHECK (state.next_sync_id == 1 && g_str_equal (state.last_result, "") && state.shares == NULL,
                  "a refused parse changed the state");
      of_state_clear (&state);
      return 0;
    }
  FUZZ_CHECK (error == NULL, "accepted with an error");
  check_sane (&state);

  written = of_state_to_data (&state, &length);
  state_init (&again);
  FUZZ_CHECK (of_state_parse (written, length, NOW, &again, &error),
              "a written state does not read back: %s\n%s", error->message, written);
  check_sane (&again);
  check_equal (&state, &again);

  of_state_clear (&state);
  of_state_clear (&again);
  return 0;
}
