/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-row.h — one share on the Shares page: its name, user, connection
 * state (ConnectState and OfflineReason in words), last result and time,
 * and its work-offline switch, live from the share's proxy; and "Check
 * connection", which calls Share.Probe() and shows its answer in a toast.
 * A refused switch goes back to the daemon's value with the daemon's
 * message in a toast.
 *
 * Room for what other parts of the service add to a share: its
 * conflict count and conflicts dialog (SPEC 11), and a remove button for
 * one's own share (SPEC 13) — each a suffix or a line of the subtitle here.
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
