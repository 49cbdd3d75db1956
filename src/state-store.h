/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state-store.h — the daemon's memory across restarts: $state-dir/state.
 *
 * History of syncs (what the schedule is computed from), the next sync
 * id, and when the daemon first ran.  Written atomically and durably like
 * the settings, in a worker thread; saves requested while one is in flight
 * are coalesced into one more write of the latest state.  A corrupt or
 * hostile file is reported and replaced by a fresh state: never a crash,
 * never a burst of syncs.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OF_STATE_FILE_NAME "state"
/* Root's alone: it holds what the last syncs said about each share. */
#define OF_STATE_FILE_MODE 0600
#define OF_STATE_MAX_FILE_SIZE (1024 * 1024)

/* What the daemon remembers of one share. */
typedef struct {
  gboolean work_offline;
  gint64   last_sync_time;   /* µs UTC, end of its last sync; 0 = never */
  gint64   last_success_time; /* µs UTC, end of its last successful sync; 0 = never */
  gint64   last_duration;    /* µs its last sync took; 0 = never ran */
  char    *last_result;      /* as OfState.last_result */
  char    *last_message;     /* counts only: published to everyone */
  /* What its last sync could not handle, as pairs: path (relative to
   * the share, "" for the run), reason.  Private: the file is 0600 and
   * only the share's owner, root and manage-shares read them on the bus. */
  GStrv    problems;         /* NULL or 2n strings */
} OfShareState;

typedef struct {
  gint64   first_start;             /* µs UTC, when the daemon first ran here */
  guint64  next_sync_id;            /* the id the next sync gets; >= 1 */
  /* The sync that was started and has not finished yet, 0 = none.  Set
   * with the id, before SyncStarted; cleared with its SyncFinished.  Found
   * set at start-up, it is the sync a crash interrupted. */
  guint64  running_sync_id;
  gint64   last_start;              /* µs UTC, 0 = never */
  gint64   last_finish;             /* µs UTC, 0 = never */
  char    *last_result;             /* "success", "partial", "failed", "cancelled" or "" */
  gint64   last_success_start;      /* µs UTC, 0 = never */
  gboolean last_was_failed_overdue;
  GHashTable *shares;               /* share name → OfShareState */
} OfState;

typedef struct _OfStateStore OfStateStore;

OfStateStore *of_state_store_new         (const char *state_dir);
void          of_state_store_free        (OfStateStore *store);
const char   *of_state_store_get_path    (OfStateStore *store);

/* Reads the file.  Missing, corrupt or hostile: a fresh state whose
 * first_start is @now (reported unless simply missing).  Times after @now
 * are clamped to @now, so a wrong clock or a forged file cannot postpone
 * or hurry the schedule.  Returns TRUE when the file was read as is. */
gboolean      of_state_store_load        (OfStateStore *store,
                                          gint64        now);
/* The live state; change it, then save. */
OfState      *of_state_store_get         (OfStateStore *store);

/* Parses @data (pure; for load and the fuzzers). */
gboolean      of_state_parse             (const char *data,
                                          gsize       length,
                                          gint64      now,
                                          OfState    *state,
                                          GError    **error);
char         *of_state_to_data           (const OfState *state,
                                          gsize         *length);
void          of_state_clear             (OfState *state);
/* The share's entry, created empty if missing. */
OfShareState *of_state_get_share         (OfState    *state,
                                          const char *name);

/* Durably writes the state as it is now (or later, coalesced). */
void          of_state_store_save_async  (OfStateStore       *store,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean      of_state_store_save_finish (OfStateStore  *store,
                                          GAsyncResult  *result,
                                          GError       **error);

/* TRUE while a write is in flight or queued. */
gboolean      of_state_store_is_busy     (OfStateStore  *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfStateStore, of_state_store_free)

G_END_DECLS
