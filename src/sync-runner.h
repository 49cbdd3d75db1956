/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync-runner.h — one sync: every included share in turn, then a result.
 *
 * The runner knows nothing of schedules or the bus: it is handed the
 * shares of one sync, runs the engine for each in turn, reports after
 * each, honours cancellation (the running engine is stopped) and sums the
 * shares' results up into the sync's result and one human line.
 */
#pragma once

#include <gio/gio.h>

#include "engine.h"
#include "share.h"
#include "share-registry.h"

G_BEGIN_DECLS

/* After each share: its outcome, and how far the sync is. */
typedef void (*OfShareDoneFunc) (const OfShare         *share,
                                 const OfEngineOutcome *outcome,
                                 guint                  shares_done,
                                 guint                  shares_total,
                                 gpointer               user_data);

typedef struct {
  OfLauncher *launcher;         /* how engines run; borrowed (referenced while a sync runs) */
  const char *engine_path;      /* "unison", or --engine */
  const char *archive_root;     /* <state dir>/unison */
  gint64      kill_grace_usec;  /* SIGTERM → SIGKILL */
  guint64     sync_id;          /* names the engine runs (their units) */
  /* Probes each share before its engine runs; an offline share is
   * skipped, failed, with the reason (docs/behaviour.md §12).  NULL: no
   * probe.  Borrowed (referenced while a sync runs). */
  OfShareRegistry *registry;
} OfSyncRunOptions;

/* @shares: of OfShare, in order; taken (may be empty). */
void     of_sync_run_async  (GPtrArray              *shares,
                             const OfSyncRunOptions *options,
                             GCancellable           *cancellable,
                             OfShareDoneFunc         share_done,
                             gpointer                share_done_data,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data);
/* Always succeeds: failures of shares are results, not errors.
 * @sync_result: "success" (every share succeeded, or there were none),
 * "failed" (every share failed), "partial" (otherwise) or "cancelled". */
void     of_sync_run_finish (GAsyncResult *result,
                             char        **sync_result,
                             char        **message);

/* Pure: the sync's result and one-line message from its shares' results
 * (for the runner and its tests). */
void     of_sync_summarize  (GPtrArray  *names,
                             GPtrArray  *outcomes,
                             guint       total,
                             gboolean    cancelled,
                             char      **sync_result,
                             char      **message);

G_END_DECLS
