/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-row.h — one share on the Shares page: its name, user, connection
 * state (ConnectState and OfflineReason in words) with "Check
 * connection" (Share.Probe(), its answer in a toast), last result and
 * time, its work-offline switch, its ConflictCount as a button opening
 * the conflicts dialog (shown only while there are conflicts), Sync now
 * (Share.SyncNow) and remove (RemoveShare, after a confirmation saying
 * the folders stay), live from the share's proxy.  A refused switch goes
 * back to the daemon's value; every refusal shows the daemon's message
 * in a toast.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_SHARE_ROW (of_share_row_get_type ())
G_DECLARE_FINAL_TYPE (OfShareRow, of_share_row, OF, SHARE_ROW, AdwActionRow)

/* @object: an OfDBusObject with an org.offlinefiles.Share interface. */
GtkWidget *of_share_row_new (OfPanelModel *model,
                             OfDBusObject *object);

G_END_DECLS
