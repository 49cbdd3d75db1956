/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* enums.h — the words the bus speaks, as enums with their one spelling.
 *
 * Results, states and sync reasons travel as strings on D-Bus (described in
 * docs/behaviour.md and the introspection XML); the daemon and the clients use these
 * enums and convert at the edge, so a typo cannot become a new state.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The result of a sync and of each share in it (LastSyncResult,
 * SyncFinished, Share.LastResult). */
typedef enum {
  OF_SHARE_RESULT_SUCCESS,
  OF_SHARE_RESULT_PARTIAL,
  OF_SHARE_RESULT_FAILED,
  OF_SHARE_RESULT_CANCELLED,
} OfShareResult;

/* "success", "partial", "failed", "cancelled". */
const char *of_share_result_to_string   (OfShareResult result);
/* FALSE for anything else ("" — never synced — included). */
gboolean    of_share_result_from_string (const char    *text,
                                         OfShareResult *result);

/* Why a sync started (SyncStarted's reason, PreviewSchedule's). */
typedef enum {
  OF_SYNC_REASON_SCHEDULED,
  OF_SYNC_REASON_OVERDUE,
  OF_SYNC_REASON_CATCH_UP,
  OF_SYNC_REASON_MANUAL,
} OfSyncReason;

/* "scheduled", "overdue", "catch-up", "manual". */
const char *of_sync_reason_to_string    (OfSyncReason reason);

/* The State property. */
typedef enum {
  OF_SYNC_STATE_IDLE,
  OF_SYNC_STATE_SYNCING,
  OF_SYNC_STATE_BLOCKED_OUT,
  OF_SYNC_STATE_DISABLED,
} OfSyncState;

/* "idle", "syncing", "blocked-out", "disabled". */
const char *of_sync_state_to_string          (OfSyncState state);
gboolean    of_sync_state_from_string        (const char *text,
                                         OfSyncState    *state);

G_END_DECLS
