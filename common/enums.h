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
  OF_SYNC_STATE_DEFERRED,
} OfSyncState;

/* "idle", "syncing", "blocked-out", "disabled", "deferred". */
const char *of_sync_state_to_string          (OfSyncState state);
gboolean    of_sync_state_from_string        (const char *text,
                                         OfSyncState    *state);

/* Why a due background sync is held back (DeferReason), docs/behaviour.md §14. */
typedef enum {
  OF_DEFER_NONE,
  OF_DEFER_COSTED_NETWORK,
  OF_DEFER_ON_BATTERY,
} OfDeferReason;

/* "", "costed-network", "on-battery". */
const char *of_defer_reason_to_string   (OfDeferReason reason);

/* Share.ConnectState: Win32_OfflineFilesConnectionInfo's codes. */
typedef enum {
  OF_CONNECT_UNKNOWN = 0,
  OF_CONNECT_OFFLINE = 1,
  OF_CONNECT_ONLINE  = 2,
} OfConnectState;

/* Share.OfflineReason: the Windows codes, and two of ours (100, 101). */
typedef enum {
  OF_OFFLINE_UNKNOWN        = 0,
  OF_OFFLINE_NOT_APPLICABLE = 1,   /* online */
  OF_OFFLINE_WORKING_OFFLINE = 2,
  OF_OFFLINE_SLOW           = 3,
  OF_OFFLINE_DISCONNECTED   = 4,
  OF_OFFLINE_NOT_MOUNTED    = 100,
  OF_OFFLINE_NOT_RESPONDING = 101,
} OfOfflineReason;

/* "unknown", "offline", "online" (anything else: "unknown"). */
const char *of_connect_state_to_string  (guint state);
/* A short English phrase, e.g. "not responding"; for a code we do not
 * know, "reason N" is not possible without allocation: "unknown". */
const char *of_offline_reason_to_string (guint reason);

G_END_DECLS
