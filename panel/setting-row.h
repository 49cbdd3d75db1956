/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* setting-row.h — one setting of common/settings.h's table as a row: its
 * title and meaning, a spin button (two for the blockout start, hours and
 * minutes) or a switch with the table's range, and a lock naming the
 * drop-in (LockedBy) when admin policy fixes it.  It reads and writes the
 * setting on the interface the table names: org.offlinefiles.BackgroundSync
 * or org.offlinefiles.MachineConfiguration.
 *
 * The row owns its pending write.  A spin button writes once the value is
 * complete — Enter, leaving the field, or a short pause after the arrows —
 * never per keystroke; a switch writes when toggled.  A refused write puts
 * the control back to the daemon's value and shows the daemon's message in
 * a toast.  While a write is pending, news from the bus does not overwrite
 * what the person is entering.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"
#include "settings.h"

G_BEGIN_DECLS

#define OF_TYPE_SETTING_ROW (of_setting_row_get_type ())
G_DECLARE_FINAL_TYPE (OfSettingRow, of_setting_row, OF, SETTING_ROW, AdwActionRow)

GtkWidget *of_setting_row_new     (OfPanelModel *model,
                                   OfSettingId   id);
/* Shows the daemon's current value and lock (unless a write is pending). */
void       of_setting_row_refresh (OfSettingRow *self);

G_END_DECLS
