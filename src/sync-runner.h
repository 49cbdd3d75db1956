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

/* Lets a share be taken out of a running sync (RemoveShare): shared by
 * the runner and whoever withdraws, reference-counted, main context only. */
typedef struct _OfSyncRunControl OfSyncRunControl;

OfSyncRunControl *of_sync_run_control_new      (void);
OfSyncRunControl *of_sync_run_control_ref      (OfSyncRunControl *control);
void              of_sync_run_control_unref    (OfSyncRunControl *control);
/* Leaves share @name out of the sync: it does not start if it has not
 * yet, its engine is stopped if it runs, and it counts nowhere (no
 * share-done call, not in the result).  @task (taken) returns TRUE once
 * no engine of the share runs any more: at once, or when the stopped
 * one has ended. */
void              of_sync_run_control_withdraw (OfSyncRunControl *control,
                                                const char       *name,
                                                GTask            *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfSyncRunControl, of_sync_run_control_unref)

typedef struct {
  OfLauncher *launcher;         /* how engines run; borrowed (referenced while a sync runs) */
  const char *engine_path;      /* "unison", or --engine */
  const char *archive_root;     /* <state dir>/unison */
  gint64      kill_grace_usec;  /* SIGTERM → SIGKILL */
  guint64     sync_id;          /* names the engine runs (their units) */
  OfSyncRunControl *control;    /* NULL, or referenced while the sync runs */
  /* Probes each share before its engine runs; an offline share is
   * skipped, failed, with the reason (docs/behaviour.md §14).  NULL: no
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
