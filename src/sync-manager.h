/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync-manager.h — when syncs run, and their lifecycle.
 *
 * Holds the plan of the pure schedule module against the real clock: one
 * wall-clock timer armed for the next deadline (a sync, or the blockout
 * window opening or closing, which changes State), re-planned on every
 * settings change, clock jump, resume and time-zone change.  Starts syncs
 * one at a time: a sync that comes due while one runs starts once when it
 * ends.  Every started sync gets an id that is on disk before it is
 * announced, and exactly one "sync-finished".
 */
#pragma once

#include <gio/gio.h>

#include "conditions.h"
#include "config-store.h"
#include "schedule.h"
#include "settings.h"
#include "share-registry.h"
#include "state-store.h"
#include "sync-runner.h"

G_BEGIN_DECLS

#define OF_TYPE_SYNC_MANAGER (of_sync_manager_get_type ())
G_DECLARE_FINAL_TYPE (OfSyncManager, of_sync_manager, OF, SYNC_MANAGER, GObject)

/* Signals:
 *   "sync-started"   (guint64 id, const char *reason)
 *   "sync-progress"  (guint64 id, guint done, guint total, const char *share)
 *   "sync-finished"  (guint64 id, const char *result, const char *message)
 *   "status-changed" () — State, NextSyncTime, CurrentSyncId or the history changed
 */

/* @state_store (loaded) and @shares are borrowed; @options is copied.
 * The settings are @store's: the manager re-plans when they change. */
OfSyncManager *of_sync_manager_new            (OfStateStore           *state_store,
                                               OfShareRegistry        *shares,
                                               const OfSyncRunOptions *options,
                                               const char             *machine_id,
                                               OfConfigStore          *store,
                                               GError                **error);
/* Due background syncs are held back on a metered network or on battery
 * as @conditions say (docs/behaviour.md §14), and none starts before
 * @conditions are known.  Without it nothing is held back.  Once, before
 * start(). */
void           of_sync_manager_set_conditions (OfSyncManager    *manager,
                                               OfConditions     *conditions);
/* Starts watching the time zone, plans and arms the timer; a sync missed
 * while the daemon was down starts now (catch-up).  Once. */
void           of_sync_manager_start          (OfSyncManager    *manager);
/* Something outside changed: plan again. */
void           of_sync_manager_replan         (OfSyncManager    *manager,
                                               const char       *why);
/* The system resumed from sleep: what came due meanwhile is a catch-up. */
void           of_sync_manager_resumed        (OfSyncManager    *manager);
/* Starts a manual sync unless one runs, and answers with its id (or the
 * running one's) once that id is on disk and announced. */
void           of_sync_manager_sync_now_async  (OfSyncManager      *manager,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
guint64        of_sync_manager_sync_now_finish (OfSyncManager      *manager,
                                                GAsyncResult       *result,
                                                GError            **error);
/* Share.SyncNow: a sync of @share alone (even in work-offline mode), with
 * the usual signals, not counted in the schedule's history.  While a
 * sync runs that includes @share, its id; while another share's runs or
 * a resolution holds syncs back, OF_ERROR_FAILED.  Finish with
 * of_sync_manager_sync_now_finish(). */
void           of_sync_manager_sync_share_async (OfSyncManager      *manager,
                                                 const char         *share,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
/* A conflict resolution's turn: completes once no sync runs, and from
 * then on no sync starts (what comes due waits) until every holder has
 * called release().  Holds are shared: resolutions run side by side (the
 * caller keeps to one per share); a sync already waiting goes before
 * holds asked for after it. */
void           of_sync_manager_hold_async     (OfSyncManager      *manager,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean       of_sync_manager_hold_finish    (OfSyncManager      *manager,
                                               GAsyncResult       *result,
                                               GError            **error);
void           of_sync_manager_release        (OfSyncManager      *manager);
void           of_sync_manager_cancel         (OfSyncManager    *manager);
/* Takes share @name out of the running sync, if any (see
 * of_sync_run_control_withdraw()): done once no engine of it runs. */
void           of_sync_manager_withdraw_share_async  (OfSyncManager      *manager,
                                                      const char         *name,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean       of_sync_manager_withdraw_share_finish (OfSyncManager      *manager,
                                                      GAsyncResult       *result,
                                                      GError            **error);
/* a(tss): start µs UTC, reason, note; a full reference (not floating). */
GVariant      *of_sync_manager_preview        (OfSyncManager    *manager,
                                               guint             count);

const char    *of_sync_manager_get_state      (OfSyncManager    *manager);
/* DeferReason: "costed-network", "on-battery" or "". */
const char    *of_sync_manager_get_defer_reason (OfSyncManager  *manager);
gint64         of_sync_manager_get_next_sync_time (OfSyncManager *manager);
/* The running sync's id once announced; 0 otherwise. */
guint64        of_sync_manager_get_current_sync_id (OfSyncManager *manager);
const OfState *of_sync_manager_get_history    (OfSyncManager    *manager);
/* TRUE while a sync runs or state is being written. */
gboolean       of_sync_manager_is_busy        (OfSyncManager    *manager);

G_END_DECLS
