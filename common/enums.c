/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* enums.c — see enums.h. */
#include "enums.h"

static const char *const share_results[] = {
  [OF_SHARE_RESULT_SUCCESS]   = "success",
  [OF_SHARE_RESULT_PARTIAL]   = "partial",
  [OF_SHARE_RESULT_FAILED]    = "failed",
  [OF_SHARE_RESULT_CANCELLED] = "cancelled",
};

static const char *const sync_reasons[] = {
  [OF_SYNC_REASON_SCHEDULED] = "scheduled",
  [OF_SYNC_REASON_OVERDUE]   = "overdue",
  [OF_SYNC_REASON_CATCH_UP]  = "catch-up",
  [OF_SYNC_REASON_MANUAL]    = "manual",
};

static const char *const states[] = {
  [OF_SYNC_STATE_IDLE]        = "idle",
  [OF_SYNC_STATE_SYNCING]     = "syncing",
  [OF_SYNC_STATE_BLOCKED_OUT] = "blocked-out",
  [OF_SYNC_STATE_DISABLED]    = "disabled",
  [OF_SYNC_STATE_DEFERRED]    = "deferred",
};

static gboolean
lookup (const char *const *words,
        guint              n_words,
        const char        *text,
        guint             *index)
{
  for (guint i = 0; i < n_words; i++)
    if (g_strcmp0 (words[i], text) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

const char *
of_share_result_to_string (OfShareResult result)
{
  g_return_val_if_fail ((guint) result < G_N_ELEMENTS (share_results), "failed");
  return share_results[result];
}

gboolean
of_share_result_from_string (const char    *text,
                             OfShareResult *result)
{
  guint index;

  if (!lookup (share_results, G_N_ELEMENTS (share_results), text, &index))
    return FALSE;
  *result = (OfShareResult) index;
  return TRUE;
}

const char *
of_sync_reason_to_string (OfSyncReason reason)
{
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (sync_reasons), "scheduled");
  return sync_reasons[reason];
}

const char *
of_sync_state_to_string (OfSyncState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (states), "idle");
  return states[state];
}

gboolean
of_sync_state_from_string (const char *text,
                      OfSyncState    *state)
{
  guint index;

  if (!lookup (states, G_N_ELEMENTS (states), text, &index))
    return FALSE;
  *state = (OfSyncState) index;
  return TRUE;
}

static const char *const defer_reasons[] = {
  [OF_DEFER_NONE]           = "",
  [OF_DEFER_COSTED_NETWORK] = "costed-network",
  [OF_DEFER_ON_BATTERY]     = "on-battery",
};

const char *
of_defer_reason_to_string (OfDeferReason reason)
{
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (defer_reasons), "");
  return defer_reasons[reason];
}

const char *
of_connect_state_to_string (guint state)
{
  switch (state)
    {
    case OF_CONNECT_OFFLINE:
      return "offline";
    case OF_CONNECT_ONLINE:
      return "online";
    default:
      return "unknown";
    }
}

const char *
of_offline_reason_to_string (guint reason)
{
  switch (reason)
    {
    case OF_OFFLINE_NOT_APPLICABLE:
      return "online";
    case OF_OFFLINE_WORKING_OFFLINE:
      return "working offline";
    case OF_OFFLINE_SLOW:
      return "slow connection";
    case OF_OFFLINE_DISCONNECTED:
      return "disconnected";
    case OF_OFFLINE_NOT_MOUNTED:
      return "not mounted";
    case OF_OFFLINE_NOT_RESPONDING:
      return "not responding";
    default:
      return "unknown";
    }
}
